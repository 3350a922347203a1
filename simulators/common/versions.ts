/** Release numbers like `2026.7.1` or `4.15.1`, compared numerically segment by segment (2026.10.1 > 2026.9.9). */

function segments(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer; missing segments count as 0. */
export function compareVersions(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function versionAtLeast(version: string, floor: string): boolean {
  return compareVersions(version, floor) >= 0;
}
