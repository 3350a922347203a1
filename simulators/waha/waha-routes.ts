/**
 * The WAHA simulator's API route table: health and version, sessions, media files, contacts and lids, chats and
 * messages, groups and channels, and sending. Small answers are inline; the rest go to the handler classes.
 * Routes a release does not have yet answer NestJS's 404 there (waha-profile.ts has the floors).
 */
import { SimHandler, SimServer } from '../common/sim-server';
import { toPublicJid } from './waha-format';
import { ChatHandlers } from './waha-chat-handlers';
import { ContactHandlers } from './waha-contact-handlers';
import { WahaEvents } from './waha-events';
import { HistoryQueries } from './waha-history-queries';
import { badRequest, isRecord, notFound, parseBool, parseNumber, routeNotFound, str } from './waha-http-util';
import { SINCE } from './waha-profile';
import { SendHandlers } from './waha-send-handlers';
import { UpdateEvents } from './waha-updates';
import { SessionGate } from './waha-session-gate';
import { WahaState } from './waha-state';

export interface WahaRouteDeps {
  state: WahaState;
  queries: HistoryQueries;
  events: WahaEvents;
  gate: SessionGate;
  chats: ChatHandlers;
  contacts: ContactHandlers;
  send: SendHandlers;
  updates: UpdateEvents;
}

