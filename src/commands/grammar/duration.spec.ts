import { Texts } from '../../texts/texts';
import { formatDuration } from '../../common/durations';
import { MAX_DURATION_MS, parseDuration } from './duration';

const texts = Texts.load();

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

describe('parseDuration', () => {
  describe('when the value is valid', () => {
    it.each([
      ['1d', DAY],
      ['12h', 12 * HOUR],
      ['30m', 30 * MINUTE],
      ['45s', 45 * SECOND],
      ['500ms', 500],
      ['2w', 14 * DAY],
      ['1y', YEAR],
      ['1.5h', 90 * MINUTE],
      ['.5d', 12 * HOUR],
      ['10days', 10 * DAY],
      ['10 days', 10 * DAY],
      ['3 hours', 3 * HOUR],
      ['0', 0],
      ['0d', 0],
      ['0.0', 0],
      ['10D', 10 * DAY],
      ['12H', 12 * HOUR],
      ['  7d  ', 7 * DAY],
      ['6m', 6 * MINUTE],
    ])('reads %j as %d ms', (text, expected) => {
      expect(parseDuration(text, { texts })).toEqual({ ok: true, ms: expected });
    });
  });

  describe('when the value is invalid', () => {
    it.each([
      ['5x', 'Invalid duration "5x": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['abc', 'Invalid duration "abc": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['', 'Invalid duration "": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['1e3', 'Invalid duration "1e3": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['d', 'Invalid duration "d": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['-', 'Invalid duration "-": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['-x', 'Invalid duration "-x": use a number with s, m, h, d, w or y, like 12h or 30d'],
      ['10', 'Invalid duration "10": add a unit, like 10d for days or 10h for hours (only 0 needs none)'],
      ['-5d', 'Invalid duration "-5d": durations cannot be negative, they already count back from now; write 5d'],
      ['6mo', 'Invalid duration "6mo": months are not a unit here and m means minutes; write it in days, like 180d'],
      [
        '6 months',
        'Invalid duration "6 months": months are not a unit here and m means minutes; write it in days, like 180d',
      ],
      [
        '1month',
        'Invalid duration "1month": months are not a unit here and m means minutes; write it in days, like 30d',
      ],
      ['6M', 'Invalid duration "6M": M could mean minutes or months; write 6m for minutes or 180d for about 6 months'],
      ['51y', 'Invalid duration "51y": the longest allowed is 50y'],
    ])('rejects %j', (text, error) => {
      expect(parseDuration(text, { texts })).toEqual({ ok: false, error });
    });

    it('names the option when one is given', () => {
      expect(parseDuration('5x', { option: '--timeout', texts })).toEqual({
        ok: false,
        error: 'Invalid duration "5x" for --timeout: use a number with s, m, h, d, w or y, like 12h or 30d',
      });
    });

    it('accepts exactly the maximum', () => {
      expect(parseDuration('50y', { texts })).toEqual({ ok: true, ms: MAX_DURATION_MS });
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0d'],
    [DAY, '1d'],
    [30 * DAY, '30d'],
    [12 * HOUR, '12h'],
    [36 * HOUR, '36h'],
    [10 * MINUTE, '10m'],
    [90 * SECOND, '90s'],
    [1500, '1500ms'],
    [YEAR, '365d'],
    [2 * YEAR, '730d'],
    [7 * DAY, '7d'],
  ])('formats %d ms as %s', (value, text) => {
    expect(formatDuration(value)).toBe(text);
  });

  it.each(['1d', '12h', '36h', '90s', '10m', '1500ms'])('round-trips %s through parseDuration', (text) => {
    const parsed = parseDuration(text, { texts });
    expect(parsed.ok && formatDuration(parsed.ms)).toBe(text);
  });
});
