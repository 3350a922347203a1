/**
 * The WAHA simulator's webhook events: the envelope (session, metadata, me, engine, environment) around each
 * payload, and the message.any / message pair a new message fires.
 */
import { messageJson } from './waha-format';
import { MsgCore } from './waha-history';
import { HistoryQueries } from './waha-history-queries';
import { isBrowserEngine } from './waha-profile';
import { WahaState } from './waha-state';
import { WebhookEmitter } from './waha-webhooks';

export class WahaEvents {
  constructor(
    private readonly state: WahaState,
    readonly emitter: WebhookEmitter,
    private readonly queries: HistoryQueries,
  ) {}

  /**
   * What /api/server/version and /api/version answer and every webhook carries: WAHA's VERSION object
   * (src/version.ts): `engine` is the container's default engine (WHATSAPP_DEFAULT_ENGINE), `browser` the Chrome
   * path for a browser engine and null otherwise (WPP's path is an approximation), `platform` from 2025.12.3 and
   * `worker` from 2026.1.4 (waha-profile.ts).
   */
  environment(): Record<string, unknown> {
    const { engine, version, tier } = this.state.opts;
    const profile = this.state.profile;
    const environment: Record<string, unknown> = {
      version,
      engine,
      tier,
      browser: isBrowserEngine(engine) ? '/usr/bin/chromium' : null,
    };
    if (profile.since('platformInVersion')) environment.platform = 'linux/x64';
    if (profile.since('workerInVersion')) environment.worker = { id: null };
    return environment;
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