export function registerApiRoutes(server: Pick<SimServer, 'route'>, deps: WahaRouteDeps): void {
  const { state, queries, events, gate, chats, contacts, send, updates } = deps;
  /** A route that exists from release `floor` on; before it NestJS answers "Cannot GET …". */
  const since = (floor: keyof typeof SINCE, handler: SimHandler): SimHandler => {
    return (req) => (state.profile.since(floor) ? handler(req) : routeNotFound(req.method, req.path));
  };

  server.route('GET', '/ping', () => ({ status: 200, body: { message: 'pong' } }));
  server.route('GET', '/health', () => ({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } }));
  // GET /api/version: since 2022.11, deprecated for /api/server/version (2024.9.1); both answer the VERSION object.
  server.route('GET', '/api/version', () => ({ status: 200, body: events.environment() }));
  server.route(
    'GET',
    '/api/server/version',
    since('serverVersionRoute', () => ({ status: 200, body: events.environment() })),
  );
  // Uptime and stop (CL 2024.9.1 "Add GET /api/server/status … POST /api/server/stop"; src/api/server.controller.ts).
  // A stop is logged; the simulator keeps serving, as a container under a restart policy is soon back.
  server.route(
    'GET',
    '/api/server/status',
    since('serverVersionRoute', () => ({ status: 200, body: { startTimestamp: state.startedAt, uptime: Date.now() - state.startedAt, worker: { id: null } } })),
  );
  server.route(
    'POST',
    '/api/server/stop',
    since('serverVersionRoute', (req) => {
      state.serverStops.push({ force: isRecord(req.json) && req.json.force === true, at: Date.now() });
      return { status: 201, body: { stopping: true } };
    }),
  );

  // Sessions
  server.route('GET', '/api/sessions', (req) => {
    const all = parseBool(req.query.get('all')) === true;
    const list = all || state.status !== 'STOPPED' ? [gate.sessionInfo(false)] : [];
    return { status: 200, body: list };
  });
  server.route('GET', '/api/sessions/:session', (req) =>
    req.params.session === state.opts.session
      ? { status: 200, body: gate.sessionInfo(true) }
      : notFound('Session not found'),
  );
  server.route('GET', '/api/sessions/:session/me', (req) =>
    req.params.session === state.opts.session
      ? { status: 200, body: events.meOrNull() }
      : notFound('Session not found'),
  );

  // Media files (local storage)
  server.route('GET', '/api/files/:session/:filename', (req) => {
    const picture = /^picture-([\w.-]+)\.jpg$/.exec(req.params.filename);
    return picture && req.params.session === state.opts.session ? contacts.pictureFile(picture[1]) : chats.file(req);
  });

  // Contacts and lids
  server.route('GET', '/api/contacts/check-exists', (req) => contacts.checkExists(req));
  server.route('GET', '/api/contacts/profile-picture', (req) =>
    contacts.picture(req.query.get('session') ?? 'default', req.query.get('contactId') ?? '', 'profilePictureURL'),
  );
  server.route('GET', '/api/contacts/all', (req) => contacts.all(req));
  server.route('GET', '/api/contacts', (req) => contacts.contact(req));
  // The lids API (src/api/lids.controller.ts; CL 2025.5.4); NOWEB reads it from its store.
  server.route(
    'GET',
    '/api/:session/lids/count',
    since('lidsApi', async (req) => {
      const guard = await gate.guardStore(req.params.session);
      return guard ?? { status: 200, body: { count: state.data.lidToPn.size } };
    }),
  );
  server.route(
    'GET',
    '/api/:session/lids/pn/:phoneNumber',
    since('lidsApi', async (req) => {
      const guard = await gate.guardStore(req.params.session);
      if (guard) return guard;
      // A lid given where a phone is expected comes back as the lid, unlooked-up.
      if (req.params.phoneNumber.endsWith('@lid'))
        return { status: 200, body: { lid: req.params.phoneNumber, pn: null } };
      const pn = toPublicJid(req.params.phoneNumber);
      return { status: 200, body: { lid: state.data.pnToLid.get(pn) ?? null, pn } };
    }),
  );
  server.route(
    'GET',
    '/api/:session/lids/:lid',
    since('lidsApi', async (req) => {
      const guard = await gate.guardStore(req.params.session);
      if (guard) return guard;
      const raw = req.params.lid;
      // A bare number gets @lid appended; anything else that is not a lid is refused (src/api/lids.controller.ts).
      if (raw.includes('@') && !raw.endsWith('@lid')) {
        return {
          status: 422,
          body: { statusCode: 422, message: 'Invalid LID - it must end with @lid', error: 'Unprocessable Entity' },
        };
      }
      const lid = raw.includes('@') ? toPublicJid(raw) : `${raw}@lid`;
      return { status: 200, body: { lid, pn: state.data.lidToPn.get(lid) ?? null } };
    }),
  );
  server.route(
    'GET',
    '/api/:session/lids',
    since('lidsApi', async (req) => {
      const guard = await gate.guardStore(req.params.session);
      if (guard) return guard;
      const limit = parseNumber(req.query.get('limit'));
      const offset = parseNumber(req.query.get('offset'));
      if (limit === 'invalid' || offset === 'invalid') return badRequest(['limit must be a number']);
      const start = offset ?? 0;
      // Defaults limit 100, offset 0 (src/structures/lids.dto.ts).
      return { status: 200, body: queries.lids().slice(start, start + (limit ?? 100)) };
    }),
  );

  // Chats
  server.route('GET', '/api/:session/chats', (req) => chats.listChats(req));
  server.route('GET', '/api/:session/chats/overview', (req) => {
    const limit = parseNumber(req.query.get('limit'));
    const offset = parseNumber(req.query.get('offset'));
    const merge = parseBool(req.query.get('merge'));
    if (limit === 'invalid' || offset === 'invalid') return badRequest(['limit must be a number']);
    if (merge === 'invalid') return badRequest(['merge must be a boolean value']);
    return chats.overview(req.params.session, limit ?? 20, offset ?? 0, req.query.getAll('ids'), merge);
  });
  server.route('POST', '/api/:session/chats/overview', async (req) => {
    const body = isRecord(req.json) ? req.json : {};
    const pagination = body.pagination;
    if (!isRecord(pagination)) return badRequest(['pagination should not be null or undefined']);
    const filter = isRecord(body.filter) ? body.filter : {};
    const ids = Array.isArray(filter.ids) ? filter.ids.filter((v): v is string => typeof v === 'string') : [];
    const response = await chats.overview(
      req.params.session,
      typeof pagination.limit === 'number' ? pagination.limit : 20,
      typeof pagination.offset === 'number' ? pagination.offset : 0,
      ids,
      typeof pagination.merge === 'boolean' ? pagination.merge : undefined,
    );
    return response.status === 200 ? { ...response, status: 201 } : response;
  });
  // CL 2024.12.6 "Add Get chat picture API": unknown before (404), when clients ask /api/contacts/profile-picture.
  server.route('GET', '/api/:session/chats/:chatId/picture', since('chatPicture', (req) => contacts.picture(req.params.session, req.params.chatId, 'url')));
  server.route('GET', '/api/:session/chats/:chatId/messages', (req) =>
    chats.listMessages(req, req.params.session, req.params.chatId),
  );
  server.route('GET', '/api/messages', (req) =>
    chats.listMessages(req, req.query.get('session') ?? 'default', req.query.get('chatId') ?? ''),
  );
  server.route('GET', '/api/:session/chats/:chatId/messages/:messageId', (req) => chats.messageById(req));
  // Delete a message for everyone (src/api/chats.controller.ts deleteMessage): the account's own messages; WhatsApp
  // then reports the revoke like one made on the phone (message.revoked).
  server.route('DELETE', '/api/:session/chats/:chatId/messages/:messageId', async (req) => {
    const guard = await gate.guardSession(req.params.session);
    if (guard) return guard;
    const msg = queries.lookup(req.params.messageId);
    if (!msg || !msg.fromMe) return notFound('Message not found');
    state.revokeLog.push(req.params.messageId);
    if (!msg.revoked) await updates.revoke(req.params.messageId);
    return { status: 200, body: {} };
  });
  server.route('GET', '/api/:session/groups/:id', (req) => contacts.group(req));
  server.route('GET', '/api/:session/channels/:id', (req) => contacts.channel(req));

  // Sending
  server.route('POST', '/api/sendText', (req) => send.sendMessage(req, 'sendText'));
  server.route('POST', '/api/sendImage', (req) => send.sendMessage(req, 'sendImage'));
  server.route('POST', '/api/sendFile', (req) => send.sendMessage(req, 'sendFile'));
  server.route('POST', '/api/sendVoice', (req) => send.sendMessage(req, 'sendVoice'));
  server.route('POST', '/api/sendVideo', (req) => send.sendMessage(req, 'sendVideo'));
  server.route('POST', '/api/sendSeen', (req) => send.sendSeen(req));
  for (const action of ['startTyping', 'stopTyping']) {
    server.route('POST', `/api/${action}`, async (req) => {
      const body = isRecord(req.json) ? req.json : {};
      const guard = await gate.guardSession(str(body.session) ?? 'default');
      if (!guard) state.typingLog.push({ action, chatId: str(body.chatId) ?? '', at: Date.now() });
      return guard ?? { status: 201 };
    });
  }
}
