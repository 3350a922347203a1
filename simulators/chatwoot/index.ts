export * from './chatwoot-simulator';
export type { WebhookDelivery } from './webhook-dispatcher';
export { signWebhook, WEBHOOK_TIMEOUT_MS } from './webhook-dispatcher';
export type { JsonObject, ConversationStatus } from './chatwoot-types';
