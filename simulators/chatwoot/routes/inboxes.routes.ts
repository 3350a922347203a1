/**
 * ChatWoot inbox routes (the one API-channel inbox) and the Active Storage redirect that serves uploaded
 * attachments.
 */
import { SimServer } from '../../common/sim-server';
import { NOT_FOUND_BODY } from '../chatwoot-types';
import { ApiRouter, RouteDeps, requireInbox } from './route-kit';

export class InboxRoutes {
  constructor(private readonly deps: Pick<RouteDeps, 'store' | 'views' | 'options'>) {}

  /** The attachment download is an uncounted route outside the API; the inbox routes are counted API routes. */
  register(server: Pick<SimServer, 'route'>, router: ApiRouter): void {
    const { store, views, options } = this.deps;
    // Active Storage's route takes the file name as a glob (`/rails/active_storage/blobs/redirect/:signed_id/
    // *filename`), dots included.
    server.route('GET', '/rails/active_storage/blobs/redirect/:id/*filename', (req) => {
      const attachment = store.attachmentsById.get(Number(req.params.id));
      if (!attachment?.data) return { status: 404, body: NOT_FOUND_BODY };
      return { status: 200, raw: attachment.data, headers: { 'content-type': attachment.contentType } };
    });

    router.api('GET', '/inboxes', () => ({ status: 200, body: { payload: [views.inbox()] } }));
    router.api('GET', '/inboxes/:id', (req) => {
      requireInbox(options, req.params.id);
      return { status: 200, body: views.inbox() };
    });
  }
}
