/**
 * Decides what a ChatWoot webhook means for the bridge, without I/O. Pure so the rules are unit-tested one by one.
 *
 * Dropped: no event; customer (`incoming`) messages, which include the bridge's own command replies; activity and
 * template messages; messages the bridge created itself (they carry a `source_id` or `external_echo`); private
 * notes (never commands, never sent to WhatsApp); events the bridge does not act on.
 *
 * A `message_updated` that marks an agent's message deleted is the agent deleting it: what the bridge sent of it is
 * revoked on WhatsApp. The bridge's own deletions are of messages it created (a `source_id`, dropped above) or of
 * agent messages deleted in WhatsApp, which the inbox relay recognises by its mark (relay.keys.ts bridge-deleted).
 *
 * Any other `message_updated` is acted on only as the agent's Retry of a message ChatWoot marked failed because our webhook
 * answered non-2xx (lib/webhooks/trigger.rb marks API-inbox messages failed with `external_error`; the dashboard
 * offers Retry for a day, MessageError.vue). The payload carries neither status nor changed attributes, so a Retry
 * looks like any other update of an agent message without `external_error` (read receipts fire those too): the
 * decision says `retry`, and intake drops it when the message was already handled (relay.intake.ts).
 */
import { CHAT_ID_ATTRIBUTES, INTEGRATION_CHAT_ID } from '../clients/chatwoot/chatwoot-attributes';
import { ChatwootWebhookBody, ChatwootWebhookContact } from './chatwoot-webhook.types';

export type WebhookDecision =
  | { action: 'drop'; reason: string; notice?: true }
  | { action: 'command'; commandsChat: boolean; retry?: true; notListed?: true }
  | { action: 'relay'; retry?: true }
  | { action: 'delete' };

/**
 * Commands are for people: `sender.type` is `user` for agents and administrators (User#webhook_data). Agent bots
 * (`agent_bot`), Captain (`captain_assistant`) and automations (no sender) could be steered by a customer's words,
 * so what they write is never run as a command; their ordinary replies are relayed like an agent's.
 */
function commandRefusal(body: ChatwootWebhookBody): string | undefined {
  const type = body.sender?.type;
  if (type === 'user') return undefined;
  return `command-like message from ${type ? `a sender of type ${type}` : 'an automation (no sender)'}: not run`;
}

/** With COMMAND_AGENTS set, only the listed agents (by id or email) may command. */
function listed(body: ChatwootWebhookBody, agents: readonly string[]): boolean {
  if (agents.length === 0) return true;
  const { id, email } = body.sender ?? {};
  return (id !== undefined && agents.includes(String(id))) || (typeof email === 'string' && agents.includes(email.toLowerCase()));
}

/** ChatWoot offers Retry on a failed message for one day (MessageError.vue hasOneDayPassed). */
const RETRY_OFFERED_MS = 24 * 3600 * 1000;

function createdAtMs(value: string | number | undefined): number | undefined {
  if (typeof value === 'number') return value < 1e12 ? value * 1000 : value;
  if (typeof value !== 'string' || !value) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Why a `message_updated` cannot be an agent's Retry, or undefined when it may be one. */
function notARetry(body: ChatwootWebhookBody, now: number): string | undefined {
  const attributes = body.content_attributes ?? {};
  if (attributes.external_error) return 'marked failed (the agent may press Retry)';
  if (attributes.deleted) return 'deleted';
  const created = createdAtMs(body.created_at);
  if (created !== undefined && now - created > RETRY_OFFERED_MS) return 'older than a day (no Retry offered)';
  return undefined;
}

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

export function decideChatwootWebhook(body: ChatwootWebhookBody, prefix: string, now = Date.now(), commandAgents: readonly string[] = []): WebhookDecision {
  if (!body || typeof body !== 'object' || !body.event) return { action: 'drop', reason: 'no event' };
  if (body.event !== 'message_created' && body.event !== 'message_updated') return { action: 'drop', reason: `event ${body.event} is not acted on` };
  const type = typeName(body.message_type);
  if (type !== 'outgoing') return { action: 'drop', reason: `${type} message` };
  if (body.source_id) return { action: 'drop', reason: 'created by the bridge (source_id)' };
  if (body.content_attributes?.external_echo) return { action: 'drop', reason: 'created by the bridge (external_echo)' };
  if (body.private) return { action: 'drop', reason: 'private note' };
  const retry = body.event === 'message_updated';
  // An agent deleted one of their messages (MessagesController#destroy sets content_attributes {deleted: true}).
  if (retry && body.content_attributes?.deleted) {
    return isCommandsChat(body.conversation?.meta?.sender) ? { action: 'drop', reason: 'deleted in the commands chat' } : { action: 'delete' };
  }
  if (retry) {
    const reason = notARetry(body, now);
    if (reason) return { action: 'drop', reason: `update: ${reason}` };
  }
  const flag = retry ? { retry: true as const } : {};
  const commandsChat = isCommandsChat(body.conversation?.meta?.sender);
  if (!commandsChat && !looksLikeCommand(body.content ?? '', prefix)) return { action: 'relay', ...flag };
  const refusal = commandRefusal(body);
  if (refusal) return { action: 'drop', reason: refusal, notice: true };
  return { action: 'command', commandsChat, ...flag, ...(listed(body, commandAgents) ? {} : { notListed: true as const }) };
}
