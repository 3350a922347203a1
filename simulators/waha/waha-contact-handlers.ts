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

export class ContactHandlers {
  constructor(
    private readonly state: WahaState,
    private readonly gate: SessionGate,
  ) {}

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
