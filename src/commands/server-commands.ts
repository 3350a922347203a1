/**
 * `wa/server status|reboot`: the WAHA server from ChatWoot, as WAHA's app has it (waha-chatwoot.md §1.5), off unless
 * SERVER_COMMANDS is on for the app (a reboot stops WhatsApp for every session on that WAHA), and like every command
 * only for agents COMMAND_AGENTS allows. `status` adds what only the bridge knows: its worker processes and Redis's
 * memory. `reboot` is WAHA's `POST /api/server/stop` (a restart policy starts it again) and asks for `--yes`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AppContext } from '../apps/apps.service';
import { isRefusal, isUpstreamError } from '../clients/http/http-error';
import { formatDuration } from '../common/durations';
import { TEXTS } from '../config/texts.provider';
import { CommandOrigin } from '../integration-chat/command-origin';
import { ReplyService } from '../integration-chat/reply.service';
import { QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { Command } from './grammar/command.types';

type ServerCommand = Extract<Command, { kind: `server.${string}` }>;

@Injectable()
export class ServerCommands {
  constructor(
    private readonly replies: ReplyService,
    private readonly queues: Queues,
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
  ) {}

  async run(app: AppContext, origin: CommandOrigin, command: ServerCommand, prefix: string): Promise<void> {
    if (command.kind === 'server.help') return this.replies.reply(origin, this.texts.render('help.server', { prefix }));
    if (!app.config.serverCommands) return this.replies.reply(origin, this.texts.render('server.disabled'));
    try {
      if (command.kind === 'server.status') return await this.status(app, origin);
      const typed = `${prefix}server reboot${command.force ? ' --force' : ''}`;
      if (!command.confirmed) return await this.replies.reply(origin, this.texts.render('server.confirm', { command: typed }));
      try {
        await app.waha.serverStop(command.force);
      } catch (error) {
        // WAHA may have stopped before answering: never stop it twice on a job retry.
        if (!isUpstreamError(error, 'unknown-outcome')) throw error;
      }
      // Done: a reply ChatWoot refuses now must not make the job (and the reboot) run again.
      return await this.replies.reply(origin, this.texts.render('server.rebooting', { force: command.force, prefix })).catch(() => undefined);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return this.replies.reply(origin, this.texts.render('server.refused', { reason: error.reason }));
    }
  }

  private async status(app: AppContext, origin: CommandOrigin): Promise<void> {
    const [version, status, workers, memory] = await Promise.all([
      app.waha.serverVersion(),
      // Before WAHA 2024.9.1 there is no uptime to tell.
      app.waha.serverStatus().catch((error: unknown) => {
        if (isUpstreamError(error, 'not-found')) return null;
        throw error;
      }),
      // Every worker process (roles all and worker) works the live queue; an api-only process does not count.
      this.queues.byName(QueueName.WhatsApp).getWorkers(),
      this.redis.client.info('memory'),
    ]);
    const redis = /^used_memory_human:(\S+)/m.exec(memory)?.[1] ?? '?';
    const started = typeof status?.startTimestamp === 'number' ? new Date(status.startTimestamp).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : undefined;
    await this.replies.reply(
      origin,
      this.texts.render('server.statusReply', {
        version: version.version,
        engine: version.engine ?? '?',
        tier: version.tier,
        uptime: typeof status?.uptime === 'number' ? formatDuration(status.uptime) : undefined,
        started,
        workers: workers.length,
        redis,
      }),
    );
  }
}
