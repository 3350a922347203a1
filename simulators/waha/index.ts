export * from './waha-simulator';
export type { WebhookDelivery, WebhookEnvelope } from './waha-webhooks';
export { signBody, WAHA_VERSION } from './waha-webhooks';
export { toProtocolJid, toPublicJid } from './waha-format';
