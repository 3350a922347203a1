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
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.apps[0].waha.session).toBe('default');
    expect(config.apps[0].commandPrefix).toBe('wa/');
    expect(config.apps[0].chatwoot.url).toBe('http://chatwoot:3000');
    expect(config.apps[0].chatwoot.outgoingMode).toBe('private-note');
    expect(config.apps[0].chatwoot.markAsRead).toBe(true);
    expect(config.apps[0].chatwoot.webhookSecret).toBeUndefined();
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
