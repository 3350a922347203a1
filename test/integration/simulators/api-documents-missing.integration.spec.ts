/**
 * Without the API documents (shared/specs not beside the repository) the simulators still start, say so in one
 * line each, and answer as before, unchecked. A file of its own: documents are loaded once per process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startChatwootSimulator } from '../../../simulators/chatwoot';
import { startWahaSimulator } from '../../../simulators/waha';
import { NOW, WAHA_KEY, chatwoot, waha } from './sim-test-kit';

describe('simulators without their API documents', () => {
  const saved = process.env.SIM_SPECS_DIR;
  afterAll(() => {
    if (saved === undefined) delete process.env.SIM_SPECS_DIR;
    else process.env.SIM_SPECS_DIR = saved;
  });

  it('start, log one line per document, and check nothing', async () => {
    process.env.SIM_SPECS_DIR = mkdtempSync(path.join(tmpdir(), 'no-specs-'));
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const first = await startWahaSimulator({ apiKey: WAHA_KEY, history: { seed: 7, now: NOW } });
      const second = await startWahaSimulator({ apiKey: WAHA_KEY, history: { seed: 7, now: NOW } });
      const cw = await startChatwootSimulator();
      try {
        expect(lines.filter((l) => l.includes('no API document'))).toHaveLength(2);
        expect(lines.find((l) => l.startsWith('WAHA simulator'))).toContain('requests are not checked');
        const send = await waha(first.url, '/api/sendText', {
          method: 'POST',
          body: { session: 'default', text: 'x' },
        });
        expect([send.status, send.body]).toEqual([
          400,
          { message: ['chatId must be a string'], error: 'Bad Request', statusCode: 400 },
        ]);
        const contact = await chatwoot(cw.url, '/contacts', { method: 'POST', body: { name: 5 } });
        expect(contact.status).toBe(200);
      } finally {
        await Promise.all([first.close(), second.close(), cw.close()]);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
