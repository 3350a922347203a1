/**
 * Mentions in an agent's message to a WhatsApp group, as WAHA's ChatWoot app reads them (waha-chatwoot.md §6,
 * mentions.test.ts there): `@all` mentions everyone and leaves the text (a message that was only `@all` becomes one
 * space, since WhatsApp wants some text); `@<phone number>` mentions that member, the text unchanged; `@<id>@lid`
 * mentions the @lid member and is shortened to `@<id>` in the text. An `@` inside a word (an e-mail address), a URL
 * or after a quote is not a mention. WAHA takes the list as `mentions` (sendText, and media captions); `all` needs
 * WAHA 2025.11.1 ("mention everyone in groups with mentions: ["all"]"): before it `@all` stays plain text.
 */
export interface Mentioned {
  text: string;
  mentions: string[];
}

/** Not a mention after a word character, a dot, `@`, a quote, or `/` and `:` (inside a URL: `…/@all-hands`). */
const NOT_AFTER = String.raw`(?<![\w.@'"\x60/:])`;
const ALL = new RegExp(`${NOT_AFTER}@all\\b`, 'gi');
const LID = new RegExp(`${NOT_AFTER}@(\\d{5,})@lid\\b`, 'g');
const PHONE = new RegExp(`${NOT_AFTER}@(\\+?\\d{6,15})(?![\\w@])`, 'g');

export function groupMentions(text: string, allSupported: boolean): Mentioned {
  const mentions: string[] = [];
  const add = (jid: string): void => {
    if (!mentions.includes(jid)) mentions.push(jid);
  };
  let out = text;
  if (allSupported && ALL.test(out)) {
    add('all');
    out = out.replace(ALL, '').replace(/[ \t]{2,}/g, ' ').trim() || ' ';
  }
  // Numbers first: `@<id>@lid` is not one (an @ follows), but becomes `@<id>` below.
  for (const match of out.matchAll(PHONE)) add(`${match[1].replace('+', '')}@c.us`);
  out = out.replace(LID, (_whole, id: string) => {
    add(`${id}@lid`);
    return `@${id}`;
  });
  return { text: out, mentions };
}
