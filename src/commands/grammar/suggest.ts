// "Did you mean …?" for mistyped commands, actions and options.

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate closest to `input` (case-insensitive): within 3 edits, and at most half the input's length so
 * short words do not match everything (`sync` is not "stop"); or one that starts with the input (or the other
 * way round) for inputs of 2+ characters. Ties go to the earlier candidate. Undefined when nothing is close.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  if (typed === '') return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(typed.length / 2)));
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const name = candidate.toLowerCase();
    const distance = levenshtein(typed, name);
    const prefix = typed.length >= 2 && name.length >= 2 && (name.startsWith(typed) || typed.startsWith(name));
    const score = distance <= limit ? distance : prefix ? limit + 0.5 : Infinity;
    if (score !== Infinity && (!best || score < best.score)) best = { candidate, score };
  }
  return best?.candidate;
}
