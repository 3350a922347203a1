/**
 * Turns a WhatsApp message into what is posted to ChatWoot: the rendered text (see message-renderer.ts), the group
 * member's name, and the media file when it is wanted and WAHA still has it. Shared by the pull and the live relay.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { CwAttachmentUpload, CwNewMessage } from '../clients/chatwoot/chatwoot.types';
import { WahaMessage } from '../clients/waha/waha.types';
import { reportedMediaSize } from '../clients/waha/media-size';
import { contentOf } from '../clients/waha/waha-content';
import { safeFilename } from '../common/filenames';
import { chatKind, parseMessageId, phoneDigits, publicJid } from '../common/jids';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { Texts } from '../texts/texts';
import { MediaOutcome, MediaTooLarge, renderMessage } from './message-renderer';

export interface ComposeOptions {
  /** Download and attach media (the pull's --media; always for live messages). */
  media: boolean;
  mediaTimeoutMs: number;
  /** ChatWoot message id of the quoted message, from the ledger. */
  inReplyTo?: number;
  /** Add the original date line. */
  withDate: boolean;
  /** source_id written on the ChatWoot message (what settles an unknown outcome). */
  sourceId: string;
}

export interface ComposedMessage {
  message: CwNewMessage;
  attachments: CwAttachmentUpload[];
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'oga',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

const PARTICIPANT_CACHE_LIMIT = 50_000;
/** A message mentioning more members than this (`@all` in a big group) names the first ones only. */
const MAX_MENTIONS = 20;

@Injectable()
export class MessageComposer {
  /** "Name (+phone)" of group members, per app: looked up once per process. */
  private readonly participantNames = new Map<string, string>();

  constructor(
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async compose(app: AppContext, chatId: string, message: WahaMessage, options: ComposeOptions): Promise<ComposedMessage> {
    const content = contentOf(message);
    // A view-once message is never copied: WhatsApp shows it once, on the phone.
    const { media, attachments, tooLarge } = content.kind.kind === 'view-once' ? { media: 'none' as const, attachments: [], tooLarge: undefined } : await this.media(app, chatId, message, options);
    const rendered = renderMessage(
      message,
      {
        content,
        mentionNames: await this.mentionNames(app, content.mentions),
        chatKind: chatKind(chatId),
        participant: await this.participant(app, message),
        inReplyTo: options.inReplyTo,
        outgoingMode: app.config.chatwoot.outgoingMode,
        media,
        tooLarge,
        withDate: options.withDate,
        timeZone: this.config.tuning.timeZone,
        sourceId: options.sourceId,
      },
      this.texts,
    );
    return { message: rendered, attachments };
  }

  /** Names of the members a message mentions, by their number as it appears in the text (`@4915…`). */
  private async mentionNames(app: AppContext, mentions: readonly string[]): Promise<Record<string, string> | undefined> {
    if (mentions.length === 0) return undefined;
    const names: Record<string, string> = {};
    for (const jid of mentions.slice(0, MAX_MENTIONS)) {
      const user = jid.split('@')[0]?.split(':')[0];
      if (user) names[user] = await this.participantName(app, jid);
    }
    return names;
  }

  private async participant(app: AppContext, message: WahaMessage): Promise<string | undefined> {
    const jid = message.participant ?? parseMessageId(message.id).participant;
    if (!jid) return undefined;
    return this.participantName(app, jid, message);
  }

  /** "Name (+phone)" of a group member (looked up in WAHA once per process), or the phone or JID. */
  async participantName(app: AppContext, jid: string, message?: WahaMessage): Promise<string> {
    const key = `${app.config.id}|${jid}`;
    const cached = this.participantNames.get(key);
    if (cached) return cached;
    const contact = await app.waha.contact(publicJid(jid)).catch(() => null);
    const name = contact?.name || contact?.pushname || contact?.pushName || message?._data?.pushName || message?._data?.notifyName;
    const digits = phoneDigits(jid);
    const label = name ? (digits ? `${name} (+${digits})` : name) : digits ? `+${digits}` : publicJid(jid);
    if (this.participantNames.size > PARTICIPANT_CACHE_LIMIT) this.participantNames.clear();
    this.participantNames.set(key, label);
    return label;
  }

  /**
   * The media file, when wanted and no larger than MEDIA_MAX_SIZE: the size the engine reports is checked before
   * WAHA is asked to download it, the download's Content-Length and byte count while it streams (waha.client.ts).
   */
  private async media(app: AppContext, chatId: string, message: WahaMessage, options: ComposeOptions): Promise<{ media: MediaOutcome; attachments: CwAttachmentUpload[]; tooLarge?: MediaTooLarge }> {
    if (!message.hasMedia) return { media: 'none', attachments: [] };
    if (!options.media) return { media: 'not-requested', attachments: [] };
    const limit = this.config.limits.mediaMaxBytes;
    const tooLarge = (size: number | undefined, filename?: string): { media: MediaOutcome; attachments: CwAttachmentUpload[]; tooLarge: MediaTooLarge } => {
      this.logger.info({ messageId: message.id, size, limit }, 'media over MEDIA_MAX_SIZE: not imported');
      return { media: 'too-large', attachments: [], tooLarge: { size, limit, filename } };
    };
    const reported = reportedMediaSize(message._data);
    if (reported !== undefined && reported > limit) return tooLarge(reported, message.media?.filename ?? undefined);
    const timeout = options.mediaTimeoutMs;
    try {
      const full = await app.waha.messageWithMedia(message.id, chatId, timeout);
      const url = full?.media?.url;
      if (!url) return { media: 'unavailable', attachments: [] };
      const file = await app.waha.download(url, limit, timeout);
      if (!file) return { media: 'unavailable', attachments: [] };
      if (file.kind === 'too-large') return tooLarge(file.size ?? reported, full.media?.filename ?? undefined);
      const mimetype = full.media?.mimetype ?? file.mimetype ?? 'application/octet-stream';
      const ext = EXTENSIONS[mimetype] ?? mimetype.split('/')[1]?.split(';')[0] ?? 'bin';
      const filename = safeFilename(full.media?.filename ?? undefined, `${parseMessageId(message.id).waId}.${ext}`);
      return { media: 'attached', attachments: [{ filename, mimetype, data: file.blob }] };
    } catch (error) {
      this.logger.warn({ err: error, messageId: message.id }, 'media could not be downloaded');
      return { media: 'unavailable', attachments: [] };
    }
  }
}
