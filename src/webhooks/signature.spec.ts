import { chatwootSignature, verifyChatwootSignature, verifyWahaHmac, wahaHmac } from './signature';

describe('webhook signatures', () => {
  it('computes WAHA HMAC-SHA512 as the WAHA docs test vector says', () => {
    expect(wahaHmac('my-secret-key', '{"event":"message","session":"default","engine":"WEBJS"}')).toBe(
      '208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89',
    );
    const body = Buffer.from('{"a":1}');
    expect(verifyWahaHmac('k', wahaHmac('k', body), body).ok).toBe(true);
    expect(verifyWahaHmac('k', wahaHmac('other', body), body).ok).toBe(false);
    expect(verifyWahaHmac('k', undefined, body).ok).toBe(false);
  });

  it('verifies ChatWoot signatures over "<timestamp>.<body>" and rejects stale ones', () => {
    const body = Buffer.from('{"event":"message_created"}');
    const now = 1_800_000_000_000;
    const ts = String(now / 1000);
    const signature = chatwootSignature('s', ts, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyChatwootSignature('s', signature, ts, body, now)).toEqual({ ok: true });
    expect(verifyChatwootSignature('s', signature, ts, Buffer.from('{}'), now)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyChatwootSignature('s', signature, ts, body, now + 301_000)).toEqual({ ok: false, reason: 'stale X-Chatwoot-Timestamp' });
    expect(verifyChatwootSignature('s', undefined, ts, body, now).ok).toBe(false);
    // Signed over the body alone (a common mistake) is not accepted.
    expect(verifyChatwootSignature('s', chatwootSignature('s', '', body).replace('sha256=', 'sha256='), ts, body, now).ok).toBe(false);
  });
});
