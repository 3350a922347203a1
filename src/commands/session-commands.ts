/**
 * `wa/session …`: the WhatsApp session in WAHA, run from ChatWoot (WAHA's app has the same actions and numbers,
 * waha-chatwoot.md §1.5). Status with what to do next; start, restart, and stop/logout after `--yes`; the pairing QR
 * as an image, renewed in the conversation while WhatsApp renews it until the phone is paired or QR_WAIT passed;
 * a screenshot where the engine has a browser to show (WEBJS, WPP), and why not elsewhere.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { CwAttachmentUpload } from '../clients/chatwoot/chatwoot.types';
import { isRefusal, isUpstreamError } from '../clients/http/http-error';
import { sessionEngine } from '../clients/waha/waha-capabilities';
import { SessionAction, WahaImage } from '../clients/waha/waha.client';
import { WahaSession } from '../clients/waha/waha.types';
import { formatDuration } from '../common/durations';
import { sleep } from '../common/sleep';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { CommandOrigin } from '../integration-chat/command-origin';
import { ReplyService } from '../integration-chat/reply.service';
import { nextStep } from '../integration-chat/session-next';
import { LOGGER } from '../logging/logger';
import { Texts } from '../texts/texts';
import { Command } from './grammar/command.types';

type SessionCommand = Extract<Command, { kind: `session.${string}` }>;

/** How often `session qr` looks whether the phone paired or WhatsApp renewed the QR (it does about every 20 s). */
const QR_POLL_MS = 2_000;

function accountOf(session: WahaSession): string | undefined {
  const me = session.me;
  if (!me?.id) return undefined;
  const number = /^(\d+)@/.exec(me.id)?.[1];
  const who = number ? `+${number}` : me.id;
  return me.pushName ? `${me.pushName} (${who})` : who;
}

function upload(image: WahaImage, name: string): CwAttachmentUpload {
  const extension = image.mimetype.split('/')[1]?.split(';')[0] ?? 'png';
  return { filename: `${name}.${extension === 'jpeg' ? 'jpg' : extension}`, mimetype: image.mimetype, data: new Blob([image.data], { type: image.mimetype }) };
}

