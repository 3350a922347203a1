/**
 * The WhatsApp Integration conversation: at start-up the inbox gets the integration contact (identifier and
 * `waha_whatsapp_chat_id` = `whatsapp.integration`) and a conversation with it, where agents type commands and the
 * bridge posts notices. Also creates the contact custom attributes the bridge filters on. Retries in the
 * background while ChatWoot is unreachable, so the service starts anyway.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { isUpstreamError } from '../clients/http/http-error';
import { ATTRIBUTE_NAMES, CHAT_ID_ATTRIBUTES, INTEGRATION_CHAT_ID } from '../clients/chatwoot/chatwoot-attributes';
import { backoffDelay } from '../common/backoff';
import { sleep } from '../common/sleep';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';

/** While ChatWoot cannot be reached at start-up: retry after 1 s, 2 s, … up to a minute. */
const SETUP_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

export interface IntegrationState {
  ready: boolean;
  conversationId?: number;
  error?: string;
}

@Injectable()
export class IntegrationChatService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly state = new Map<string, IntegrationState>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly apps: AppsService,
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const setUp = (app: AppContext): void => {
      this.state.set(app.config.id, { ready: false });
      void this.attempt(app, 0);
    };
    for (const app of this.apps.all()) setUp(app);
    // Apps added or changed through /api/apps get their conversation without a restart.
    this.apps.onChange(({ added, removed }) => {
      for (const id of removed) this.state.delete(id);
      for (const app of added) setUp(app);
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private async attempt(app: AppContext, n: number): Promise<void> {
    // Stopped, or the app was changed or removed meanwhile (its new context has attempts of its own).
    if (this.stopped || this.apps.get(app.config.id) !== app) return;
    try {
      const conversationId = await this.ensure(app);
      this.state.set(app.config.id, { ready: true, conversationId });
      this.logger.info({ appId: app.config.id, conversationId }, 'WhatsApp Integration conversation ready');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.state.set(app.config.id, { ready: false, error: message });
      const delay = backoffDelay(n, SETUP_BACKOFF);
      this.logger.warn({ appId: app.config.id, err: error, retryInMs: delay }, 'cannot set up the WhatsApp Integration conversation yet');
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(app, n + 1);
      }, delay);
      this.timers.add(timer);
    }
  }

  /** Idempotent; a Redis lock keeps several processes starting together from creating two contacts. */
  async ensure(app: AppContext): Promise<number> {
    const { inboxId, inboxIdentifier } = app.config.chatwoot;
    const inbox = await app.chatwoot.getInbox(inboxId);
    if (inbox.inbox_identifier && inbox.inbox_identifier !== inboxIdentifier) {
      this.logger.error({ appId: app.config.id, configured: inboxIdentifier, actual: inbox.inbox_identifier }, 'CHATWOOT_INBOX_IDENTIFIER does not match the inbox CHATWOOT_INBOX_ID names');
    }
    const lock = this.redis.appKey(app.config.id, 'lock', 'integration');
    for (let i = 0; !(await this.redis.client.set(lock, String(process.pid), 'PX', 30_000, 'NX')); i++) {
      if (i > 100) throw new Error('integration set-up lock held too long');
      await sleep(300);
    }
    try {
      await this.ensureAttributes(app);
      const contacts = await app.chatwoot.filterContacts(
        [{ attribute_key: 'identifier', filter_operator: 'equal_to', values: [INTEGRATION_CHAT_ID], query_operator: null }],
        'live',
      );
      let contact = contacts[0];
      let sourceId: string | undefined;
      if (!contact) {
        const created = await app.chatwoot.createContact(
          {
            name: this.texts.render('integration.contactName'),
            identifier: INTEGRATION_CHAT_ID,
            inbox_id: inboxId,
            custom_attributes: { waha_whatsapp_chat_id: INTEGRATION_CHAT_ID },
          },
          'live',
        );
        contact = created.contact;
        sourceId = created.sourceId ?? undefined;
      } else if (contact.custom_attributes?.waha_whatsapp_chat_id !== INTEGRATION_CHAT_ID) {
        await app.chatwoot.updateContact(contact.id, { custom_attributes: { ...contact.custom_attributes, waha_whatsapp_chat_id: INTEGRATION_CHAT_ID } }, 'live');
      }
      const existing = (await app.chatwoot.contactConversations(contact.id, 'live')).filter((c) => c.inbox_id === inboxId).sort((a, b) => b.id - a.id)[0];
      if (existing) {
        if (existing.status === 'resolved') await app.chatwoot.toggleStatus(existing.id, 'open', 'live');
        return this.remember(app, existing.id);
      }
      sourceId ??= contact.contact_inboxes?.find((ci) => ci.inbox?.id === inboxId)?.source_id;
      if (!sourceId) sourceId = (await app.chatwoot.createContactInbox(contact.id, inboxId, undefined, 'live')).source_id;
      const conversation = await app.chatwoot.createConversation({ source_id: sourceId, inbox_id: inboxId, contact_id: contact.id, status: 'open' }, 'live');
      return this.remember(app, conversation.id);
    } finally {
      await this.redis.client.del(lock);
    }
  }

  /** `<prefix>:{<appId>}:integration`: the integration conversation's id. */
  private conversationKey(appId: string): string {
    return this.redis.appKey(appId, 'integration');
  }

  private async remember(app: AppContext, conversationId: number): Promise<number> {
    await this.redis.client.set(this.conversationKey(app.config.id), String(conversationId));
    return conversationId;
  }

  private async ensureAttributes(app: AppContext): Promise<void> {
    const existing = new Set((await app.chatwoot.customAttributeDefinitions()).map((d) => d.attribute_key));
    for (const key of CHAT_ID_ATTRIBUTES) {
      if (existing.has(key)) continue;
      try {
        await app.chatwoot.createCustomAttributeDefinition(key, ATTRIBUTE_NAMES[key]);
      } catch (error) {
        // Created by another process in between: fine.
        if (!isUpstreamError(error, 'client')) throw error;
      }
    }
  }

  async conversationId(app: AppContext): Promise<number | undefined> {
    const known = this.state.get(app.config.id)?.conversationId;
    if (known) return known;
    const stored = await this.redis.client.get(this.conversationKey(app.config.id));
    return stored ? Number(stored) : undefined;
  }

  /** Posts a notice into the integration conversation (as the integration contact). */
  async notify(app: AppContext, content: string): Promise<void> {
    const conversationId = await this.conversationId(app);
    if (!conversationId) {
      this.logger.warn({ appId: app.config.id, content }, 'no WhatsApp Integration conversation for a notice');
      return;
    }
    await app.chatwoot.createMessage(conversationId, { content, message_type: 'incoming' }, 'live');
  }
}
