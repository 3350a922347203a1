import { compareVersions, wahaCapabilities, WahaProfile } from './waha-capabilities';

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
