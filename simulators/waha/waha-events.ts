/**
 * The WAHA simulator's webhook events: the envelope (session, metadata, me, engine, environment) around each
 * payload, and the message.any / message pair a new message fires.
 */
import { messageJson } from './waha-format';
import { MsgCore } from './waha-history';
import { HistoryQueries } from './waha-history-queries';
import { WahaState } from './waha-state';
import { WAHA_VERSION, WebhookEmitter } from './waha-webhooks';

export class WahaEvents {
  constructor(
    private readonly state: WahaState,
    readonly emitter: WebhookEmitter,
    private readonly queries: HistoryQueries,
  ) {}

  /** What /api/version answers and every webhook carries. */
  environment(): Record<string, unknown> {
    return {
      version: WAHA_VERSION,
      engine: this.state.opts.engine,
      tier: 'CORE',
      browser: this.state.opts.engine === 'WEBJS' ? '/usr/bin/chromium' : null,
      platform: 'linux/x64',
      worker: { id: null },
    };
  }

  /** The account's identity while the session is WORKING, null otherwise. */
  meOrNull(): Record<string, string> | null {
    return this.state.status === 'WORKING' ? this.state.me : null;
  }

  emit(event: string, payload: unknown): Promise<void> {
    return this.emitter.emit({
      event,
      session: this.state.opts.session,
      metadata: this.state.opts.metadata,
      me: this.meOrNull(),
      payload,
      engine: this.state.opts.engine,
      environment: this.environment(),
    });
  }

  async emitMessageEvents(msg: MsgCore): Promise<void> {
    const payload = messageJson(msg, this.queries.formatContext(this.state.opts.webhookDownloadMedia));
    const runs = [this.emit('message.any', payload)];
    if (!msg.fromMe) runs.push(this.emit('message', payload));
    await Promise.all(runs);
  }
}
