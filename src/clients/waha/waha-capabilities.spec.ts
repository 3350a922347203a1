import { compareVersions, missingEvents, WANTED_EVENTS, wahaCapabilities, WahaProfile } from './waha-capabilities';

const profile = (over: Partial<WahaProfile>): WahaProfile => ({ version: '2026.7.1', engine: 'NOWEB', tier: 'PLUS', ...over });

describe('wahaCapabilities', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('2025.10.5', '2025.9.1')).toBe(1);
    expect(compareVersions('2025.10.5', '2025.10.5')).toBe(0);
    expect(compareVersions('2024.12.1', '2025.1.1')).toBe(-1);
  });

  it.each([
    ['NOWEB', '2025.10.5', true],
    ['NOWEB', '2025.10.4', false],
    ['GOWS', '2026.1.1', true],
    ['GOWS', '2025.9.1', false],
    ['WEBJS', '2026.7.1', false],
    ['WPP', '2026.7.1', false],
  ] as const)('%s %s sorts oldest first: %s', (engine, version, sorts) => {
    expect(wahaCapabilities(profile({ engine, version })).sortsAscending).toBe(sorts);
  });

  it('knows who merges @lid and phone histories', () => {
    expect(wahaCapabilities(profile({ engine: 'NOWEB', version: '2026.3.1' })).mergesLidHistories).toBe(true);
    expect(wahaCapabilities(profile({ engine: 'GOWS', version: '2026.2.9' })).mergesLidHistories).toBe(false);
    expect(wahaCapabilities(profile({ engine: 'WEBJS', version: '2025.1.1' })).mergesLidHistories).toBe(true);
  });

  it('sends media except on Core before 2026.6.1', () => {
    expect(wahaCapabilities(profile({ tier: 'CORE', version: '2026.5.9' })).mediaSends).toBe(false);
    expect(wahaCapabilities(profile({ tier: 'CORE', version: '2026.6.1' })).mediaSends).toBe(true);
    expect(wahaCapabilities(profile({ tier: 'PLUS', version: '2025.1.1' })).mediaSends).toBe(true);
  });

  it('assumes what works everywhere when the version is unknown', () => {
    const can = wahaCapabilities(profile({ version: null, tier: null }));
    expect(can).toMatchObject({ sortsAscending: false, mergesLidHistories: false, mediaSends: true, lidsApi: true, historyFilters: true });
  });

  it('cannot read history from NOWEB without its store', () => {
    expect(wahaCapabilities(profile({ nowebStore: { enabled: false, fullSync: false } })).readsHistory).toBe(false);
    expect(wahaCapabilities(profile({ nowebStore: { enabled: true, fullSync: false } })).readsHistory).toBe(true);
  });
});

describe('missingEvents', () => {
  const url = 'https://bridge.example/webhooks/waha/app_main';

  it("names the wanted events the session's webhook to this app leaves out", () => {
    expect(missingEvents([{ url, events: ['message.any', 'message.ack', 'session.status'] }], 'app_main')).toEqual([
      'message.reaction',
      'message.edited',
      'message.revoked',
      'poll.vote',
      'poll.vote.failed',
      'call.received',
      'call.accepted',
      'call.rejected',
    ]);
    expect(missingEvents([{ url, events: ['*'] }], 'app_main')).toEqual([]);
    expect(missingEvents([{ url: 'https://bridge.example/webhooks/waha', events: [...WANTED_EVENTS] }], 'app_main')).toEqual([]);
  });

  it('says nothing when no session webhook points at this app (a global webhook is not in the session)', () => {
    expect(missingEvents([{ url: 'https://other.example/hook', events: ['message'] }], 'app_main')).toBeUndefined();
    expect(missingEvents([], 'app_main')).toBeUndefined();
    expect(missingEvents(null, 'app_main')).toBeUndefined();
    expect(missingEvents([{ url: 'https://bridge.example/webhooks/waha/app_other', events: [] }], 'app_main')).toBeUndefined();
  });
});