@Injectable()
export class SessionCommands {
  constructor(
    private readonly replies: ReplyService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(app: AppContext, origin: CommandOrigin, command: SessionCommand, prefix: string): Promise<void> {
    const session = app.config.waha.session;
    switch (command.kind) {
      case 'session.help':
        return this.replies.reply(origin, this.texts.render('help.session', { prefix }));
      case 'session.status': {
        const found = await this.ask(origin, `${prefix}session status`, () => app.waha.getSession());
        if (!found) return;
        const engine = sessionEngine(found) ?? undefined;
        return this.replies.reply(origin, this.texts.render('session.report', { session, status: found.status, engine, account: accountOf(found), next: nextStep(found.status, prefix, this.texts) }));
      }
      case 'session.stop':
      case 'session.logout':
        if (!command.confirmed) {
          return this.replies.reply(origin, this.texts.render('session.confirm', { command: `${prefix}session ${command.kind.slice('session.'.length)}`, logout: command.kind === 'session.logout' }));
        }
        return this.act(app, origin, command.kind === 'session.stop' ? 'stop' : 'logout', prefix);
      case 'session.start':
        return this.act(app, origin, 'start', prefix);
      case 'session.restart':
        return this.act(app, origin, 'restart', prefix);
      case 'session.qr':
        return this.qr(app, origin, prefix);
      case 'session.screenshot':
        return this.screenshot(app, origin, prefix);
    }
  }

  /** Runs a WAHA call; on refusal the agent gets WAHA's reason and undefined is returned. Outages are thrown (retried). */
  private async ask<T>(origin: CommandOrigin, command: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (isRefusal(error)) {
        await this.replies.reply(origin, this.texts.render('session.refused', { command, reason: error.reason }));
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Runs a session action once: a job retry must not stop, log out or restart the session again. A timeout may have
   * done it (the agent is told to look), and a reply ChatWoot refuses after the action only goes to the log.
   */
  private async act(app: AppContext, origin: CommandOrigin, action: SessionAction, prefix: string): Promise<void> {
    const command = `${prefix}session ${action}`;
    this.logger.info({ appId: app.config.id, action }, 'session command');
    let result: WahaSession | undefined;
    try {
      result = await this.ask(origin, command, () => app.waha.sessionAction(action));
    } catch (error) {
      if (!isUpstreamError(error, 'unknown-outcome')) throw error;
      return this.replySafe(origin, this.texts.render('session.noAnswer', { command, prefix }));
    }
    if (!result) return;
    const status = typeof result.status === 'string' ? result.status : 'UNKNOWN';
    await this.replySafe(origin, this.texts.render('session.done', { command, session: app.config.waha.session, status, next: nextStep(status, prefix, this.texts) }));
  }

  private async replySafe(origin: CommandOrigin, content: string): Promise<void> {
    await this.replies.reply(origin, content).catch((error: unknown) => this.logger.warn({ err: error, conversationId: origin.conversationId }, 'cannot post the reply of a session command that was done'));
  }

  /**
   * Posts the QR, and a new one each time WhatsApp renews it, until the session is WORKING (paired) or QR_WAIT passed.
   * A session that needs no QR says why and what to do instead.
   */
  private async qr(app: AppContext, origin: CommandOrigin, prefix: string): Promise<void> {
    const started = Date.now();
    const wait = this.config.tuning.qrWaitMs;
    let shown = '';
    for (;;) {
      const session = await this.ask(origin, `${prefix}session qr`, () => app.waha.getSession());
      if (!session) return;
      if (session.status === 'WORKING') {
        if (shown) return this.replies.reply(origin, this.texts.render('session.paired', { session: app.config.waha.session, account: accountOf(session) }));
        return this.replies.reply(origin, this.texts.render('session.qrNotNeeded', { status: session.status }));
      }
      if (session.status === 'STOPPED' || session.status === 'FAILED' || (session.status !== 'SCAN_QR_CODE' && session.status !== 'STARTING')) {
        return this.replies.reply(origin, this.texts.render('session.qrNotNeeded', { status: session.status, next: nextStep(session.status, prefix, this.texts) }));
      }
      const left = wait - (Date.now() - started);
      if (left <= 0) return this.replies.reply(origin, this.texts.render('session.qrTimeout', { timeout: formatDuration(wait), prefix }));
      if (session.status === 'SCAN_QR_CODE') {
        const image = await app.waha.qr().catch((error: unknown) => {
          // Paired (or restarted) between the two calls: the next round says which.
          if (isUpstreamError(error) && error.status === 422) return undefined;
          throw error;
        });
        const digest = image ? createHash('sha1').update(image.data).digest('hex') : '';
        if (image && digest !== shown) {
          shown = digest;
          await this.replies.replyWithImage(origin, this.texts.render('session.qrCaption', { left: formatDuration(left) }), upload(image, 'qr'));
        }
      }
      await sleep(Math.min(QR_POLL_MS, left));
    }
  }

  private async screenshot(app: AppContext, origin: CommandOrigin, prefix: string): Promise<void> {
    try {
      const image = await app.waha.screenshot();
      const name = sessionEngine(await app.waha.getSession().catch(() => null)) ?? '?';
      await this.replies.replyWithImage(origin, this.texts.render('session.screenshotCaption', { session: app.config.waha.session, engine: name }), upload(image, 'screenshot'));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const browserless = /non chrome based engine/i.test(error.reason);
      const engine = browserless ? (sessionEngine(await app.waha.getSession().catch(() => null)) ?? 'this engine') : undefined;
      this.logger.info({ appId: app.config.id, err: error }, `${prefix}session screenshot refused`);
      await this.replies.reply(origin, this.texts.render('session.noScreenshot', { reason: error.reason, engine }));
    }
  }
}
