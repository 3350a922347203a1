/**
 * A human-readable rendering of the fake ChatWoot's conversations, for demo printouts and failing-test output.
 */
import type { ChatwootStore } from './chatwoot-store';
import type { SimConversation, SimMessage } from './chatwoot-types';
import { text } from './request-params';

function kind(message: SimMessage): string {
  if (message.messageType === 2) return 'activity';
  if (message.private) return 'note';
  if (message.messageType === 0) return 'incoming';
  if (message.messageType === 3) return 'template';
  return 'outgoing';
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function renderMessage(message: SimMessage): string {
  const lines = (message.content ?? '').split('\n');
  const pad = ' '.repeat(22);
  let out = `  ${clock(message.createdAt)} ${kind(message).padEnd(9)}| ${lines[0]}`;
  for (const line of lines.slice(1)) out += `\n${pad}| ${line}`;
  if (message.attachments.length > 0) {
    const files = message.attachments.map((a) => `${a.fileName} (${a.fileType}, ${a.fileSize} B)`);
    out += `\n${pad}| [attachments: ${files.join(', ')}]`;
  }
  if (message.status === 'failed') out += `\n${pad}| [failed: ${text(message.contentAttributes.external_error)}]`;
  return out;
}

export function renderConversation(store: ChatwootStore, conversation: SimConversation): string {
  const contact = store.contacts.get(conversation.contactId);
  const who = contact
    ? `${contact.name || '(no name)'}${contact.phone_number ? ` ${contact.phone_number}` : ''}${
        contact.identifier ? ` <${contact.identifier}>` : ''
      }`
    : `contact ${conversation.contactId}`;
  const header = `== Conversation #${conversation.displayId} · ${who} · ${conversation.status} · ${conversation.messages.length} message(s)`;
  return [header, ...conversation.messages.map(renderMessage)].join('\n');
}

export function renderTranscript(store: ChatwootStore, displayId?: number): string {
  const conversations =
    displayId === undefined
      ? [...store.conversations.values()]
      : [store.conversations.get(displayId)].filter((c): c is SimConversation => c !== undefined);
  if (conversations.length === 0)
    return displayId === undefined ? '(no conversations)\n' : `(no conversation #${displayId})\n`;
  return `${conversations.map((c) => renderConversation(store, c)).join('\n\n')}\n`;
}
