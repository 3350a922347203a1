/**
 * Webhook authentication: ChatWoot signatures (HMAC-SHA256 over "<timestamp>.<body>", 4.13+), ChatWoot tokens (an
 * unguessable `?token=` on the webhook URL, for ChatWoot that cannot sign), and WAHA signatures (HMAC-SHA512 over the
 * body). Every comparison takes the same time whatever matches.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sameSecret } from '../common/secrets';
import type { AppConfig } from '../config/config';

export const CHATWOOT_SIGNATURE_MAX_AGE_S = 300;

function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function chatwootSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyChatwootSignature(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: Buffer,
  nowMs: number,
): SignatureCheck {
  if (!signature || !timestamp) return { ok: false, reason: 'missing X-Chatwoot-Signature or X-Chatwoot-Timestamp' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'malformed X-Chatwoot-Timestamp' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > CHATWOOT_SIGNATURE_MAX_AGE_S) {
    return { ok: false, reason: 'stale X-Chatwoot-Timestamp' };
  }
  return safeEqualHex(chatwootSignature(secret, timestamp, rawBody), signature.trim().toLowerCase())
    ? { ok: true }
    : { ok: false, reason: 'bad signature' };
}

export function wahaHmac(key: string, rawBody: Buffer | string): string {
  return createHmac('sha512', key).update(rawBody).digest('hex');
}

export function verifyWahaHmac(key: string, signature: string | undefined, rawBody: Buffer): SignatureCheck {
  if (!signature) return { ok: false, reason: 'missing X-Webhook-Hmac' };
  return safeEqualHex(wahaHmac(key, rawBody), signature.trim().toLowerCase()) ? { ok: true } : { ok: false, reason: 'bad signature' };
}

export interface ChatwootCredentials {
  signature?: string;
  timestamp?: string;
  token?: string;
}

/**
 * A ChatWoot webhook is accepted with a valid signature when the app has a secret, or with the right token when it
 * has one; either is enough when both are set (a ChatWoot upgraded to 4.13 starts signing). No credential
 * configured means the operator chose ALLOW_UNSIGNED_WEBHOOKS (configuration refuses it otherwise).
 */
export function verifyChatwootWebhook(app: AppConfig, given: ChatwootCredentials, rawBody: Buffer, nowMs: number): SignatureCheck {
  const { webhookSecret, webhookToken } = app.chatwoot;
  if (!webhookSecret && !webhookToken) return { ok: true };
  if (webhookToken && given.token !== undefined) return sameSecret(webhookToken, given.token) ? { ok: true } : { ok: false, reason: 'bad token' };
  if (webhookSecret) return verifyChatwootSignature(webhookSecret, given.signature, given.timestamp, rawBody, nowMs);
  return { ok: false, reason: 'missing ?token=' };
}
