/**
 * `wa/contacts pull|status|stop` over the webhook: WhatsApp's address book into ChatWoot, with the
 * `waha_whatsapp_*` attributes, group names and avatars; exactly once through a second run, a stop and resume, and
 * a worker killed mid-pull; and as each engine lists its contacts (WEBJS lists everyone it has seen, so only saved
 * contacts are taken; NOWEB lists a person it cannot map under the @lid).
 */
import { Harness, eventually } from '../support/harness';

type Contact = ReturnType<Harness['cw']['contacts']>[number];

const HISTORY = { dmChats: 6, groups: 2, channels: 1, broadcastLists: 0, messagesPerChat: 2 };

function byChatId(h: Harness): Map<string, Contact[]> {
  const map = new Map<string, Contact[]>();
  for (const contact of h.cw.contacts()) {
    const id = contact.custom_attributes.waha_whatsapp_chat_id;
    if (typeof id !== 'string' || id === 'whatsapp.integration') continue;
    map.set(id, [...(map.get(id) ?? []), contact]);
  }
  return map;
}

/** The number in a report line such as "🆕 5 created". */
function count(report: string, label: string): number {
  const match = new RegExp(`(\\d+) ${label}`).exec(report);
  if (!match) throw new Error(`no "${label}" in: ${report}`);
  return Number(match[1]);
}

async function pulled(h: Harness, command: string, timeoutMs = 60_000): Promise<string> {
  const id = await h.type(command);
  return h.waitReply(id, (c) => /Contacts pulled/.test(c), h.integrationConversationId, timeoutMs);
}

