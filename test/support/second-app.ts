/**
 * A second app for tests of several apps in one deployment: its own WAHA and ChatWoot simulators, wired to the
 * harness's service, and its APPS_FILE entry (what POST /api/apps takes).
 */
import { ChatwootSimOptions, ChatwootSimulator, startChatwootSimulator } from '../../simulators/chatwoot/chatwoot-simulator';
import { startWahaSimulator, WahaSimOptions, WahaSimulator } from '../../simulators/waha/waha-simulator';
import { WANTED_EVENTS } from '../../src/clients/waha/waha-capabilities';
import { Harness, eventually } from './harness';

export class SecondApp {
  private constructor(
    readonly h: Harness,
    readonly id: string,
    readonly cw: ChatwootSimulator,
    readonly waha: WahaSimulator,
    private readonly secrets: { chatwoot: string; waha: string },
  ) {}

  static async start(h: Harness, id: string, opts: { chatwoot?: ChatwootSimOptions; waha?: WahaSimOptions } = {}): Promise<SecondApp> {
    const secrets = { chatwoot: `cw-secret-of-${id}`, waha: `waha-hmac-of-${id}` };
    const cw = await startChatwootSimulator({ latencyMs: 0, messagesPerMinute: 0, ...opts.chatwoot, webhookSecret: secrets.chatwoot });
    const waha = await startWahaSimulator({ webhookEvents: [...WANTED_EVENTS], ...opts.waha, webhookHmacKey: secrets.waha });
    cw.configure({ webhookUrl: `${h.url}/webhooks/chatwoot/${waha.session}/${id}` });
    waha.configure({ webhookUrl: `${h.url}/webhooks/waha/${id}` });
    return new SecondApp(h, id, cw, waha, secrets);
  }

  /** Its APPS_FILE entry, every field given. */
  entry(): Record<string, unknown> {
    return {
      APP_ID: this.id,
      WAHA_URL: this.waha.url,
      WAHA_API_KEY: this.waha.apiKey,
      WAHA_SESSION: this.waha.session,
      WAHA_WEBHOOK_HMAC_KEY: this.secrets.waha,
      CHATWOOT_URL: this.cw.url,
      CHATWOOT_ACCOUNT_ID: this.cw.accountId,
      CHATWOOT_ACCOUNT_TOKEN: this.cw.token,
      CHATWOOT_INBOX_ID: this.cw.inboxId,
      CHATWOOT_INBOX_IDENTIFIER: 'inbox-ident-1',
      CHATWOOT_WEBHOOK_SECRET: this.secrets.chatwoot,
    };
  }

  /** `POST /api/apps` with its entry (or `entry`): the status and the JSON answer. */
  async add(entry = this.entry()): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.h.url}/api/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.h.secrets.adminToken}` },
      body: JSON.stringify(entry),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Its WhatsApp Integration conversation, once the service created it in its ChatWoot. */
  integration(): Promise<number> {
    return eventually(
      () => {
        const contact = this.cw.findContact((c) => c.identifier === 'whatsapp.integration');
        return contact && this.cw.conversations().find((c) => (c.meta.sender as { id?: number } | null)?.id === contact.id)?.id;
      },
      { what: `the integration conversation of ${this.id}`, timeoutMs: 15_000 },
    );
  }

  /** Messages imported into its ChatWoot (those with a WhatsApp source id). */
  imported(): number {
    return this.cw.conversations().reduce((n, c) => n + this.cw.messages(c.id).filter((m) => m.source_id).length, 0);
  }

  /** Types a command in its integration conversation and waits for a reply matching `pattern`. */
  async command(text: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const conversationId = await this.integration();
    const typed = await this.cw.agentMessage(conversationId, text);
    const reply = await eventually(() => this.cw.messages(conversationId).find((m) => m.id > typed.id && pattern.test(m.content ?? '')), { what: `${this.id}: a reply ${pattern}`, timeoutMs });
    return reply.content ?? '';
  }

  async close(): Promise<void> {
    await this.cw.close();
    await this.waha.close();
  }
}
