// Undoes what chat editors do to a typed command before it reaches us: typographic quotes and dashes, exotic
// spaces, invisible characters, markdown code fences, line-continuation backslashes.

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;
/** Private-use characters: the tokenizer uses them as placeholders, so they must not come from the input. */
const PRIVATE_USE = /[\uE000-\uF8FF]/g;
const SPACES = /[\t\v\f\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
const LINE_BREAKS = /\r\n?|[\u2028\u2029\u0085]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\uFF02]/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\uFF07]/g;
/** An en/em dash (or two) typed where `--` was meant, at the start of a word: `—media`, `–media`. */
const DASHED_OPTION = /(^|\s)[\u2012-\u2015\uFE58\uFE63]{1,2}(?=[A-Za-z])/g;
const MINUS = /[\u2212\uFF0D]/g;
const CODE_FENCE = /^(?:`{3,}|~{3,})[\w+-]*$/;

export function normalizeUnicode(text: string): string {
  return text
    .normalize('NFC')
    .replace(LINE_BREAKS, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(PRIVATE_USE, '')
    .replace(SPACES, ' ')
    .replace(DOUBLE_QUOTES, '"')
    .replace(SINGLE_QUOTES, "'")
    .replace(DASHED_OPTION, '$1--')
    .replace(MINUS, '-');
}

/**
 * The lines of a (possibly multi-line) command: each trimmed, without lines that are only a code fence, without a
 * trailing line-continuation backslash (bash style, or ChatWoot's hard line break), without empty lines.
 */
export function commandLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => !CODE_FENCE.test(line))
    .map((line) => (/(^|[^\\])(\\\\)*\\$/.test(line) ? line.slice(0, -1).trimEnd() : line))
    .filter((line) => line !== '');
}

/** The line without leading markdown decoration (`**`, `__`, `~~`, backticks) and spaces. */
export function stripLeadingDecoration(line: string): string {
  return line.replace(/^[\s*_~`]+/, '');
}

/** Longest piece of user text echoed back in a reply. */
const ECHO_LIMIT = 60;

/** User text as quoted back in an error: cut to a readable length. */
export function echo(value: string): string {
  return value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value;
}
