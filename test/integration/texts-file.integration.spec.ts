/**
 * TEXTS_FILE, end to end: an operator's overrides reach ChatWoot for every kind of text the service writes: grammar
 * errors and their usage lines, duration errors, help, the queue labels and the pull's own reports.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Harness, eventually } from '../support/harness';
import { pull } from '../support/pull-helpers';
import { repliesTo } from '../support/command-helpers';

const OVERRIDES = {
  'grammar.unknownOption': 'Option inconnue « {{option}} ».{{#suggestion}} Vouliez-vous dire {{suggestion}} ?{{/suggestion}}',
  'usage.pull': 'Utilisation : `{{prefix}}messages pull [début] [fin] [options]`',
  'duration.noUnit': 'Durée « {{value}} » sans unité{{#option}} pour {{option}}{{/option}}',
  'help.queue': 'Aide des files ({{prefix}}queue)',
  'queue.label.inbox': 'ChatWoot vers WhatsApp',
  'pull.completed': '✅ Import terminé : {{created}} créés, {{exists}} déjà là',
  'pull.started': '⏳ Import lancé pour {{scope}}',
  'pull.scope.all': 'toutes les discussions',
};

describe('TEXTS_FILE overrides reach ChatWoot', () => {
  let h: Harness;

  beforeAll(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'texts-')), 'texts.json');
    fs.writeFileSync(file, JSON.stringify(OVERRIDES));
    h = await Harness.start({ env: { TEXTS_FILE: file } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function reply(command: string): Promise<string> {
    const id = await h.type(command);
    return (await eventually(() => repliesTo(h, id, h.integrationConversationId)[0], { what: `a reply to ${command}` })).content;
  }

  it('answers a grammar error with the overridden error and usage lines', async () => {
    expect(await reply('messages pull --medias')).toBe(
      'Option inconnue « --medias ». Vouliez-vous dire --media ?\nUtilisation : `wa/messages pull [début] [fin] [options]`',
    );
  });

  it('answers a duration error with the overridden text', async () => {
    expect(await reply('messages pull 10')).toBe('Durée « 10 » sans unité\nUtilisation : `wa/messages pull [début] [fin] [options]`');
  });

  it('uses the overridden help and queue labels', async () => {
    expect(await reply('queue help')).toBe('Aide des files (queue)');
    expect(await reply('queue status')).toContain('**inbox** (ChatWoot vers WhatsApp)');
  });

  it("reports a pull's start and end with the overridden texts", async () => {
    const { messageId, report } = await pull(h, 'messages pull 2d', h.integrationConversationId, 60_000, /Import terminé/);
    expect(report).toMatch(/^✅ Import terminé : \d+ créés, 0 déjà là$/);
    expect(h.repliesAfter(messageId).map((m) => m.content)).toContain('⏳ Import lancé pour toutes les discussions');
  });
});
