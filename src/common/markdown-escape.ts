/**
 * Text from WhatsApp that the bridge places inside its own ChatWoot markdown (a group member's display name in bold,
 * a file name, a caption inside a notice) is escaped, so a display name such as `**Support team**` or
 * `](https://evil)` shows as typed instead of taking over the formatting. ChatWoot renders messages with markdown-it
 * (app/javascript/shared/helpers/MessageFormatter.js), which honours CommonMark backslash escapes.
 */
const SPECIAL = /[\\`*_{}[\]()#+\-.!|~<>]/g;

/** Escaped for markdown, on one line (a name must not start new lines of its own). */
export function escapeInline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(SPECIAL, (c) => `\\${c}`);
}

/** Escaped for markdown, line breaks kept. */
export function escapeBlock(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}
