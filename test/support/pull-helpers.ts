/** What a pull should have imported, computed from the fake WAHA's history, and what it did import. */
import { Harness, eventually } from './harness';

export interface WaMessageLite {
  id: string;
  timestamp: number;
  fromMe: boolean;
  hasMedia?: boolean;
}

export const DAY = 24 * 3600 * 1000;

/** The command's typed-at time as ChatWoot sent it in the webhook (ms). */
export function typedAt(h: Harness, messageId: number): number {
  const delivery = h.cw.webhookDeliveries.find((d) => (d.body as { id?: number }).id === messageId && d.event === 'message_created');
  if (!delivery) throw new Error(`no webhook for message ${messageId}`);
  return Date.parse(String((delivery.body as { created_at: string }).created_at));
}

export function windowSec(at: number, startAgoMs: number, endAgoMs = 0): { gte: number; lte: number } {
  return { gte: Math.floor((at - startAgoMs) / 1000), lte: Math.floor((at - endAgoMs) / 1000) };
}

export function expected(h: Harness, chatId: string, window: { gte: number; lte: number }): string[] {
  return (h.waha.messagesInWindow(chatId, window.gte, window.lte) as unknown as WaMessageLite[]).map((m) => m.id);
}

export function chatIdOfConversation(h: Harness, conversationId: number): string | undefined {
  const sender = h.cw.conversation(conversationId)?.meta.sender as { id?: number } | null;
  const contact = h.cw.contacts().find((c) => c.id === sender?.id);
  const chatId = contact?.custom_attributes.waha_whatsapp_chat_id;
  return typeof chatId === 'string' && chatId !== 'whatsapp.integration' ? chatId : undefined;
}

/** Imported WhatsApp ids per chat, in ChatWoot's order (source_id of every non-activity message). */
export function imported(h: Harness): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const conversation of h.cw.conversations()) {
    const chatId = chatIdOfConversation(h, conversation.id);
    if (!chatId) continue;
    const ids = h.cw
      .messages(conversation.id)
      .filter((m) => m.message_type !== 2 && m.source_id)
      .map((m) => (m.source_id ?? '').split('#')[0]);
    result.set(chatId, [...(result.get(chatId) ?? []), ...ids]);
  }
  return result;
}

export function dmChats(h: Harness): string[] {
  return h.waha
    .chats()
    .map((c) => c.id)
    .filter((id) => /@(c\.us|lid)$/.test(id) && !id.startsWith('0@'));
}

/** Types a command and waits for the pull's final report (completed or stopped). */
export async function pull(
  h: Harness,
  command: string,
  conversationId = h.integrationConversationId,
  timeoutMs = 60_000,
  finalReport = /Pull (finished|stopped)|Nothing to pull|No chats|no WhatsApp chats/i,
): Promise<{ messageId: number; report: string; at: number }> {
  const messageId = await h.type(command, conversationId);
  const report = await h.waitReply(messageId, (c) => finalReport.test(c), conversationId, timeoutMs);
  return { messageId, report, at: typedAt(h, messageId) };
}

export async function idle(h: Harness): Promise<void> {
  let last = -1;
  await eventually(
    () => {
      const count = h.cw.conversations().reduce((n, c) => n + h.cw.messages(c.id).length, 0);
      const same = count === last;
      last = count;
      return same;
    },
    { intervalMs: 500, timeoutMs: 30_000, what: 'ChatWoot to go quiet' },
  );
}
