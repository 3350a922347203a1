/**
 * File names that come from the other side (a WhatsApp sender's document name, the last segment of a ChatWoot
 * attachment URL) are only a label: no directories, no control or bidirectional-override characters (which can
 * make `invoice‮fdp.exe` read as `invoice.exe.pdf`), no leading dots, at most 200 characters, never empty.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"|?*\\/]/g;
const MAX_LENGTH = 200;

export function safeFilename(raw: string | undefined, fallback: string): string {
  let name = (raw ?? '').replace(UNSAFE, '_').replace(/^[\s.]+/, '').trim();
  if (name.length > MAX_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX_LENGTH - ext.length) + ext;
  }
  return name || fallback;
}

/** The last path segment of a URL, percent-decoded when it can be (a malformed escape is kept as it is). */
export function urlFilename(url: string): string {
  const segment = url.split(/[?#]/)[0].split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
