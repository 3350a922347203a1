// Durations as agents type them (`1d`, `12h`, `30m`, `10days`, `1.5h`), parsed with `ms` and checked for the
// mistakes people actually make: no unit, a minus sign, months.
//
// Decisions:
// - A plain `0` (or `0.0`) is accepted and means "now"; any other number needs a unit, because `ms('10')` would
//   silently read it as 10 milliseconds.
// - Unit letters are case-insensitive (`10D` = `10d`, `12H` = `12h`), as `ms` itself reads them, with one exception:
//   a lone capital `M` is rejected, because people write `6M` for six months and `ms` would read six minutes.
// - Months (`6mo`, `1month`, `6 months`) are rejected with the number of days to write instead (30 days a month).
// - The longest duration is 50 years, so `now - duration` stays after 1970.
import ms from 'ms';
import type { Texts } from '../../texts/texts';
import { YEAR } from '../../common/durations';
import { echo } from './normalize-text';

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

export interface DurationContext {
  /** The option the value was given to (`--timeout`), named in the error. */
  option?: string;
  /** The process's texts (TEXTS_FILE overrides included): every error is rendered with them. */
  texts: Texts;
}

export const MAX_DURATION_MS = 50 * YEAR;
const MAX_DURATION_TEXT = '50y';

const ZERO = /^0*\.?0+$/;
const NUMBER_AND_UNIT = /^(\d*\.?\d+)\s*([a-z]*)$/i;
const MONTH_UNIT = /^(?:mo|mos|mon|mons|mth|mths|month|months)$/i;

export function parseDuration(text: string, context: DurationContext): DurationResult {
  const texts = context.texts;
  const value = text.trim();
  const fail = (key: Parameters<Texts['render']>[0], vars: Record<string, unknown> = {}): DurationResult => ({
    ok: false,
    error: texts.render(key, { value: echo(value), option: context.option, ...vars }),
  });

  if (ZERO.test(value)) return { ok: true, ms: 0 };
  if (value.startsWith('-')) {
    const positive = value.replace(/^-+/, '');
    const parsed = positive === '' ? undefined : parseDuration(positive, context);
    return parsed?.ok ? fail('duration.negative', { positive }) : fail('duration.invalid');
  }
  const match = NUMBER_AND_UNIT.exec(value);
  if (!match) return fail('duration.invalid');
  const [, number, unit] = match;
  if (unit === '') return fail('duration.noUnit');
  if (MONTH_UNIT.test(unit) || unit === 'M') {
    const days = Math.round(Number(number) * 30);
    return unit === 'M' ? fail('duration.ambiguousM', { number, days }) : fail('duration.months', { days });
  }
  const result = ms(`${number}${unit.toLowerCase()}` as ms.StringValue) as number | undefined;
  if (result === undefined || !Number.isFinite(result)) return fail('duration.invalid');
  if (result > MAX_DURATION_MS) return fail('duration.tooLong', { max: MAX_DURATION_TEXT });
  return { ok: true, ms: Math.round(result) };
}
