/**
 * The ChatWoot simulator's control routes under `/_sim/` (no auth, no capacity, not journaled): reset, state,
 * agent replies, seeds, options, transcript, stats and the webhooks sent. Errors answer 400 unless they carry
 * their own HTTP answer.
 */
import { SimHandler } from '../common/sim-server';
import type { ChatwootSimulator } from './chatwoot-simulator';
import { ChatwootStore } from './chatwoot-store';
import { JsonObject, SimHttpError, notFound } from './chatwoot-types';
import { ChatwootViews } from './chatwoot-views';
import { asObject, castBoolean, stringOrNull, text } from './request-params';
import { positiveInt } from './routes/route-kit';
import { SeedContactInput } from './simulator-types';
import { WebhookDispatcher } from './webhook-dispatcher';

/** The simulator's public API the control routes drive. */
export type ControlledSimulator = Pick<
  ChatwootSimulator,
  | 'route'
  | 'reset'
  | 'contacts'
  | 'conversations'
  | 'messages'
  | 'agentMessage'
  | 'seedContact'
  | 'configure'
  | 'currentOptions'
  | 'transcript'
  | 'statsSnapshot'
  | 'resetStats'
  | 'load'
>;

export interface ControlDeps {
  sim: ControlledSimulator;
  store: ChatwootStore;
  views: ChatwootViews;
  dispatcher: WebhookDispatcher;
}

/** The options in effect, without the token. */
function publicOptions(sim: ControlledSimulator): JsonObject {
  const options: JsonObject = { ...sim.currentOptions() };
  delete options.token;
  return options;
}

export function registerControlRoutes({ sim, store, views, dispatcher }: ControlDeps): void {
  const control = (method: string, path: string, handler: SimHandler): void => {
    sim.route(method, path, async (req) => {
      try {
        return await handler(req);
      } catch (error) {
        if (error instanceof SimHttpError) return { status: error.status, body: error.body };
        return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
      }
    });
  };
  control('POST', '/_sim/reset', () => {
    sim.reset();
    return { status: 200, body: { ok: true } };
  });
  control('GET', '/_sim/state', () => ({
    status: 200,
    body: {
      account: views.account(),
      inbox: views.inbox(),
      contacts: sim.contacts(),
      conversations: sim.conversations().map((c) => ({ ...c, messages: sim.messages(c.id) })),
      custom_attribute_definitions: [...store.customAttributeDefinitions.values()].map((d) =>
        views.customAttributeDefinition(d),
      ),
      webhooks: { pending: dispatcher.pending, delivered: dispatcher.deliveries.length },
      load: sim.load,
    },
  }));
  control('POST', '/_sim/agent-message', async (req) => {
    const body = asObject(req.json);
    const displayId = Number(body.conversation_id);
    if (!store.conversations.has(displayId)) throw notFound();
    const attachments = Array.isArray(body.attachments)
      ? (body.attachments as JsonObject[]).map((a) => ({
          file_name: text(a.file_name, 'file'),
          content_type: stringOrNull(a.content_type) ?? undefined,
          data: Buffer.from(text(a.data_base64), 'base64'),
        }))
      : undefined;
    const message = await sim.agentMessage(displayId, text(body.content), {
      private: castBoolean(body.private),
      attachments,
    });
    return { status: 200, body: message };
  });
  control('POST', '/_sim/seed-contact', (req) => {
    const result = sim.seedContact(asObject(req.json) as unknown as SeedContactInput);
    return { status: 200, body: result };
  });
  control('POST', '/_sim/configure', (req) => {
    sim.configure(asObject(req.json));
    return { status: 200, body: { ok: true, options: publicOptions(sim) } };
  });
  control('GET', '/_sim/configure', () => ({ status: 200, body: publicOptions(sim) }));
  control('GET', '/_sim/transcript', (req) => {
    const id = req.query.get('conversation_id');
    return { status: 200, text: sim.transcript(id ? Number(id) : undefined) };
  });
  control('GET', '/_sim/stats', (req) => ({
    status: 200,
    body: sim.statsSnapshot(Number(req.query.get('since_event') ?? 0) || 0),
  }));
  control('POST', '/_sim/stats/reset', () => {
    sim.resetStats();
    return { status: 200, body: { ok: true } };
  });
  control('GET', '/_sim/webhooks', (req) => {
    const limit = positiveInt(req.query.get('limit'), 100);
    return { status: 200, body: dispatcher.deliveries.slice(-limit) };
  });
}
