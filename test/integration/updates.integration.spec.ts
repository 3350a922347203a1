/**
 * Reactions, edits, deletions, poll votes and calls, both ways, over both webhooks, on every WAHA engine profile and
 * the older versions that report them differently (the simulator's waha-updates.ts models each): what the agent
 * sees in ChatWoot and what the customer gets on WhatsApp.
 */
import { Harness, eventually } from '../support/harness';
import { dmChats } from '../support/pull-helpers';
import { sleep } from '../support/wait';

type Engine = 'NOWEB' | 'GOWS' | 'WEBJS' | 'WPP';

interface Profile {
  name: string;
  engine: Engine;
  version: string;
  /** The engine and version report edits (message.edited, or NOWEB's protocol message before 2025.6.3). */
  edits: boolean;
  /** They report deletions from the phone. */
  revokes: boolean;
  /** They send call.accepted (WEBJS never does; GOWS has no calls before 2025.12.1). */
  callAccepted: boolean;
  calls: boolean;
}

const PROFILES: Profile[] = [
  { name: 'NOWEB 2026.7.1', engine: 'NOWEB', version: '2026.7.1', edits: true, revokes: true, callAccepted: true, calls: true },
  { name: 'GOWS 2026.7.1', engine: 'GOWS', version: '2026.7.1', edits: true, revokes: true, callAccepted: true, calls: true },
  { name: 'WEBJS 2026.7.1', engine: 'WEBJS', version: '2026.7.1', edits: true, revokes: true, callAccepted: false, calls: true },
  { name: 'WPP 2026.3.1', engine: 'WPP', version: '2026.3.1', edits: true, revokes: true, callAccepted: false, calls: true },
  { name: 'NOWEB 2025.1.1 (edits and deletions as message.any protocol messages)', engine: 'NOWEB', version: '2025.1.1', edits: true, revokes: true, callAccepted: true, calls: true },
  { name: 'GOWS 2025.5.1 (no edit, revoke or call events yet)', engine: 'GOWS', version: '2025.5.1', edits: false, revokes: false, callAccepted: false, calls: false },
];

interface Shown {
  id: number;
  content: string | null;
  private: boolean;
  message_type: number;
  source_id?: string | null;
  content_attributes?: Record<string, unknown>;
}

function conversationOf(h: Harness, sourceId: string): { conversationId: number; message: Shown } | undefined {
  for (const c of h.cw.conversations()) {
    const message = h.cw.messages(c.id).find((m) => m.source_id === sourceId);
    if (message) return { conversationId: c.id, message: message };
  }
  return undefined;
}

async function landed(h: Harness, sourceId: string): Promise<{ conversationId: number; message: Shown }> {
  return eventually(() => conversationOf(h, sourceId), { what: `message ${sourceId} in ChatWoot` });
}

/** Messages in the conversation answering `messageId` (in_reply_to). */
function answers(h: Harness, conversationId: number, messageId: number): Shown[] {
  return (h.cw.messages(conversationId) as Shown[]).filter((m) => m.content_attributes?.in_reply_to === messageId);
}

