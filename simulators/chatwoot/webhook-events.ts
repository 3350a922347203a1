/**
 * The ChatWoot simulator's outgoing webhooks: events queued on the dispatcher for the inbox `webhook_url`, and what
 * a failed delivery does to the message it carried.
 */
import { ChatwootStore } from './chatwoot-store';
import { JsonObject, SimConversation } from './chatwoot-types';
import { ChatwootViews } from './chatwoot-views';
import { ResolvedOptions } from './simulator-types';
import { WebhookDispatcher } from './webhook-dispatcher';
import { versionAtLeast } from '../common/versions';

export class ChatwootWebhooks {
  readonly dispatcher: WebhookDispatcher;

  constructor(
    private readonly store: ChatwootStore,
    private readonly views: ChatwootViews,
    private readonly options: ResolvedOptions,
  ) {
    this.dispatcher = new WebhookDispatcher((event, body, error) => this.onWebhookFailure(event, body, error));
  }

  /**
   * API-channel inbox webhooks are signed from 4.13.0 (chatwoot/chatwoot#13892; account webhooks from 4.11.2,
   * #13573): an older ChatWoot sends no signature whatever secret is set, and the bridge's `?token=` stands in.
   */
  emit(event: string, body: JsonObject): void {
    const signs = versionAtLeast(this.options.version, '4.13.0');
    this.dispatcher.enqueue(event, body, this.options.webhookUrl, signs ? this.options.webhookSecret : undefined);
  }

  emitConversation(event: string, conversation: SimConversation, changes?: JsonObject[]): void {
    const body: JsonObject = { ...this.views.conversationWebhookData(conversation), event };
    if (changes) body.changed_attributes = changes;
    this.emit(event, body);
  }

  /** A failed API-inbox webhook marks the message failed (external_error) and emits message_updated; no retry. */
  private onWebhookFailure(event: string, body: JsonObject, error: string): void {
    if (event !== 'message_created' && event !== 'message_updated') return;
    const message = this.store.messagesById.get(Number(body.id));
    if (!message || message.status === 'failed') return;
    message.status = 'failed';
    message.contentAttributes = { ...message.contentAttributes, external_error: error };
    message.updatedAt = Date.now();
    const conversation = this.store.conversations.get(message.conversationDisplayId);
    if (conversation) this.emit('message_updated', this.views.messageWebhook('message_updated', message, conversation));
  }
}
