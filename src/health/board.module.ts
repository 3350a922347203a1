/**
 * The BullMQ board (`@bull-board`) at `/admin/queues`: every queue of the service, its jobs, their data, errors and
 * logs, for an operator watching a pull or the relay. Mounted only when ADMIN_TOKEN is set (a 404 otherwise), and
 * behind it: the admin Bearer token, or a browser's login prompt (HTTP Basic, any user name, the token as password).
 *
 * Read-only: a job retried, removed or promoted from the board would skip what `wa/queue retry` and the pull's
 * ledger keep straight (dead letters, fences, the one-pull-per-app slot), so changes go through the commands.
 */
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { BOARD_ROUTE } from '../queue/board-links';
import { QueueModule } from '../queue/queue.module';
import { QueueName } from '../queue/queue.constants';
import { browserAccess } from './admin-auth';

function guard(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (browserAccess(token, req.headers.authorization) === 'ok') return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="WhatsApp bridge queues", charset="UTF-8"');
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).type('text/plain').send('The queue board needs the ADMIN_TOKEN: any user name, the token as password (or Authorization: Bearer <ADMIN_TOKEN>).');
  };
}

@Module({})
export class BoardModule {
  /** The board behind `token`; nothing at all without one. */
  static forRoot(token: string | undefined): DynamicModule {
    if (!token) return { module: BoardModule };
    const queues = Object.values(QueueName).map((name) => ({ name, adapter: BullMQAdapter, options: { readOnlyMode: true } }));
    return {
      module: BoardModule,
      imports: [
        QueueModule,
        BullBoardModule.forRoot({
          route: BOARD_ROUTE,
          adapter: ExpressAdapter,
          middleware: guard(token),
          boardOptions: { uiConfig: { boardTitle: 'WhatsApp ⇄ ChatWoot' } },
        }),
        BullBoardModule.forFeature(...queues),
      ],
    };
  }
}
