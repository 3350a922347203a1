/**
 * Deterministic media bytes for /api/files: the same message always yields the same file, with a plausible
 * header for its type (JPEG SOI/EOI, a PDF skeleton, an Ogg page) so content sniffers are satisfied.
 */
import { hash, mulberry32 } from './waha-random';

function noise(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  const next = mulberry32(seed);
  let i = 0;
  for (; i + 4 <= size; i += 4) out.writeUInt32LE(Math.floor(next() * 4294967296), i);
  for (; i < size; i++) out[i] = Math.floor(next() * 256);
  return out;
}

function jpeg(size: number, seed: number): Buffer {
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00,
  ]);
  const tail = Buffer.from([0xff, 0xd9]);
  return Buffer.concat([head, noise(Math.max(0, size - head.length - tail.length), seed), tail]);
}

function pdf(size: number, seed: number): Buffer {
  const head = Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
      '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n',
  );
  const tail = Buffer.from('\n%%EOF\n');
  const fillLength = Math.max(0, size - head.length - tail.length);
  // Comment lines of hex keep the file a valid PDF.
  const hex = noise(Math.ceil(fillLength / 2), seed)
    .toString('hex')
    .slice(0, fillLength);
  const fill = Buffer.from(
    hex
      .replace(/(.{78})/g, '$1\n')
      .replace(/^/gm, '%')
      .slice(0, fillLength),
  );
  return Buffer.concat([head, fill, tail]);
}

function ogg(size: number, seed: number): Buffer {
  const head = Buffer.from('OggS\u0000\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000OpusHead', 'latin1');
  return Buffer.concat([head, noise(Math.max(0, size - head.length), seed)]);
}

/** The bytes of a generated media file. */
export function mediaBytes(mimetype: string, size: number, seed: number, waId: string): Buffer {
  let h = seed;
  for (let i = 0; i < waId.length; i++) h = hash(h, waId.charCodeAt(i));
  if (mimetype.startsWith('image/jpeg')) return jpeg(size, h);
  if (mimetype.startsWith('application/pdf')) return pdf(size, h);
  if (mimetype.startsWith('audio/ogg')) return ogg(size, h);
  return noise(size, h);
}
