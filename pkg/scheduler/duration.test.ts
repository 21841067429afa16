import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, formatDuration } from './duration.ts';

test('Go durations parse to milliseconds; invalid or absent ones give the fallback', () => {
  const cases: Array<[unknown, number]> = [
    ['10s', 10_000], ['1h30m', 5_400_000], ['250ms', 250], ['1.5s', 1500], ['0', 0], ['2h', 7_200_000], [1234, 1234],
    ['', 7], ['10', 7], ['5x', 7], [undefined, 7], ['1h 30m', 7],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text, 7), ms, String(text));
});

test('formatting round-trips whole durations', () => {
  for (const ms of [0, 250, 30_000, 90_000, 3_600_000, 5_400_250]) assert.equal(parseDuration(formatDuration(ms), -1), ms);
  assert.equal(formatDuration(5_400_000), '1h30m');
});
