import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from './config';

const base = {
  APP_ID: 'app_main',
  WAHA_URL: 'http://waha:3000',
  WAHA_API_KEY: 'k',
  CHATWOOT_URL: 'http://chatwoot:3000/',
  CHATWOOT_ACCOUNT_ID: '1',
  CHATWOOT_ACCOUNT_TOKEN: 't',
  CHATWOOT_INBOX_ID: '2',
  CHATWOOT_INBOX_IDENTIFIER: 'ident',
  CHATWOOT_WEBHOOK_SECRET: 'cw-secret',
  WAHA_WEBHOOK_HMAC_KEY: 'waha-key',
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.redis).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(config.redisReplication).toEqual({ replicas: 0, timeoutMs: 500 });
    expect(config.apps[0].waha.session).toBe('default');
    expect(config.apps[0].commandPrefix).toBe('wa/');
    expect(config.apps[0].chatwoot.url).toBe('http://chatwoot:3000');
    expect(config.apps[0].chatwoot.outgoingMode).toBe('private-note');
    expect(config.apps[0].chatwoot.markAsRead).toBe(true);
    expect(config.apps[0].chatwoot.webhookSecret).toBe('cw-secret');
    expect(config.limits).toEqual({ webhookBodyBytes: 4 * 1024 * 1024, mediaMaxBytes: 40 * 1024 * 1024 });
    expect(config.security).toEqual({ allowUnsigned: false, adminToken: undefined });
    expect(config.apps[0].commandAgents).toEqual([]);
  });

  it('selects a Redis Cluster from its seed nodes, REDIS_URL then carrying only the credentials', () => {
    const config = loadConfig({ ...base, REDIS_CLUSTER_NODES: 'redis-1:7000, redis-2:7001,[::1]:7002', REDIS_URL: 'redis://:pw@ignored:6379' });
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-1', port: 7000 },
        { host: 'redis-2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      url: 'redis://:pw@ignored:6379',
    });
    expect(config.redisReplication).toEqual({ replicas: 1, timeoutMs: 500 });
  });

  it('selects a Sentinel-managed master by its group name', () => {
    const config = loadConfig({ ...base, REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'mymaster' });
    expect(config.redis).toEqual({ kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'mymaster', url: 'redis://127.0.0.1:6379' });
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: 'redis-1' }, 'REDIS_CLUSTER_NODES is malformed: expected host:port,host:port,… (e.g. redis-1:6379,redis-2:6379), got "redis-1"'],
    [{ REDIS_CLUSTER_NODES: 'a:1,b:99999' }, 'got "b:99999"'],
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set'],
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://a:1/2' }, 'a Redis Cluster has only database 0'],
    [{ REDIS_SENTINELS: 'b:2' }, 'REDIS_SENTINEL_NAME is missing'],
    [{ REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not'],
    [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL is malformed: expected redis://'],
  ])('says what is wrong with the Redis settings: %j', (override, message) => {
    expect(() => loadConfig({ ...base, ...override })).toThrow(message);
  });

  it.each([
    [{ CHATWOOT_WEBHOOK_SECRET: undefined }, 'CHATWOOT_WEBHOOK_SECRET is missing: anyone could post ChatWoot webhooks'],
    [{ WAHA_WEBHOOK_HMAC_KEY: '' }, 'WAHA_WEBHOOK_HMAC_KEY is missing: anyone could post WAHA webhooks'],
    [{ WAHA_WEBHOOK_HMAC_KEY: undefined, ROLE: 'api' }, 'or set ALLOW_UNSIGNED_WEBHOOKS=true'],
  ])('refuses to receive webhooks without their secret, in one line with the way out: %j', (override, message) => {
    expect(() => loadConfig({ ...base, ...override })).toThrow(message);
    expect(() => loadConfig({ ...base, ...override })).not.toThrow(/\n/);
  });

  it('starts without secrets as a worker, with the opt-out, or with a ChatWoot token instead of a signature', () => {
    const open = { ...base, CHATWOOT_WEBHOOK_SECRET: undefined, WAHA_WEBHOOK_HMAC_KEY: undefined };
    expect(loadConfig({ ...open, ROLE: 'worker' }).role).toBe('worker');
    expect(loadConfig({ ...open, ALLOW_UNSIGNED_WEBHOOKS: 'true' }).security.allowUnsigned).toBe(true);
    const token = 'a'.repeat(32);
    expect(loadConfig({ ...base, CHATWOOT_WEBHOOK_SECRET: undefined, CHATWOOT_WEBHOOK_TOKEN: token }).apps[0].chatwoot.webhookToken).toBe(token);
    expect(() => loadConfig({ ...base, CHATWOOT_WEBHOOK_TOKEN: 'short' })).toThrow('CHATWOOT_WEBHOOK_TOKEN is too short');
  });

  it('reads sizes with their unit and refuses a bare number or an unknown unit', () => {
    expect(loadConfig({ ...base, WEBHOOK_BODY_LIMIT: '8mb', MEDIA_MAX_SIZE: '100MB' }).limits).toEqual({ webhookBodyBytes: 8 * 1024 ** 2, mediaMaxBytes: 100 * 1024 ** 2 });
    expect(() => loadConfig({ ...base, WEBHOOK_BODY_LIMIT: '4m' })).toThrow('WEBHOOK_BODY_LIMIT is malformed: expected a size with its unit like 4mb');
    expect(() => loadConfig({ ...base, WEBHOOK_BODY_LIMIT: 'unlimited' })).toThrow('WEBHOOK_BODY_LIMIT is malformed');
    expect(() => loadConfig({ ...base, WEBHOOK_BODY_LIMIT: '4096' })).toThrow('WEBHOOK_BODY_LIMIT is malformed');
    expect(() => loadConfig({ ...base, WEBHOOK_BODY_LIMIT: '1gb' })).toThrow('WEBHOOK_BODY_LIMIT is out of range');
  });

  it('keeps durations that become timers below setTimeout overflow', () => {
    expect(() => loadConfig({ ...base, RETRY_WINDOW: '30d' })).toThrow('RETRY_WINDOW is too long: at most 24d');
    expect(loadConfig({ ...base, DEAD_LETTER_TTL: '30d' }).reliability.deadLetterTtlMs).toBe(30 * 86_400_000);
  });

  it('reads COMMAND_AGENTS as ids and emails', () => {
    expect(loadConfig({ ...base, COMMAND_AGENTS: '12, Ana@Example.com' }).apps[0].commandAgents).toEqual(['12', 'ana@example.com']);
    expect(() => loadConfig({ ...base, COMMAND_AGENTS: 'ana' })).toThrow('COMMAND_AGENTS is malformed');
  });

  it.each([
    [{ WAHA_URL: undefined }, 'WAHA_URL is missing'],
    [{ WAHA_URL: 'not a url' }, 'WAHA_URL is malformed'],
    [{ CHATWOOT_ACCOUNT_ID: 'one' }, 'CHATWOOT_ACCOUNT_ID is malformed: expected an integer from 1'],
    [{ CHATWOOT_INBOX_ID: '0' }, 'CHATWOOT_INBOX_ID is malformed'],
    [{ CHATWOOT_ACCOUNT_TOKEN: '  ' }, 'CHATWOOT_ACCOUNT_TOKEN is missing'],
    [{ PORT: '70000' }, 'PORT is malformed'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL is malformed'],
    [{ APP_ID: 'has space' }, 'APP_ID is malformed'],
    [{ CHATWOOT_OUTGOING_MODE: 'public' }, 'CHATWOOT_OUTGOING_MODE is malformed: expected one of private-note, message'],
    [{ HTTP_TIMEOUT: 'soon' }, 'HTTP_TIMEOUT is malformed'],
    [{ CHATWOOT_MARK_AS_READ: 'maybe' }, 'CHATWOOT_MARK_AS_READ is malformed: expected true or false'],
    [{ TIMEZONE: 'Mars/Base' }, 'TIMEZONE is malformed'],
  ])('stops with one line naming the variable: %j', (override, message) => {
    expect(() => loadConfig({ ...base, ...override })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...override })).toThrow(message);
  });

  it('reads several apps from APPS_FILE, taking left-out fields from the environment', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'apps.json');
    fs.writeFileSync(
      file,
      JSON.stringify([{ APP_ID: 'a' }, { APP_ID: 'b', WAHA_SESSION: 'shop', CHATWOOT_INBOX_ID: 7, CHATWOOT_MARK_AS_READ: false }]),
    );
    const config = loadConfig({ ...base, APPS_FILE: file });
    expect(config.apps.map((a) => [a.id, a.waha.session, a.chatwoot.inboxId, a.chatwoot.markAsRead])).toEqual([
      ['a', 'default', 2, true],
      ['b', 'shop', 7, false],
    ]);
  });

  it('names the APPS_FILE entry that is wrong, and duplicate app ids', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify([{ APP_ID: 'a' }, { APP_ID: 'b', CHATWOOT_INBOX_ID: 'x' }]));
    expect(() => loadConfig({ ...base, APPS_FILE: bad })).toThrow('APPS_FILE entry 1: CHATWOOT_INBOX_ID is malformed');
    const dup = path.join(dir, 'dup.json');
    fs.writeFileSync(dup, JSON.stringify([{ APP_ID: 'a' }, { APP_ID: 'a' }]));
    expect(() => loadConfig({ ...base, APPS_FILE: dup })).toThrow('appears twice');
    expect(() => loadConfig({ ...base, APPS_FILE: path.join(dir, 'none.json') })).toThrow('APPS_FILE is malformed');
    const typo = path.join(dir, 'typo.json');
    fs.writeFileSync(typo, JSON.stringify([{ APP_ID: 'a', CHATWOOT_INBOX: 3 }]));
    expect(() => loadConfig({ ...base, APPS_FILE: typo })).toThrow('APPS_FILE is malformed: entry 0 has unknown fields "CHATWOOT_INBOX"');
  });

  it('takes an empty APPS_FILE when every app comes through /api/apps, and keeps each entry as written for the registry', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const none = path.join(dir, 'none.json');
    fs.writeFileSync(none, '[]');
    expect(loadConfig({ ...base, APPS_FILE: none })).toMatchObject({ apps: [], appEntries: [] });
    const two = path.join(dir, 'two.json');
    fs.writeFileSync(two, JSON.stringify([{ APP_ID: 'a' }, { APP_ID: 'b', WAHA_SESSION: 'shop', CHATWOOT_INBOX_ID: 7 }]));
    const config = loadConfig({ ...base, APPS_FILE: two });
    expect(config.appEntries).toEqual([{ APP_ID: 'a' }, { APP_ID: 'b', WAHA_SESSION: 'shop', CHATWOOT_INBOX_ID: '7' }]);
    expect(config.appDefaults).toMatchObject({ WAHA_URL: 'http://waha:3000', CHATWOOT_WEBHOOK_SECRET: 'cw-secret' });
    expect(loadConfig(base).appEntries).toEqual([{ APP_ID: 'app_main' }]);
  });

  it('refuses two apps on one WAHA session, naming both, and wants each app signed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const shared = path.join(dir, 'shared.json');
    fs.writeFileSync(shared, JSON.stringify([{ APP_ID: 'a' }, { APP_ID: 'b', WAHA_URL: 'http://waha:3000/' }]));
    expect(() => loadConfig({ ...base, APPS_FILE: shared })).toThrow('apps "a" and "b" both use WAHA session "default" on http://waha:3000');
    const twoServers = path.join(dir, 'two.json');
    fs.writeFileSync(twoServers, JSON.stringify([{ APP_ID: 'a' }, { APP_ID: 'b', WAHA_URL: 'http://waha-2:3000' }]));
    expect(loadConfig({ ...base, APPS_FILE: twoServers }).apps.map((a) => a.waha.session)).toEqual(['default', 'default']);
    const unsigned = path.join(dir, 'unsigned.json');
    fs.writeFileSync(unsigned, JSON.stringify([{ APP_ID: 'a', WAHA_SESSION: 'one' }, { APP_ID: 'b', WAHA_SESSION: 'two', WAHA_WEBHOOK_HMAC_KEY: '' }]));
    expect(() => loadConfig({ ...base, APPS_FILE: unsigned })).toThrow('WAHA_WEBHOOK_HMAC_KEY is missing for app "b" (APPS_FILE)');
  });

  it('reads TEXTS_FILE once and stops with one line when it is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const write = (name: string, body: string): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, body);
      return file;
    };
    const good = write('good.json', JSON.stringify({ 'grammar.unknownOption': 'Option inconnue « {{option}} ».' }));
    expect(loadConfig({ ...base, TEXTS_FILE: good }).textOverrides).toEqual({ 'grammar.unknownOption': 'Option inconnue « {{option}} ».' });
    expect(loadConfig(base).textOverrides).toEqual({});
    const cases: Array<[string, string]> = [
      [path.join(dir, 'none.json'), 'TEXTS_FILE is malformed: "'],
      [write('bad.json', '{ nope'), 'TEXTS_FILE is malformed: cannot read a JSON object of texts'],
      [write('list.json', '["a"]'), 'TEXTS_FILE is malformed: expected a JSON object'],
      [write('key.json', JSON.stringify({ 'no.such.key': 'x' })), 'TEXTS_FILE is malformed: Unknown text keys in overrides: no.such.key'],
      [write('tpl.json', JSON.stringify({ 'pull.started': '{{#scope}}' })), 'is not a valid template'],
      [write('var.json', JSON.stringify({ 'grammar.unknownOption': 'Unknown {{flag}}' })), 'uses {{flag}}, which this text never receives (available: {{option}}, {{suggestion}})'],
    ];
    for (const [file, message] of cases) {
      expect(() => loadConfig({ ...base, TEXTS_FILE: file })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TEXTS_FILE: file })).toThrow(message);
    }
  });
});
