/**
 * WAHA simulator handlers for who is who: a contact (the account itself, a group or channel, a known person or
 * an unknown number), whether a number is on WhatsApp, group info and channel info.
 */
import { SimRequest, SimResponse } from '../common/sim-server';
import { toProtocolJid, toPublicJid } from './waha-format';
import { badRequest, notFound } from './waha-http-util';
import { hash } from './waha-random';
import { SessionGate } from './waha-session-gate';
import { WahaState } from './waha-state';

/** A JPEG's first bytes: enough for a client to take it for a picture. */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

export class ContactHandlers {
  constructor(
    private readonly state: WahaState,
    private readonly gate: SessionGate,
    /** Where the simulator serves files (WAHA_BASE_URL's stand-in): the pictures' URLs start with it. */
    private readonly baseUrl: () => string,
  ) {}

  /**
   * GET /api/contacts/all (sortBy id|name, sortOrder, limit, offset; WAHA's OpenAPI document). Each engine lists
   * its own way (session.*.core.ts `getContacts`):
   * - WEBJS: whatsapp-web.js's Contact for everyone the phone has seen, saved or not (`isMyContact`), groups too
   *   (`isGroup`), the account itself (`isMe`); paged in memory.
   * - NOWEB: its store's contacts (refused without the store), `notify` renamed `pushname`, `name` only when saved;
   *   a person WAHA knows only by @lid is listed under the @lid.
   * - GOWS: `{id, name, pushname}` of the address book's and the chats' people.
   */
  async all(req: SimRequest): Promise<SimResponse> {
    const session = req.query.get('session') ?? 'default';
    const engine = this.state.profile.engine;
    const guard = engine === 'NOWEB' ? await this.gate.guardStore(session) : await this.gate.guardSession(session);
    if (guard) return guard;
    const data = this.state.data;
    const contacts: Array<Record<string, unknown> & { id: string; name: string | null }> = [];
    const person = (p: (typeof data.persons)[number]) => {
      const id = engine === 'NOWEB' && !p.lidKnown ? `${p.lid}@lid` : `${p.phone}@c.us`;
      if (engine === 'WEBJS') {
        return { id, number: p.phone, name: p.name, pushname: p.pushName, shortName: p.name ? p.name.split(' ')[0] : null, isMe: false, isUser: true, isGroup: false, isWAContact: true, isMyContact: p.name !== null, isBlocked: false, isBusiness: false };
      }
      return { id, name: p.name, pushname: p.pushName };
    };
    const seen = new Set<string>();
    for (const p of data.persons) {
      const entry = person(p);
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      contacts.push(entry);
    }
    if (engine === 'WEBJS') {
      contacts.push({ id: data.me.id, number: data.me.phone, name: data.me.pushName, pushname: data.me.pushName, isMe: true, isUser: true, isGroup: false, isMyContact: true });
      for (const chat of data.chats) {
        if (chat.kind === 'group') contacts.push({ id: chat.id, name: chat.name, pushname: null, isMe: false, isUser: false, isGroup: true, isMyContact: false });
      }
    }
    const byName = req.query.get('sortBy') === 'name';
    const desc = req.query.get('sortOrder') === 'desc';
    const key = (c: { id: string; name: string | null }): string => (byName ? (c.name ?? '') : c.id);
    contacts.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (desc ? -1 : 1));
    const offset = Math.max(0, Number(req.query.get('offset') ?? 0) || 0);
    const limit = Number(req.query.get('limit') ?? 0) || contacts.length;
    return { status: 200, body: contacts.slice(offset, offset + limit) };
  }

  /** The picture URL of a chat: two persons in three and every group have one; the account's own too. */
  pictureUrl(chatId: string): string | null {
    const id = toPublicJid(chatId);
    const data = this.state.data;
    const user = id.split('@')[0];
    const known =
      id === data.me.id || data.persons.some((p) => p.phone === user || p.lid === user) || data.byId.get(id)?.kind === 'group';
    if (!known || hash(Number(user.slice(-9)) || 0, 0x91c) % 3 === 0) return null;
    return `${this.baseUrl()}/api/files/${this.state.opts.session}/picture-${user}.jpg`;
  }

  /**
   * GET /api/{session}/chats/{id}/picture → `{url}` (src/api/chats.controller.ts getChatPicture, since 2024.12.6),
   * and GET /api/contacts/profile-picture → `{profilePictureURL}` (contacts.controller.ts). WhatsApp answers a URL
   * on its own picture host, which expires; here a file on the simulator.
   */
  async picture(session: string, chatId: string, field: 'url' | 'profilePictureURL'): Promise<SimResponse> {
    const guard = await this.gate.guardSession(session);
    if (guard) return guard;
    this.state.pictureLog.push(toPublicJid(chatId));
    return { status: 200, body: { [field]: this.pictureUrl(chatId) } };
  }

  /** The bytes behind a picture URL: a JPEG header and the chat's user part, so each picture is its own. */
  pictureFile(user: string): SimResponse {
    const bytes = Buffer.concat([JPEG, Buffer.from(`picture of ${user}`)]);
    return { status: 200, raw: bytes, headers: { 'content-type': 'image/jpeg', 'content-length': String(bytes.length) } };
  }

  /** GET /api/contacts: NOWEB reads contacts from its store (NowebInMemoryStore.getContactById refuses without). */
  async contact(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardStore(req.query.get('session') ?? 'default');
    if (guard) return guard;
    const data = this.state.data;
    const raw = req.query.get('contactId');
    if (!raw) return badRequest(['contactId must be a string']);
    const id = toPublicJid(raw);
    const user = id.split('@')[0];
    const base = {
      id,
      number: user,
      isMe: false,
      isGroup: false,
      isWAContact: true,
      isMyContact: false,
      isBlocked: false,
    };
    if (id === data.me.id || id === data.me.lid) {
      const me = data.me;
      return {
        status: 200,
        body: {
          ...base,
          name: me.pushName,
          pushname: me.pushName,
          shortName: me.pushName,
          isMe: true,
          isMyContact: true,
        },
      };
    }
    const chat = data.byId.get(id);
    if (chat && chat.kind !== 'dm') {
      return {
        status: 200,
        body: { ...base, name: chat.name, pushname: null, shortName: chat.name, isGroup: chat.kind === 'group' },
      };
    }
    const person = data.persons.find((p) => `${p.phone}@c.us` === id || `${p.lid}@lid` === id);
    if (!person) {
      return { status: 200, body: { ...base, name: null, pushname: null, shortName: null, isWAContact: false } };
    }
    return {
      status: 200,
      body: {
        ...base,
        name: person.name,
        pushname: person.pushName,
        shortName: person.name ? person.name.split(' ')[0] : null,
        isMyContact: person.name !== null,
      },
    };
  }

  async checkExists(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardSession(req.query.get('session') ?? 'default');
    if (guard) return guard;
    const data = this.state.data;
    const phone = req.query.get('phone');
    if (!phone) return badRequest(['phone must be a string']);
    const chatId = toPublicJid(phone);
    const known = chatId === data.me.id || data.persons.some((p) => `${p.phone}@c.us` === chatId);
    return { status: 200, body: known ? { numberExists: true, chatId } : { numberExists: false } };
  }

  async group(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardSession(req.params.session);
    if (guard) return guard;
    const data = this.state.data;
    const chat = data.byId.get(req.params.id);
    if (!chat || chat.kind !== 'group') return notFound('Group not found');
    return {
      status: 200,
      body: {
        id: chat.id,
        subject: chat.name,
        subjectTime: chat.createdAt,
        creation: chat.createdAt,
        owner: toProtocolJid(data.me.id),
        desc: null,
        participants: [
          { id: data.me.id, admin: 'superadmin' },
          ...chat.members.map((m) => ({ id: m.jid, admin: null })),
        ],
        size: chat.members.length + 1,
      },
    };
  }

  async channel(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardSession(req.params.session);
    if (guard) return guard;
    const chat = this.state.data.byId.get(req.params.id);
    if (!chat || chat.kind !== 'channel') return notFound('Channel not found');
    const code = chat.id.split('@')[0].slice(-10);
    return {
      status: 200,
      body: {
        id: chat.id,
        name: chat.name,
        invite: `https://whatsapp.com/channel/${code}`,
        preview: null,
        picture: null,
        description: `${chat.name ?? 'Channel'} updates`,
        verified: false,
        role: 'SUBSCRIBER',
        subscribersCount: 1000 + (hash(this.state.data.spec.seed, chat.index) % 50_000),
      },
    };
  }
}
