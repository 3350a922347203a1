/**
 * ChatWoot's webhook payload, mapped to our own types at intake: nothing past the webhook controllers reads it.
 */
import { CommandOrigin } from '../integration-chat/command-origin';
import { AgentMessage } from '../relay/agent-message';
import { contactChatIds } from './chatwoot-webhook.filter';
import { ChatwootWebhookBody } from './chatwoot-webhook.types';

/** An agent's reply to relay to WhatsApp. */
export function agentMessageOf(body: ChatwootWebhookBody): AgentMessage {
  const sender = body.conversation?.meta?.sender;
  const inReplyTo = Number(body.content_attributes?.in_reply_to ?? 0);
  return {
    messageId: Number(body.id ?? 0),
    conversationId: Number(body.conversation?.id ?? 0),
    content: body.content ?? '',
    attachments: (body.attachments ?? []).map((a) => ({ url: a.data_url ?? '', fileType: a.file_type, extension: a.extension ?? undefined, contentType: a.content_type ?? undefined })),
    inReplyTo: inReplyTo > 0 ? inReplyTo : undefined,
    ...(typeof body.sender?.name === 'string' && body.sender.name.trim() ? { senderName: body.sender.name.trim() } : {}),
    contact: {
      chatIds: contactChatIds(sender),
      phoneNumber: sender?.phone_number ?? undefined,
      sourceId: body.conversation?.contact_inbox?.source_id ?? undefined,
    },
  };
}

/** Where a command was typed, and so where its replies go. */
export function commandOriginOf(appId: string, body: ChatwootWebhookBody, commandsChat: boolean): CommandOrigin {
  const sender = body.conversation?.meta?.sender;
  return {
    appId,
    conversationId: Number(body.conversation?.id),
    messageId: Number(body.id),
    commandsChat,
    contactChatIds: commandsChat ? [] : contactChatIds(sender),
    contactId: sender?.id,
  };
}

/** When the agent sent it (ms since epoch): what a pull's window counts back from. */
export function typedAtOf(body: ChatwootWebhookBody, now = Date.now()): number {
  const typedAt = typeof body.created_at === 'string' ? Date.parse(body.created_at) : Number(body.created_at) * 1000;
  return Number.isFinite(typedAt) && typedAt > 0 ? typedAt : now;
}
