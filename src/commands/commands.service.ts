/** Runs one parsed command and answers in the conversation it came from. */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { formatDuration, formatElapsed } from '../common/durations';
import { ContactsService } from '../contacts/contacts.service';
import { ContactsReport } from '../contacts/contacts-report';
import { TEXTS } from '../config/texts.provider';
import { CommandOrigin } from '../integration-chat/command-origin';
import { ReplyService } from '../integration-chat/reply.service';
import { LOGGER } from '../logging/logger';
import { PullService } from '../pull/pull.service';
import { QueueControlService } from '../queue/queue-control.service';
import { RelayIntake } from '../relay/relay.intake';
import { Texts } from '../texts/texts';
import { Command } from './grammar/command.types';
import { parseCommand } from './grammar/parse-command';
import { ServerCommands } from './server-commands';
import { SessionCommands } from './session-commands';

@Injectable()
export class CommandsService {
  constructor(
    private readonly replies: ReplyService,
    private readonly pulls: PullService,
    private readonly control: QueueControlService,
    private readonly relay: RelayIntake,
    private readonly sessions: SessionCommands,
    private readonly servers: ServerCommands,
    private readonly contacts: ContactsService,
    private readonly contactsReport: ContactsReport,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `content` is what the agent typed; `typedAt` (ms) anchors pull windows. */
  async handle(app: AppContext, origin: CommandOrigin, content: string, typedAt: number, typedLength?: number): Promise<void> {
    const parsed = parseCommand(content, { prefix: app.config.commandPrefix, commandsChat: origin.commandsChat, texts: this.texts, typedLength });
    const log = this.logger.child({ appId: origin.appId, conversationId: origin.conversationId, messageId: origin.messageId });
    switch (parsed.type) {
      case 'not-a-command':
        // Looked like a command at intake but is not one (e.g. only the prefix inside text): relay it as a reply.
        if (!origin.commandsChat) {
          await this.relay.fromCommandFallthrough(app, {
            messageId: origin.messageId,
            conversationId: origin.conversationId,
            content,
            attachments: [],
            contact: { chatIds: origin.contactChatIds },
          });
        }
        return;
      case 'error':
        log.info({ error: parsed.message }, 'malformed command');
        await this.replies.reply(origin, parsed.message);
        return;
      case 'command':
        log.info({ command: parsed.text }, 'command');
        await this.run(app, origin, parsed.command, typedAt);
        return;
    }
  }

  /** An agent not in COMMAND_AGENTS typed a command: say so where it was typed, run nothing. */
  async refuse(origin: CommandOrigin): Promise<void> {
    this.logger.info({ appId: origin.appId, conversationId: origin.conversationId, messageId: origin.messageId }, 'command of an agent not in COMMAND_AGENTS: not run');
    await this.replies.reply(origin, this.texts.render('command.notAllowed', {}));
  }

  private prefix(app: AppContext, origin: CommandOrigin): string {
    return origin.commandsChat ? '' : app.config.commandPrefix;
  }

  private async run(app: AppContext, origin: CommandOrigin, command: Command, typedAt: number): Promise<void> {
    const prefix = this.prefix(app, origin);
    switch (command.kind) {
      case 'help':
        return this.replies.reply(origin, this.texts.render('help.root', { prefix }));
      case 'messages.help':
        return this.replies.reply(origin, this.texts.render('help.messages', { prefix, retryWindow: formatDuration(this.config.reliability.retryWindowMs) }));
      case 'queue.help':
        return this.replies.reply(origin, this.texts.render('help.queue', { prefix }));
      case 'contacts.help':
        return this.replies.reply(origin, this.texts.render('help.contacts', { prefix }));
      case 'contacts.status': {
        const text = await this.contacts.statusText(origin.appId, prefix);
        return this.replies.reply(origin, text ?? this.texts.render('contacts.statusNone', { prefix }));
      }
      case 'contacts.stop': {
        const stopped = await this.contacts.stop(origin.appId);
        if (!stopped) return this.replies.reply(origin, this.texts.render('contacts.noneToStop'));
        // Stopped here (it was waiting between attempts): the summary says so; else the pull posts it when it stops.
        if (stopped.ended) return this.contactsReport.ended(app, stopped.record);
        return this.replies.reply(origin, this.texts.render('contacts.stopRequested', { prefix }));
      }
      case 'contacts.pull': {
        const result = await this.contacts.start(origin, command.options);
        if (result.kind === 'running') {
          const record = result.record;
          return this.replies.reply(origin, this.texts.render('contacts.alreadyRunning', { state: record.state, processed: record.processed, startedAgo: formatElapsed(Date.now() - record.createdAt), prefix }));
        }
        return this.replies.activity(origin, this.contactsReport.started(result.record, prefix, result.kind === 'resumed'));
      }
      case 'messages.status':
        return this.replies.reply(origin, await this.pulls.statusText(origin.appId, prefix));
      case 'messages.stop': {
        const record = await this.pulls.stop(origin.appId);
        return this.replies.reply(origin, record ? this.texts.render('pull.stopRequested', { scope: record.scope, prefix }) : this.texts.render('pull.noneToStop', { prefix }));
      }
      case 'messages.pull': {
        const result = await this.pulls.start(origin, command.options, typedAt);
        if (!result.started) return this.replies.reply(origin, this.pulls.alreadyRunningText(result.running, prefix));
        return;
      }
      case 'queue.status': {
        const queues = await this.control.status(command.target, origin.appId);
        return this.replies.reply(origin, this.texts.render('queue.status', { queues, prefix }));
      }
      case 'queue.retry': {
        const names = this.control.targets(command.target);
        const retried = await this.relay.retryDeadLetters(origin.appId, names);
        const rows = names.map((name) => ({ name, label: this.control.label(name), count: retried.get(name) ?? 0 }));
        if (rows.every((row) => row.count === 0)) return this.replies.reply(origin, this.texts.render('queue.nothingToRetry', { names: names.join(', ') }));
        return this.replies.reply(origin, this.texts.render('queue.retried', { rows: rows.filter((row) => row.count > 0) }));
      }
      case 'queue.stop': {
        const names = await this.control.pause(command.target);
        return this.replies.activity(origin, this.texts.render('queue.paused', { names: names.join(', '), prefix }));
      }
      case 'session.help':
      case 'session.status':
      case 'session.start':
      case 'session.restart':
      case 'session.stop':
      case 'session.logout':
      case 'session.qr':
      case 'session.screenshot':
        return this.sessions.run(app, origin, command, prefix);
      case 'server.help':
      case 'server.status':
      case 'server.reboot':
        return this.servers.run(app, origin, command, prefix);
      case 'queue.start': {
        const names = await this.control.resume(command.target);
        // Resumed by hand: a pull that paused them must not think it still holds them.
        if (command.target === 'all') await this.pulls.releasePauseHold();
        return this.replies.activity(origin, this.texts.render('queue.resumed', { names: names.join(', ') }));
      }
    }
  }
}
