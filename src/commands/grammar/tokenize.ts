// Splits command text into words with shell-like rules, after removing the markdown a chat editor adds.
//
// - Single quotes keep everything literally; double quotes keep everything except `\"` and `\\`; outside quotes a
//   backslash keeps the next character literally (so ChatWoot's escaped `message\_created` becomes
//   `message_created`); a backslash before a line break joins the lines.
// - `#` at the start of a word (outside quotes) comments out the rest of its line.
// - Backticks outside quotes are dropped (inline code, stray fences).
// - Emphasis is removed only where it wraps words: `**x**`, `__x__`, `*x*`, `_x_`, `~~x~~` opening at the start of
//   a word and closing at the end of one, so underscores inside values (`message_created`, `123_456@g.us`)
//   survive. Quoted and escaped text is never touched: it is replaced by a placeholder character while markdown
//   is removed, and put back when the words are split.

export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; quote: '"' | "'" };

const PLACEHOLDER_BASE = 0xe000;
const PLACEHOLDER_COUNT = 0xf8ff - PLACEHOLDER_BASE + 1;
const PLACEHOLDER = /[\uE000-\uF8FF]/g;
const EMPHASIS = /(^|\s)(\*\*|__|~~|\*|_)(?=\S)([\s\S]*?\S)\2(?=\s|$)/g;
const ONLY_MARKERS = /^[*_~]+$/;

export function tokenize(text: string): TokenizeResult {
  const literals: string[] = [];
  const hold = (literal: string): string => {
    if (literals.length >= PLACEHOLDER_COUNT) throw new RangeError('Too many quoted parts in one command');
    literals.push(literal);
    return String.fromCharCode(PLACEHOLDER_BASE + literals.length - 1);
  };

  let masked = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== undefined) masked += next === '\n' ? ' ' : hold(next);
      i += 2;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false, quote: "'" };
      masked += hold(text.slice(i + 1, end));
      i = end + 1;
    } else if (ch === '"') {
      let literal = '';
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) j++;
        literal += text[j];
        j++;
      }
      if (j >= text.length) return { ok: false, quote: '"' };
      masked += hold(literal);
      i = j + 1;
    } else if (ch === '#' && (masked === '' || /\s$/.test(masked))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else {
      if (ch !== '`') masked += ch;
      i++;
    }
  }

  const restore = (word: string): string =>
    word.replace(PLACEHOLDER, (p) => literals[p.charCodeAt(0) - PLACEHOLDER_BASE]);
  const tokens = stripEmphasis(masked)
    .split(/\s+/)
    .filter((word) => word !== '' && !ONLY_MARKERS.test(word))
    .map(restore);
  return { ok: true, tokens };
}

function stripEmphasis(text: string): string {
  let current = text;
  for (let pass = 0; pass < 4; pass++) {
    const next = current.replace(EMPHASIS, '$1$3');
    if (next === current) break;
    current = next;
  }
  return current;
}
