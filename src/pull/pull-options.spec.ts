import { describeWindow } from './pull-options';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

describe('describeWindow', () => {
  it.each([
    [{ startAgoMs: DAY, endAgoMs: 0 }, '1d'],
    [{ startAgoMs: 30 * DAY, endAgoMs: 20 * DAY }, '30d-20d'],
    [{ startAgoMs: YEAR, endAgoMs: 0 }, '365d'],
    [{ startAgoMs: 2 * DAY, endAgoMs: 12 * HOUR }, '2d-12h'],
  ])('shows %j as %s', (window, text) => {
    expect(describeWindow(window)).toBe(text);
  });
});
