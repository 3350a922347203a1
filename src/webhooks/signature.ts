/** Webhook signatures: ChatWoot (HMAC-SHA256 over "<timestamp>.<body>") and WAHA (HMAC-SHA512 over the body). */
import { createHmac, timingSafeEqual } from 'node:crypto';

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
