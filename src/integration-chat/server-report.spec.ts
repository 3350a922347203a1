import { Texts } from '../texts/texts';
import { serverReport } from './server-report';

const texts = Texts.load();

describe('serverReport', () => {
  it('names the servers and says what the bridge does on a newest-first Core WAHA', () => {
    const report = serverReport(
      { waha: { version: '2025.9.1', engine: 'NOWEB', tier: 'CORE', nowebStore: { enabled: true, fullSync: false } }, chatwoot: { version: '4.12.1' }, redis: null, errors: [], detectedAt: 0 },
      texts,
    );
    expect(report.text.split('\n')[0]).toBe('ℹ️ **Servers found**: WAHA 2025.9.1 (NOWEB, CORE) · ChatWoot 4.12.1');
    expect(report.adaptations).toEqual(['server.adapt.sortHere', 'server.adapt.lidsJoined', 'server.adapt.textOnly']);
    expect(report.problems).toEqual(['server.problem.nowebShallow', 'server.problem.chatwootUnsigned']);
    expect(report.text).toContain('fullSync was off');
  });

  it('says what will not work below the floors, and when a server could not be asked', () => {
    const report = serverReport({ waha: { version: '2024.9.1', engine: 'WEBJS', tier: 'PLUS' }, chatwoot: { version: null }, redis: null, errors: ['ChatWoot version: HTTP 404'], detectedAt: 0 }, texts);
    expect(report.problems).toEqual(['server.problem.noFilters', 'server.problem.noLids']);
    expect(report.text).toContain('ChatWoot unknown');
    expect(report.text).toContain('Could not ask ChatWoot version: HTTP 404');
  });

  it("names the events WAHA's webhook to the bridge does not send, and how to add them", () => {
    const base = { waha: { version: '2026.7.1', engine: 'GOWS' as const, tier: 'PLUS' as const }, chatwoot: { version: '4.15.1' }, redis: null, errors: [], detectedAt: 1 };
    const report = serverReport({ ...base, missingEvents: ['message.reaction', 'poll.vote'] }, texts);
    expect(report.text).toContain("WAHA's webhook to this bridge does not send `message.reaction`, `poll.vote`");
    expect(report.text).toContain("Add them to the session's webhook events in WAHA");
    expect(serverReport({ ...base, missingEvents: [] }, texts).text).not.toContain('does not send');
    expect(report.facts).not.toBe(serverReport({ ...base, missingEvents: [] }, texts).facts);
  });

  it('changes its facts only when what was found changes', () => {
    const base = { waha: { version: '2026.7.1', engine: 'GOWS' as const, tier: 'PLUS' as const }, chatwoot: { version: '4.15.1' }, redis: null, errors: [], detectedAt: 1 };
    expect(serverReport(base, texts).facts).toBe(serverReport({ ...base, detectedAt: 2 }, texts).facts);
    expect(serverReport(base, texts).facts).not.toBe(serverReport({ ...base, waha: { ...base.waha, version: '2026.7.2' } }, texts).facts);
  });

  it('names the Redis settings to change when Redis can lose the ledger, and reposts when they change', () => {
    const durable = { aof: true, rdb: true, maxmemoryPolicy: 'noeviction', fixes: [] };
    const base = { waha: { version: '2026.7.1', engine: 'GOWS' as const, tier: 'PLUS' as const }, chatwoot: { version: '4.15.1' }, redis: durable, errors: [], detectedAt: 1 };
    expect(serverReport(base, texts).text).not.toContain('Redis');
    const risky = serverReport({ ...base, redis: { aof: false, rdb: true, maxmemoryPolicy: 'allkeys-lru', fixes: ['appendonly yes', 'maxmemory-policy noeviction'] } }, texts);
    expect(risky.text).toContain('Redis keeps no append-only file (RDB snapshots only)');
    expect(risky.text).toContain('Set `appendonly yes`');
    expect(risky.text).toContain('`maxmemory-policy allkeys-lru`');
    expect(risky.redisFixes).toEqual(['appendonly yes', 'maxmemory-policy noeviction']);
    expect(risky.facts).not.toBe(serverReport(base, texts).facts);
  });
});
