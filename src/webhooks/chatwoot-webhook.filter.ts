/**
 * Decides what a ChatWoot webhook means for the bridge, without I/O. Pure so the rules are unit-tested one by one.
 *
 * Dropped: no event; customer (`incoming`) messages, which include the bridge's own command replies; activity and
 * template messages; messages the bridge created itself (they carry a `source_id` or `external_echo`); private
 * notes (never commands, never sent to WhatsApp); events the bridge does not act on.
 */
import { CHAT_ID_ATTRIBUTES, INTEGRATION_CHAT_ID } from '../clients/chatwoot/chatwoot-attributes';
import { ChatwootWebhookBody, ChatwootWebhookContact } from './chatwoot-webhook.types';

export type WebhookDecision =
  | { action: 'drop'; reason: string }
  | { action: 'command'; commandsChat: boolean }
  | { action: 'relay' };

function typeName(value: unknown): string {
  if (typeof value === 'number') return ['incoming', 'outgoing', 'activity', 'template'][value] ?? String(value);
  return typeof value === 'string' ? value : '';
}

/** Strip a WhatsApp device suffix (`123:4@s.whatsapp.net` → `123@s.whatsapp.net`). */
export function withoutDevice(jid: string): string {
  return jid.replace(/:\d+(?=@)/, '');
}

/** Chat ids a ChatWoot contact stands for, from the bridge's custom attributes (and the identifier). */
export function contactChatIds(contact: ChatwootWebhookContact | null | undefined): string[] {
  if (!contact) return [];
  const values: string[] = [];
  for (const key of CHAT_ID_ATTRIBUTES) {
    const value = contact.custom_attributes?.[key];
    if (typeof value === 'string' && value.trim()) values.push(withoutDevice(value.trim()));
  }
  if (values.length === 0 && contact.identifier && /@(c\.us|s\.whatsapp\.net|lid|g\.us|newsletter|broadcast)$/.test(contact.identifier)) {
    values.push(withoutDevice(contact.identifier));
  }
  return [...new Set(values)];
}

export function isCommandsChat(contact: ChatwootWebhookContact | null | undefined): boolean {
  if (!contact) return false;
  return contact.identifier === INTEGRATION_CHAT_ID || contact.custom_attributes?.waha_whatsapp_chat_id === INTEGRATION_CHAT_ID;
}

/** Leading markdown that ChatWoot or a canned response may put before the prefix. */
export function looksLikeCommand(content: string, prefix: string): boolean {
  return prefix !== '' && content.replace(/^[\s*_`~>]+/, '').startsWith(prefix);
}

export function decideChatwootWebhook(body: ChatwootWebhookBody, prefix: string): WebhookDecision {
  if (!body || typeof body !== 'object' || !body.event) return { action: 'drop', reason: 'no event' };
  if (body.event !== 'message_created') return { action: 'drop', reason: `event ${body.event} is not acted on` };
  const type = typeName(body.message_type);
  if (type !== 'outgoing') return { action: 'drop', reason: `${type} message` };
  if (body.source_id) return { action: 'drop', reason: 'created by the bridge (source_id)' };
  if (body.content_attributes?.external_echo) return { action: 'drop', reason: 'created by the bridge (external_echo)' };
  if (body.private) return { action: 'drop', reason: 'private note' };
  const commandsChat = isCommandsChat(body.conversation?.meta?.sender);
  if (commandsChat) return { action: 'command', commandsChat: true };
  if (looksLikeCommand(body.content ?? '', prefix)) return { action: 'command', commandsChat: false };
  return { action: 'relay' };
}
