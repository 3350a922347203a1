/**
 * Text from WhatsApp that the bridge places inside its own ChatWoot markdown (a group member's display name in bold,
 * a file name, a caption inside a notice) is escaped, so a display name such as `**Support team**` or
 * `[Bank](https://…)` shows as typed instead of taking over the formatting. ChatWoot renders messages with markdown-it
 * (app/javascript/shared/helpers/MessageFormatter.js), which honours CommonMark backslash escapes.
 *
 * Only what can start formatting is escaped: emphasis, code, links, HTML-like brackets and tables anywhere, and block
 * markers (headings, quotes, list items) at the start of a line. Everything else stays as typed, because ChatWoot's
 * previews, push notifications and emails show the raw text, backslashes and all.
 */
const INLINE = /[\\`*_~[\]<>|]/g;
const LINE_START = /^([ \t]*)(#|>|[-+](?=\s))/gm;
/** An ordered-list marker is escaped on its punctuation (`2\.`): a backslash before a digit would show as typed. */
const ORDERED = /^([ \t]*\d+)([.)])(?=\s)/gm;

/** Escaped for markdown, on one line (a name must not start new lines of its own). */
export function escapeInline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(INLINE, (c) => `\\${c}`);
}

/** URLs stay as typed: ChatWoot links them (linkify), and an escaped `_` or `.` would break the link. */
const URL = /https?:\/\/[^\s<>]+/g;

/** Escaped for markdown, line breaks and URLs kept. */
export function escapeBlock(text: string): string {
  const urls: string[] = [];
  const masked = text.replace(URL, (url) => `\u0000${urls.push(url) - 1}\u0000`);
  return masked
    .replace(INLINE, (c) => `\\${c}`)
    .replace(LINE_START, (_m, indent: string, marker: string) => `${indent}\\${marker}`)
    .replace(ORDERED, (_m, number: string, mark: string) => `${number}\\${mark}`)
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => urls[Number(i)]);
}
