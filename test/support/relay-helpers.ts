/** Live-relay helpers for the acceptance tests: customer conversations, what WAHA sent, what the agents were told. */
import { Harness, eventually } from './harness';

/** A ChatWoot contact for a WhatsApp chat, with a conversation in the API inbox (as an earlier import leaves it). */
export function customerConversation(h: Harness, chatId: string, name = 'Customer'): number {
  const { conversation } = h.cw.seedContact({ name, identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
  return conversation!.id;
}

/** What WAHA sent to a chat, in order: texts, or captions and file names. */
export function sentTo(h: Harness, chatId: string): string[] {
  return h.waha
    .sent()
    .filter((s) => s.chatId === chatId)
    .map((s) => s.text ?? s.caption ?? s.file?.filename ?? '');
}

/** Waits until WAHA sent at least `count` messages to the chat. */
export async function waitSent(h: Harness, chatId: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  return eventually(() => (sentTo(h, chatId).length >= count ? sentTo(h, chatId) : undefined), { what: `${count} messages sent to ${chatId}`, timeoutMs });
}

/** The private notes the service left in a conversation. */
export function notes(h: Harness, conversationId: number): string[] {
  return h.cw
    .messages(conversationId)
    .filter((m) => m.private && !h.typed.has(m.id))
    .map((m) => m.content ?? '');
}

/** Waits for a private note matching `pattern` in the conversation. */
export async function waitNote(h: Harness, conversationId: number, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return eventually(() => notes(h, conversationId).find((n) => pattern.test(n)), { what: `a note ${pattern} in conversation ${conversationId}`, timeoutMs });
}
