/**
 * ChatWoot's server-level route: GET /api, the running version, without a token (config/routes.rb
 * `get '/api', to: 'api#index'`; app/controllers/api_controller.rb#index: version from config/app.yml, the UTC time
 * as `to_fs(:db)`, and whether Redis and Postgres answer).
 */
import { ApiRouter, RouteDeps } from './route-kit';

/** `2026-06-17 10:20:30`: Rails' `:db` format of a UTC time. */
function dbTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export class ServerRoutes {
  constructor(private readonly deps: Pick<RouteDeps, 'options'>) {}

  register(router: ApiRouter): void {
    router.counted('GET', '/api', () => ({
      status: 200,
      body: {
        version: this.deps.options.version,
        timestamp: dbTime(new Date()),
        queue_services: 'ok',
        data_services: 'ok',
      },
    }));
  }
}
