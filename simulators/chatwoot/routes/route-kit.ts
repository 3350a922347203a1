/**
 * What the ChatWoot API route groups share: the router that counts every answer by status, the pieces of the
 * simulator a route group may use, paging helpers, and the 404-or-record lookups.
 */
import { SimHandler, SimServer } from '../../common/sim-server';
import { ChatwootStore } from '../chatwoot-store';
import { SimContact, SimConversation, SimCustomAttributeDefinition, SimHttpError, notFound } from '../chatwoot-types';
import { ChatwootViews } from '../chatwoot-views';
import { MessageWriter } from '../message-writer';
import { RequestPipeline } from '../request-pipeline';
import { StatsRecorder } from '../sim-stats';
import { ResolvedOptions } from '../simulator-types';
import { ChatwootWebhooks } from '../webhook-events';

const ACCOUNT = '/api/v1/accounts/:account_id';

/** The simulator's shared state and services; each route group takes the part it needs. */
export interface RouteDeps {
  store: ChatwootStore;
  views: ChatwootViews;
  options: ResolvedOptions;
  writer: MessageWriter;
  webhooks: ChatwootWebhooks;
  pipeline: RequestPipeline;
}

/** Registers API routes on the server; their answers are counted by status, SimHttpError turned into its answer. */
export class ApiRouter {
  constructor(
    private readonly server: Pick<SimServer, 'route'>,
    private readonly stats: StatsRecorder,
  ) {}

  /** A route under `/api/v1/accounts/:account_id`. */
  api(method: string, path: string, handler: SimHandler): void {
    this.counted(method, `${ACCOUNT}${path}`, handler);
  }

  /** A route whose answers are counted by status, with SimHttpError turned into its answer. */
  counted(method: string, path: string, handler: SimHandler): void {
    this.server.route(method, path, async (req) => {
      try {
        const response = await handler(req);
        this.stats.countStatus(response.status);
        return response;
      } catch (error) {
        if (error instanceof SimHttpError) {
          this.stats.countStatus(error.status);
          return { status: error.status, body: error.body };
        }
        this.stats.countStatus(500);
        throw error;
      }
    });
  }
}

export function positiveInt(value: unknown, fallback: number): number {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : fallback;
}

export function paginate<T>(items: T[], page: number, perPage: number): T[] {
  return items.slice((page - 1) * perPage, page * perPage);
}

export function requireInbox(options: ResolvedOptions, id: unknown): void {
  if (Number(id) !== options.inboxId) throw notFound();
}

export function requireContact(store: ChatwootStore, id: unknown): SimContact {
  const contact = store.contacts.get(Number(id));
  if (!contact) throw notFound();
  return contact;
}

export function requireConversation(store: ChatwootStore, id: unknown): SimConversation {
  const conversation = store.conversations.get(Number(id));
  if (!conversation) throw notFound();
  return conversation;
}

export function requireDefinition(store: ChatwootStore, id: unknown): SimCustomAttributeDefinition {
  const definition = store.customAttributeDefinitions.get(Number(id));
  if (!definition) throw notFound();
  return definition;
}
