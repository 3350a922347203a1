/**
 * The WAHA simulator's control routes under `/_sim/` (no auth): reset, chats, sent, seen, webhooks, stats,
 * history, receive, read, session-status, pair, configure, and the updates: react, edit, revoke, vote and call. They drive the simulator's public API.
 */
import { isRecord, parseNumber, str } from './waha-http-util';
import { WahaSessionStatus } from './waha-sim-types';
import type { WahaSimulator } from './waha-simulator';
import { WahaState } from './waha-state';

/** The simulator's public API the control routes drive. */
export type ControlledSimulator = Pick<
  WahaSimulator,
  | 'route'
  | 'reset'
  | 'chats'
  | 'sent'
  | 'seen'
  | 'webhooks'
  | 'totalMessages'
  | 'totalRecords'
  | 'messagesInWindow'
  | 'receive'
  | 'read'
  | 'setSessionStatus'
  | 'configure'
  | 'react'
  | 'edit'
  | 'revoke'
  | 'vote'
  | 'call'
  | 'pair'
>;

export function registerControlRoutes(sim: ControlledSimulator, state: WahaState): void {
  sim.route('POST', '/_sim/reset', () => {
    sim.reset();
    return { status: 200, body: { ok: true } };
  });
  sim.route('GET', '/_sim/chats', () => ({ status: 200, body: sim.chats() }));
  sim.route('GET', '/_sim/sent', () => ({ status: 200, body: sim.sent() }));
  sim.route('GET', '/_sim/seen', () => ({ status: 200, body: sim.seen() }));
  sim.route('GET', '/_sim/webhooks', () => ({
    status: 200,
    body: sim.webhooks().map((d) => ({
      event: d.envelope.event,
      id: d.envelope.id,
      delivered: d.delivered,
      attempts: d.attempts,
      status: d.status,
      error: d.error,
      payload: d.envelope.payload,
    })),
  }));
  sim.route('GET', '/_sim/stats', () => ({
    status: 200,
    body: {
      totalMessages: sim.totalMessages(),
      totalRecords: sim.totalRecords(),
      chats: state.data.chats.length,
      status: state.status,
      spec: state.data.spec,
    },
  }));
  sim.route('GET', '/_sim/history', (req) => {
    const chatId = req.query.get('chatId');
    if (!chatId) return { status: 400, body: { error: 'chatId query parameter is required' } };
    const gte = parseNumber(req.query.get('gte'));
    const lte = parseNumber(req.query.get('lte'));
    return {
      status: 200,
      body: sim.messagesInWindow(chatId, gte === 'invalid' ? undefined : gte, lte === 'invalid' ? undefined : lte),
    };
  });
  sim.route('POST', '/_sim/receive', async (req) => {
    const body = isRecord(req.json) ? req.json : undefined;
    const chatId = body ? str(body.chatId) : undefined;
    if (!body || !chatId) return { status: 400, body: { error: 'body must be JSON with a chatId' } };
    const message = await sim.receive(chatId, body);
    return { status: 200, body: message };
  });
  sim.route('POST', '/_sim/read', async (req) => {
    const body = isRecord(req.json) ? req.json : undefined;
    const chatId = body ? str(body.chatId) : undefined;
    if (!body || !chatId)
      return { status: 400, body: { error: 'body must be JSON with a chatId (and optionally messageId, ack)' } };
    const ack = typeof body.ack === 'number' ? body.ack : 3;
    return { status: 200, body: { acked: await sim.read(chatId, str(body.messageId), ack) } };
  });
  // Updates of an existing message (by serialized or bare id); 404 when the simulator has no such message.
  const update = (path: string, fields: string[], run: (body: Record<string, unknown>) => Promise<unknown>): void => {
    sim.route('POST', `/_sim/${path}`, async (req) => {
      const body = isRecord(req.json) ? req.json : undefined;
      if (!body || fields.some((f) => body[f] === undefined)) return { status: 400, body: { error: `body must be JSON with ${fields.join(', ')}` } };
      try {
        return { status: 200, body: (await run(body)) ?? null };
      } catch (error) {
        return { status: 404, body: { error: error instanceof Error ? error.message : String(error) } };
      }
    });
  };
  update('react', ['messageId', 'emoji'], (b) => sim.react(String(b.messageId), String(b.emoji), { participant: str(b.participant), fromMe: b.fromMe === true }));
  update('edit', ['messageId', 'body'], (b) => sim.edit(String(b.messageId), String(b.body)));
  update('revoke', ['messageId'], (b) => sim.revoke(String(b.messageId)));
  update('vote', ['pollId', 'options'], (b) =>
    sim.vote(String(b.pollId), Array.isArray(b.options) ? b.options.map(String) : [], { participant: str(b.participant), fromMe: b.fromMe === true, failed: b.failed === true }),
  );
  update('call', ['from', 'status'], (b) => {
    const status = String(b.status);
    if (status !== 'received' && status !== 'accepted' && status !== 'rejected') throw new Error('status must be received, accepted or rejected');
    return sim.call(String(b.from), status, { video: b.video === true, callId: str(b.callId), groupId: str(b.groupId) });
  });
  sim.route('POST', '/_sim/pair', async () => {
    await sim.pair();
    return { status: 200, body: { ok: true } };
  });
  sim.route('POST', '/_sim/session-status', async (req) => {
    const status = isRecord(req.json) ? str(req.json.status) : undefined;
    const allowed: WahaSessionStatus[] = ['WORKING', 'STOPPED', 'STARTING', 'SCAN_QR_CODE', 'FAILED'];
    if (!status || !allowed.includes(status as WahaSessionStatus)) {
      return { status: 400, body: { error: `status must be one of ${allowed.join(', ')}` } };
    }
    await sim.setSessionStatus(status as WahaSessionStatus);
    return { status: 200, body: { ok: true, status } };
  });
  sim.route('POST', '/_sim/configure', (req) => {
    if (!isRecord(req.json)) return { status: 400, body: { error: 'body must be a JSON object' } };
    sim.configure(req.json);
    return { status: 200, body: { ok: true } };
  });
}