describe('wa/contacts', () => {
  describe('on NOWEB', () => {
    let h: Harness;

    beforeAll(async () => {
      h = await Harness.start({ waha: { history: HISTORY } });
    });

    afterAll(async () => {
      await h?.stop();
    });

    it('imports every phone contact and group once, with attributes, names and the WhatsApp pictures', async () => {
      const people = h.waha.people();
      // NOWEB lists a person it cannot map only under the @lid: without --lids it is skipped.
      const expected = people.filter((p) => p.lidKnown);
      const groups = h.waha.chats().filter((c) => c.kind === 'group');
      const before = h.cw.contacts().length;
      const id = await h.type('contacts pull --avatar --groups --dc 0 --db 0 --progress 10');
      expect(await h.waitReply(id, (c) => /Pulling contacts/.test(c))).toContain('avatars: if-missing, groups');
      const report = await h.waitReply(id, (c) => /Contacts pulled/.test(c), h.integrationConversationId, 60_000);

      const found = byChatId(h);
      for (const person of expected) {
        const contacts = found.get(person.chatId) ?? [];
        expect(contacts).toHaveLength(1);
        const [contact] = contacts;
        expect(contact.name).toBe(person.name ?? person.pushName);
        expect(contact.phone_number).toBe(`+${person.chatId.split('@')[0]}`);
        expect(contact.custom_attributes.waha_whatsapp_jid).toBe(person.chatId);
        expect(contact.custom_attributes.waha_whatsapp_lid).toBe(person.lid);
        expect(contact.contact_inboxes.some((ci) => ci.inbox.id === h.cw.inboxId)).toBe(true);
        // The picture, uploaded as a file, exactly where WhatsApp has one.
        expect(Boolean(h.cw.avatarOf(contact.id))).toBe(h.waha.hasPicture(person.chatId));
        expect(Boolean(contact.thumbnail)).toBe(h.waha.hasPicture(person.chatId));
      }
      for (const group of groups) {
        const [contact] = found.get(group.id) ?? [];
        expect(contact?.name).toBe(`${group.name} (Group)`);
        expect(h.cw.avatarOf(contact.id)?.contentType).toBe('image/jpeg');
      }
      const created = h.cw.contacts().length - before;
      expect(created).toBe(expected.length + groups.length);
      expect(count(report, 'created')).toBe(created);
      expect(count(report, 'avatars')).toBe([...expected.map((p) => p.chatId), ...groups.map((g) => g.id)].filter((c) => h.waha.hasPicture(c)).length);
      // Channels, the account itself and the unmapped @lid are skipped, not imported.
      expect(count(report, 'skipped')).toBe(people.length - expected.length);
      expect(count(report, 'errors')).toBe(0);
      // No conversation is opened for a contact: that is the message pull's and the relay's job.
      expect(h.cw.conversations().filter((c) => c.id !== h.integrationConversationId)).toHaveLength(0);
    });

    it('a second pull changes nothing it need not: no duplicate, no re-upload; status shows the run', async () => {
      const uploads = new Map(h.cw.contacts().map((c) => [c.id, h.cw.avatarOf(c.id)?.uploads ?? 0]));
      const before = h.cw.contacts().length;
      const report = await pulled(h, 'contacts pull -a -g --dc 0 --db 0');
      expect(h.cw.contacts().length).toBe(before);
      expect(count(report, 'created')).toBe(0);
      expect(count(report, 'avatars')).toBe(0);
      for (const contact of h.cw.contacts()) expect(h.cw.avatarOf(contact.id)?.uploads ?? 0).toBe(uploads.get(contact.id));
      const status = await h.type('contacts status');
      const text = await h.waitReply(status, (c) => /Contacts pull: completed/.test(c));
      expect(text).toContain('- 🆕 Created: **0**');
      // `update` replaces pictures that exist.
      const update = await pulled(h, 'contacts pull --avatar update --dc 0 --db 0');
      expect(count(update, 'avatars')).toBe(h.waha.people().filter((p) => p.lidKnown && h.waha.hasPicture(p.chatId)).length);
    });

    it('matches contacts agents already had and renames only raw names with --update-names if-raw', async () => {
      await h.stop();
      h = await Harness.start({ waha: { history: HISTORY } });
      const [saved, other] = h.waha.people().filter((p) => p.lidKnown && p.name);
      const phoneOf = (p: { chatId: string }): string => `+${p.chatId.split('@')[0]}`;
      // One made by an agent, named by its number; one the agent named: it keeps the agent's name.
      const raw = h.cw.seedContact({ name: phoneOf(saved), phone_number: phoneOf(saved) }).contact;
      const named = h.cw.seedContact({ name: 'Our best customer', phone_number: phoneOf(other) }).contact;
      const report = await pulled(h, 'contacts pull -n if-raw --dc 0 --db 0');
      expect(count(report, 'renamed')).toBe(1);
      const contacts = h.cw.contacts();
      expect(contacts.filter((c) => c.phone_number === phoneOf(saved))).toHaveLength(1);
      expect(contacts.find((c) => c.id === raw.id)?.name).toBe(saved.name);
      expect(contacts.find((c) => c.id === named.id)?.name).toBe('Our best customer');
      // Matched by the phone number, they now carry the WhatsApp ids.
      expect(contacts.find((c) => c.id === named.id)?.custom_attributes.waha_whatsapp_chat_id).toBe(other.chatId);
    });

    it('stop, then the same pull resumes where it stopped; a killed worker loses and repeats nothing', async () => {
      await h.stop();
      h = await Harness.start({ waha: { history: { ...HISTORY, dmChats: 12 } } });
      const before = h.cw.contacts().length;
      const id = await h.type('contacts pull --avatar --dc 300ms --db 0 --progress 0');
      await h.waitReply(id, (c) => /Pulling contacts/.test(c));
      await eventually(() => (h.cw.contacts().length >= before + 2 ? true : undefined), { what: 'the first contacts' });
      const stop = await h.type('contacts stop');
      const stopped = await h.waitReply(stop, (c) => /Contacts pull stopped/.test(c), h.integrationConversationId, 20_000);
      expect(stopped).toContain('Send the same `contacts pull` again');
      const afterStop = h.cw.contacts().length;
      expect(afterStop).toBeLessThan(before + h.waha.people().filter((p) => p.lidKnown).length);

      const resume = await h.type('contacts pull --avatar --dc 300ms --db 0 --progress 0');
      expect(await h.waitReply(resume, (c) => /Resuming the contacts pull/.test(c))).toMatch(/\d+ contacts done/);
      // Killed mid-pull: BullMQ hands the job to the next worker, which goes on from the checkpoint.
      await eventually(() => (h.cw.contacts().length >= afterStop + 2 ? true : undefined), { what: 'more contacts' });
      const killed = h.services[0];
      await h.kill(killed);
      // The same port: ChatWoot's webhook points there.
      await h.spawn({ PORT: String(killed.port) });
      const report = await h.waitReply(resume, (c) => /Contacts pulled/.test(c), h.integrationConversationId, 90_000);
      const expected = h.waha.people().filter((p) => p.lidKnown);
      const found = byChatId(h);
      for (const person of expected) expect(found.get(person.chatId)).toHaveLength(1);
      const created = h.cw.contacts().length - before;
      expect(created).toBe(expected.length);
      // Counted once across the stop, the resume and the crash.
      expect(count(report, 'created')).toBe(created);
      for (const contact of h.cw.contacts()) expect(h.cw.avatarOf(contact.id)?.uploads ?? 0).toBeLessThanOrEqual(1);
    });

    it('one pull per app at a time', async () => {
      const first = await h.type('contacts pull --dc 500ms --progress 0');
      await h.waitReply(first, (c) => /Pulling contacts/.test(c));
      const second = await h.type('contacts pull');
      expect(await h.waitReply(second, (c) => /already/.test(c))).toMatch(/A contacts pull is already running/);
      const stop = await h.type('contacts stop');
      await h.waitReply(stop, (c) => /stopped/i.test(c), h.integrationConversationId, 20_000);
    });
  });

  it('on WEBJS, takes the saved contacts (WEBJS lists everyone it has seen) and, with --lids, nothing more', async () => {
    const h = await Harness.start({ waha: { engine: 'WEBJS', history: HISTORY } });
    try {
      const before = h.cw.contacts().length;
      const report = await pulled(h, 'contacts pull --lids --dc 0 --db 0');
      const saved = h.waha.people().filter((p) => p.name !== null);
      const found = byChatId(h);
      for (const person of saved) expect(found.get(person.chatId)?.[0]?.name).toBe(person.name);
      expect(h.cw.contacts().length - before).toBe(saved.length);
      expect(count(report, 'created')).toBe(saved.length);
    } finally {
      await h.stop();
    }
  });

  it('on a WAHA before 2024.12.6, pictures come from /api/contacts/profile-picture', async () => {
    const h = await Harness.start({ waha: { engine: 'WEBJS', version: '2024.5.1', history: { ...HISTORY, groups: 0 } } });
    try {
      const report = await pulled(h, 'contacts pull --avatar --dc 0 --db 0');
      const withPicture = h.waha.people().filter((p) => p.name !== null && h.waha.hasPicture(p.chatId));
      expect(withPicture.length).toBeGreaterThan(0);
      expect(count(report, 'avatars')).toBe(withPicture.length);
    } finally {
      await h.stop();
    }
  });
});