describe.each(PROFILES)('WhatsApp updates on WAHA $name', (profile) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { engine: profile.engine, version: profile.version, history: { dmChats: 4, groups: 1, channels: 0, broadcastLists: 0, messagesPerChat: 3 } } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('shows a reaction and its removal as answers to the message, once each though WAHA delivers twice', async () => {
    const chatId = dmChats(h)[0];
    const incoming = await h.waha.receive(chatId, { body: `react to me on ${profile.engine}` });
    const { conversationId, message } = await landed(h, String(incoming.id));
    h.waha.configure({ webhookDuplicates: true });
    try {
      await h.waha.react(String(incoming.id), '❤️');
      await eventually(() => answers(h, conversationId, message.id).find((m) => m.content?.includes('❤️')), { what: 'the reaction' });
      await h.waha.react(String(incoming.id), '');
      await eventually(() => answers(h, conversationId, message.id).find((m) => m.content?.includes('Removed a reaction')), { what: 'the removal' });
      await h.waha.flushWebhooks();
      await sleep(500);
    } finally {
      h.waha.configure({ webhookDuplicates: false });
    }
    const shown = answers(h, conversationId, message.id);
    expect(shown.map((m) => m.content?.split('\n')[0])).toEqual(['❤️ **Reacted** to this message', '**Removed a reaction** from this message']);
    // The customer's reaction is theirs: an incoming message, like their words.
    expect(shown.every((m) => m.message_type === 0 && !m.private)).toBe(true);
  });

  it('shows an edit as an answer with the new text, marked edited', async () => {
    const chatId = dmChats(h)[1];
    const incoming = await h.waha.receive(chatId, { body: 'the price is 10' });
    const { conversationId, message } = await landed(h, String(incoming.id));
    await h.waha.edit(String(incoming.id), 'the price is 12');
    if (!profile.edits) {
      await h.waha.flushWebhooks();
      await sleep(1000);
      expect(answers(h, conversationId, message.id)).toEqual([]);
      return;
    }
    const edit = await eventually(() => answers(h, conversationId, message.id).find((m) => m.content?.includes('the price is 12')), { what: 'the edit' });
    expect(edit.content).toContain('Edited in WhatsApp');
    expect(edit.message_type).toBe(0);
  });

  it('deletes the ChatWoot copy of a message deleted in WhatsApp, and never revokes anything in return', async () => {
    const chatId = dmChats(h)[2];
    const incoming = await h.waha.receive(chatId, { body: 'oops, wrong chat' });
    const { conversationId, message } = await landed(h, String(incoming.id));
    await h.waha.revoke(String(incoming.id));
    if (!profile.revokes) {
      await h.waha.flushWebhooks();
      await sleep(1000);
      expect(h.cw.messages(conversationId).find((m) => m.id === message.id)?.content).toBe('oops, wrong chat');
      return;
    }
    await eventually(() => h.cw.messages(conversationId).find((m) => m.id === message.id && (m as Shown).content_attributes?.deleted === true), { what: 'the copy deleted' });
    expect(h.cw.messages(conversationId).find((m) => m.id === message.id)?.content).toBe('This message was deleted');
    // An agent's reply deleted from the phone: deleted here too, and not taken for an agent deleting it.
    await h.cw.agentMessage(conversationId, 'sent by an agent, deleted from the phone');
    const sent = await eventually(() => h.waha.sent().find((s) => s.text === 'sent by an agent, deleted from the phone'), { what: 'the reply on WhatsApp' });
    const reply = h.cw.messages(conversationId).find((m) => m.content === 'sent by an agent, deleted from the phone')!;
    await h.waha.revoke(sent.id);
    await eventually(() => h.cw.messages(conversationId).find((m) => m.id === reply.id && (m as Shown).content_attributes?.deleted === true), { what: 'the reply deleted in ChatWoot' });
    await sleep(1500);
    expect(h.waha.revoked()).toEqual([]);
  });

  it('answers a message deleted in WhatsApp with a note when ChatWoot refuses to delete its copy', async () => {
    if (!profile.revokes) return;
    const chatId = dmChats(h)[0];
    const incoming = await h.waha.receive(chatId, { body: 'delete me too' });
    const { conversationId, message } = await landed(h, String(incoming.id));
    // An agent-bot token may not delete (AccessTokenAuthHelper BOT_ACCESSIBLE_ENDPOINTS): 401.
    h.cw.addFault({ method: 'DELETE', path: new RegExp(`/messages/${message.id}$`), status: 401, body: { error: 'Access to this endpoint is not authorized for bots' } });
    await h.waha.revoke(String(incoming.id));
    const note = await eventually(() => answers(h, conversationId, message.id).find((m) => m.private && /Deleted in WhatsApp/.test(m.content ?? '')), { what: 'the note' });
    expect(note.message_type).toBe(1);
    expect(h.cw.messages(conversationId).find((m) => m.id === message.id)?.content).toBe('delete me too');
  });

  it("revokes an agent's message on WhatsApp when the agent deletes it, once, and WhatsApp's echo changes nothing", async () => {
    const chatId = dmChats(h)[3];
    const incoming = await h.waha.receive(chatId, { body: 'hello' });
    const { conversationId } = await landed(h, String(incoming.id));
    await h.cw.agentMessage(conversationId, 'a reply the agent regrets');
    const sent = await eventually(() => h.waha.sent().find((s) => s.text === 'a reply the agent regrets'), { what: 'the reply on WhatsApp' });
    const reply = await eventually(() => h.cw.messages(conversationId).find((m) => m.content === 'a reply the agent regrets'), { what: 'the reply in ChatWoot' });
    // The send is recorded once WAHA answered: give the lane a moment to finish the reply before deleting it.
    await sleep(500);
    h.cw.deleteMessage(conversationId, reply.id);
    await eventually(() => (h.waha.revoked().length > 0 ? h.waha.revoked() : undefined), { what: 'the revoke on WhatsApp' });
    expect(h.waha.revoked()).toEqual([sent.id]);
    await h.waha.flushWebhooks();
    await sleep(1500);
    expect(h.waha.revoked()).toEqual([sent.id]);
    expect(h.waha.message(String(sent.id))?.body ?? '').toBe('');
    // No note: nothing went wrong.
    expect(h.cw.messages(conversationId).filter((m) => m.private && /not on WhatsApp/.test(m.content ?? ''))).toEqual([]);
  });

  it('sends each attachment kind through its own WAHA send, the text first of a voice note, each once', async () => {
    const chatId = dmChats(h)[2];
    const incoming = await h.waha.receive(chatId, { body: 'send me the files' });
    const { conversationId } = await landed(h, String(incoming.id));
    const before = h.waha.sent().length;
    await h.cw.agentMessage(conversationId, 'here they are', {
      attachments: [
        { file_name: 'photo.jpg', content_type: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff]) },
        { file_name: 'clip.mp4', content_type: 'video/mp4', data: Buffer.from('mp4') },
        { file_name: 'note.ogg', content_type: 'audio/ogg', data: Buffer.from('OggS') },
        { file_name: 'terms.pdf', content_type: 'application/pdf', data: Buffer.from('%PDF-1.4') },
      ],
    });
    await h.cw.agentMessage(conversationId, 'listen to this', { attachments: [{ file_name: 'memo.ogg', content_type: 'audio/ogg', data: Buffer.from('OggS') }] });
    const sent = await eventually(() => (h.waha.sent().length >= before + 7 ? h.waha.sent().slice(before) : undefined), { what: 'seven sends' });
    expect(sent.map((s) => [s.method, s.text ?? s.caption ?? s.file?.filename])).toEqual([
      ['sendText', 'here they are'],
      ['sendImage', 'photo.jpg'],
      ['sendVideo', 'clip.mp4'],
      ['sendVoice', 'note.ogg'],
      ['sendFile', 'terms.pdf'],
      ['sendText', 'listen to this'],
      ['sendVoice', 'memo.ogg'],
    ]);
    await h.waha.flushWebhooks();
    await sleep(1000);
    expect(h.waha.sent().length).toBe(before + 7);
  });

  it("sends only what did not go out when the agent presses Retry on a failed multi-file reply", async () => {
    const chatId = dmChats(h)[3];
    const incoming = await h.waha.receive(chatId, { body: 'the documents, please' });
    const { conversationId } = await landed(h, String(incoming.id));
    const before = h.waha.sent().length;
    // WAHA refuses the voice note once, for good (a 400): the text and the image have gone out by then.
    h.waha.addFault({ method: 'POST', path: /\/api\/sendVoice$/, status: 400, body: { statusCode: 400, message: 'Invalid audio' } });
    const reply = await h.cw.agentMessage(conversationId, 'all four', {
      attachments: [
        { file_name: 'scan.png', content_type: 'image/png', data: Buffer.from([0x89, 0x50]) },
        { file_name: 'memo.ogg', content_type: 'audio/ogg', data: Buffer.from('OggS') },
        { file_name: 'tour.mp4', content_type: 'video/mp4', data: Buffer.from('mp4') },
      ],
    });
    await eventually(() => h.cw.messages(conversationId).find((m) => m.id === reply.id && m.status === 'failed'), { what: 'the reply marked failed' });
    expect(h.waha.sent().slice(before).map((s) => s.method)).toEqual(['sendText', 'sendImage']);
    const response = await fetch(`${h.cw.url}/api/v1/accounts/${h.cw.accountId}/conversations/${conversationId}/messages/${reply.id}/retry`, { method: 'POST', headers: { api_access_token: h.cw.token } });
    expect(response.status).toBe(200);
    await eventually(() => (h.waha.sent().length >= before + 4 ? true : undefined), { what: 'the rest sent' });
    await sleep(1500);
    expect(h.waha.sent().slice(before).map((s) => [s.method, s.text ?? s.file?.filename])).toEqual([
      ['sendText', 'all four'],
      ['sendImage', 'scan.png'],
      ['sendVoice', 'memo.ogg'],
      ['sendVideo', 'tour.mp4'],
    ]);
  });

  it('shows a poll vote as an answer to the poll', async () => {
    const chatId = dmChats(h)[0];
    const poll = await h.waha.receive(chatId, { type: 'poll', body: 'Lunch at noon?' });
    const { conversationId, message } = await landed(h, String(poll.id));
    await h.waha.vote(String(poll.id), ['Yes']);
    const vote = await eventually(() => answers(h, conversationId, message.id).find((m) => m.content?.includes('Voted')), { what: 'the vote' });
    expect(vote.content).toContain('**Voted**: Yes');
    expect(vote.message_type).toBe(0);
    // A vote WhatsApp could not decrypt (poll.vote.failed): a private note, never silence.
    await h.waha.vote(String(poll.id), [], { failed: true });
    const failed = await eventually(() => answers(h, conversationId, message.id).find((m) => m.content?.includes('could not be read')), { what: 'the unreadable vote' });
    expect(failed.private).toBe(true);
  });

  it('leaves a private note for each call: received, answered, ended', async () => {
    const chatId = dmChats(h)[1];
    const incoming = await h.waha.receive(chatId, { body: 'calling you' });
    const { conversationId } = await landed(h, String(incoming.id));
    const callId = `CALL${profile.engine}${profile.version.replace(/\./g, '')}`;
    const received = await h.waha.call(chatId, 'received', { video: true, callId });
    await h.waha.call(chatId, 'accepted', { callId });
    await h.waha.call(chatId, 'rejected', { callId });
    if (!profile.calls) {
      expect(received).toBeNull();
      return;
    }
    const expected = ['Incoming video call', ...(profile.callAccepted ? ['Call answered'] : []), 'Call declined or ended'];
    const notes = await eventually(() => {
      const found = h.cw.messages(conversationId).filter((m) => m.private && /📞/.test(m.content ?? ''));
      return found.length >= expected.length ? found : undefined;
    }, { what: 'the call notes' });
    expect(notes.map((n) => expected.find((e) => n.content?.includes(e)))).toEqual(expected);
  });
});

describe("a WAHA webhook that leaves out the update events", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { webhookEvents: ['message.any', 'message.ack', 'session.status'], history: { dmChats: 1, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 1 } } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('is named in the Servers found report, with what to add', async () => {
    const report = await eventually(() => h.cw.messages(h.integrationConversationId).find((m) => /Servers found/.test(m.content ?? '')), { what: 'the start-up report' });
    expect(report.content).toContain("WAHA's webhook to this bridge does not send `message.reaction`, `message.edited`, `message.revoked`, `poll.vote`");
    expect(report.content).toContain("Add them to the session's webhook events in WAHA");
  });
});
