/**
 * The size of a WhatsApp media file as the engine reports it in `_data`, before anything is downloaded (WAHA's
 * `media` object has no size: WAMedia in src/structures/media.dto.ts). Per engine:
 * - WEBJS: `_data.size`, a number (whatsapp-web.js Msg model; seen in sample payloads, not read in WAHA's code);
 * - NOWEB: the Baileys message, `_data.message.<kind>Message.fileLength` (a Long: a decimal string once serialised,
 *   a number, or `{low, high}`; the serialised form inferred from sample payloads), also inside wrappers such as
 *   `documentWithCaptionMessage.message`;
 * - GOWS: whatsmeow's event, `_data.Message.<kind>Message.fileLength` (GOWSEngineMediaProcessor reads
 *   `message.Message`, src/core/engines/gows/session.gows.core.ts), `FileLength` accepted too.
 * Undefined when the engine says nothing; the download's Content-Length and a streaming cap still apply then.
 */

/** A Long as serialised by protobuf.js / Baileys, or a plain number or decimal string. */
function longValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  if (value && typeof value === 'object') {
    const { low, high } = value as { low?: unknown; high?: unknown };
    if (typeof low === 'number' && typeof high === 'number') return (high >>> 0) * 2 ** 32 + (low >>> 0);
  }
  return undefined;
}

/** The first `fileLength` of a `<kind>Message` within a few levels of a message proto. */
function protoFileLength(node: unknown, depth: number): number | undefined {
  if (!node || typeof node !== 'object' || depth > 4) return undefined;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    if (/Message$/i.test(key)) {
      const own = longValue((value as Record<string, unknown>).fileLength ?? (value as Record<string, unknown>).FileLength);
      if (own !== undefined) return own;
    }
    if (/Message$|^message$/i.test(key)) {
      const inner = protoFileLength(value, depth + 1);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

export function reportedMediaSize(data: Record<string, unknown> | undefined): number | undefined {
  if (!data) return undefined;
  const webjs = longValue(data.size);
  if (webjs !== undefined) return webjs;
  return protoFileLength({ message: data.message ?? data.Message }, 0);
}
