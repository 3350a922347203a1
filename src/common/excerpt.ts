/** A one-line excerpt of a text for a note: whitespace folded, cut at `max` characters with an ellipsis. */
export function excerptOf(text: string | null | undefined, max: number): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}
