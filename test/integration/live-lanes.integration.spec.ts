/**
 * Live lanes keep one owner while a handler outlives the lease. The lease is 2 s (LANE_LEASE), the sweeper looks
 * every 300 ms, three processes share the queues, and every handler takes 7 s, more than three leases: WAHA holds
 * each agent reply 7 s before answering, ChatWoot each WhatsApp message. Without renewal the sweeper would start a
 * second owner on the lane mid-event; with it, each event is handled once, in order.
 */
import { Harness, eventually } from '../support/harness';
import { dmChats, imported } from '../support/pull-helpers';

const HANDLER_MS = 7000;

describe('lane ownership', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('handlers that outlive the lease three times over, two more workers and the sweeper: each event once, in order', async () => {
    h = await Harness.start({ env: { LANE_LEASE: '2s', LANE_SWEEP_INTERVAL: '300ms', HTTP_TIMEOUT: '20s' } });
    await h.spawn({ ROLE: 'worker' });
    await h.spawn({ ROLE: 'worker' });
    const [outChat, inChat] = dmChats(h);
    const { conversation } = h.cw.seedContact({ name: 'Lee', identifier: outChat, custom_attributes: { waha_whatsapp_chat_id: outChat }, withConversation: true, source_id: outChat });
    h.waha.addFault({ method: 'POST', path: /\/api\/sendText$/, delayMs: HANDLER_MS, times: 5 });
    h.cw.addFault({ method: 'POST', path: /\/conversations\/\d+\/messages$/, delayMs: HANDLER_MS, times: 5 });

    const replies = ['reply #1', 'reply #2', 'reply #3', 'reply #4', 'reply #5'];
    for (const reply of replies) await h.cw.agentMessage(conversation!.id, reply);
    const incoming: string[] = [];
    for (let i = 1; i <= 5; i++) incoming.push(String((await h.waha.receive(inChat, { body: `incoming #${i}` })).id));

    const sentTexts = (): string[] => h!.waha.sent().filter((s) => s.chatId === outChat).map((s) => s.text ?? '');
    await eventually(() => sentTexts().length >= 5 || undefined, { what: 'five replies sent', timeoutMs: 90_000 });
    await eventually(() => ((imported(h!).get(inChat) ?? []).length >= 5 ? true : undefined), { what: 'five messages imported', timeoutMs: 90_000 });
    // Long enough for a second owner, had there been one, to repeat an event.
    await new Promise((resolve) => setTimeout(resolve, 2 * HANDLER_MS));

    expect(sentTexts()).toEqual(replies);
    expect(imported(h).get(inChat)).toEqual(incoming);
    const output = h.services.flatMap((s) => s.output).join('');
    expect(output).not.toContain('lane taken over');
  }, 180_000);
});
