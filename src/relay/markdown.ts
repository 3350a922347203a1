/**
 * ChatWoot markdown → WhatsApp formatting: **bold** → *bold*, *italic* / _italic_ → _italic_, ~~strike~~ → ~strike~,
 * [text](url) → text (url), "- " bullets → "* ", and the trailing backslash ChatWoot ≥ 4.10 puts before a newline
 * is removed. URLs are left untouched (underscores in them are not formatting).
 */
const URL_PATTERN = /https?:\/\/[^\s)]+/g;

export function chatwootToWhatsApp(markdown: string): string {
  const urls: string[] = [];
  let text = markdown.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, (_m, label: string, url: string) => {
    urls.push(url);
    return label === url ? `\u0000${urls.length - 1}\u0000` : `${label} (\u0000${urls.length - 1}\u0000)`;
  });
  text = text.replace(URL_PATTERN, (url) => {
    urls.push(url);
    return `\u0000${urls.length - 1}\u0000`;
  });
  text = text
    .replace(/\\\n/g, '\n')
    .replace(/\\$/g, '')
    .replace(/(^|[^*])\*(?!\*)([^*\n]+?)\*(?!\*)/g, '$1_$2_')
    .replace(/\*\*([^*\n]+?)\*\*/g, '*$1*')
    .replace(/__([^_\n]+?)__/g, '*$1*')
    .replace(/~~([^~\n]+?)~~/g, '~$1~')
    .replace(/^(\s*)[-+] /gm, '$1* ');
  return text.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => urls[Number(i)]);
}
