/**
 * How an agent's message goes out on WhatsApp: which parts, in which order, through which WAHA send. Pure, so every
 * rule is unit-tested. WAHA's ChatWoot app does the same (waha-chatwoot.md §5.4): JPEG and PNG images go as images,
 * videos as videos, audio as voice notes, anything else as a document; the text is the caption of a single
 * attachment that can carry one, and a message of its own otherwise.
 *
 * - A voice note carries no caption on WhatsApp: with text, the text goes first as its own message.
 * - Before WAHA 2025.6.2 (no `convert`), only MP4 video goes as a video and only Ogg/Opus audio as a voice note;
 *   other formats go as documents, so the customer still gets the file.
 * - Each part has a key that stays the same when the message is tried again (pending-sends.ts records parts by it):
 *   0 for a captioned single attachment or the text, then 1, 2, … for the files after a text of their own; a voice
 *   note's text is `voice-text`, the voice note 0.
 */
import { SendFile } from '../clients/waha/waha.types';
import { safeFilename, urlFilename } from '../common/filenames';
import { AgentAttachment } from './agent-message';

export type SendMethod = 'sendText' | 'sendImage' | 'sendVideo' | 'sendVoice' | 'sendFile';

export interface PlannedPart {
  key: number | string;
  method: SendMethod;
  /** The text of a text part. */
  text?: string;
  /** The file of an attachment part, with its caption when it carries the text. */
  file?: SendFile;
  caption?: string;
  /** Ask WAHA to convert the file (voice notes and videos, WAHA 2025.6.2 on). */
  convert?: boolean;
}

const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
};

/** The file WAHA is asked to send: ChatWoot's URL, a safe file name, and the media type ChatWoot gave or the extension says. */
export function fileOf(attachment: AgentAttachment, index: number): SendFile {
  const url = attachment.url;
  const extension = (attachment.extension ?? urlFilename(url).split('.').pop() ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  const filename = safeFilename(urlFilename(url), `file-${index + 1}.${extension || 'bin'}`);
  const given = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  const mimetype = given && given.includes('/') ? given : IMAGE_TYPES[extension] || MIME_BY_EXTENSION[extension] || 'application/octet-stream';
  return { url, filename, mimetype };
}

function methodOf(attachment: AgentAttachment, file: SendFile, convertsMedia: boolean): SendMethod {
  const type = file.mimetype;
  if ((attachment.fileType === 'image' || type.startsWith('image/')) && (type === 'image/jpeg' || type === 'image/png')) return 'sendImage';
  if (attachment.fileType === 'video' || type.startsWith('video/')) return convertsMedia || type === 'video/mp4' ? 'sendVideo' : 'sendFile';
  if (attachment.fileType === 'audio' || type.startsWith('audio/')) return convertsMedia || type === 'audio/ogg' ? 'sendVoice' : 'sendFile';
  return 'sendFile';
}

export function planParts(text: string, attachments: readonly AgentAttachment[], convertsMedia: boolean): PlannedPart[] {
  const files = attachments.map((attachment, index) => {
    const file = fileOf(attachment, index);
    return { file, method: methodOf(attachment, file, convertsMedia) };
  });
  const single = files.length === 1;
  const captioned = text !== '' && single && files[0].method !== 'sendVoice';
  // A voice note's text goes first under a key of its own, the voice note keeping the single attachment's key 0:
  // a message an earlier version sent as one captioned file (key 0) is not sent again as a voice note.
  const voiceText = text !== '' && single && files[0].method === 'sendVoice';
  const textOwn = text !== '' && !captioned && !voiceText;
  const parts: PlannedPart[] = textOwn ? [{ key: 0, method: 'sendText', text }] : voiceText ? [{ key: 'voice-text', method: 'sendText', text }] : [];
  files.forEach(({ file, method }, index) => {
    const convert = convertsMedia && (method === 'sendVoice' || method === 'sendVideo');
    parts.push({ key: textOwn ? index + 1 : index, method, file, ...(captioned ? { caption: text } : {}), ...(convert ? { convert } : {}) });
  });
  return parts;
}
