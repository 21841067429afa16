import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDuration, formatDuration } from './duration.ts';
import { defaultRestartPolicy, defaultReschedulePolicy, mergePolicy } from './defaults.ts';
import { DURATION_PATTERN } from './common.ts';

test('parses Go durations', () => {
  const cases: Array<[string, number]> = [['0', 0], ['10s', 10_000], ['5m', 300_000], ['1h30m', 5_400_000], ['250ms', 250], ['1.5s', 1500], ['2h0m5s', 7_205_000]];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  for (const bad of ['', '5', '5 s', 's', '1d', '-1s']) assert.throws(() => parseDuration(bad), bad);
});

test('format and parse round-trip, and formatted durations match the schema pattern', () => {
  const re = new RegExp(DURATION_PATTERN);
  fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
    const text = formatDuration(ms);
    return parseDuration(text) === ms && (ms === 0 || re.test(text));
  }));
});

test("type-dependent defaults follow Nomad's", () => {
  assert.deepEqual(defaultRestartPolicy('service'), { attempts: 2, interval: '30m', delay: '15s', mode: 'fail' });
  assert.equal(defaultRestartPolicy('batch').attempts, 3);
  assert.equal(defaultReschedulePolicy('service').unlimited, true);
  assert.equal(defaultReschedulePolicy('batch').attempts, 1);
  assert.equal(defaultReschedulePolicy('system').attempts, 0);
  assert.deepEqual(mergePolicy<{ a?: number; b?: number }>({ a: 1, b: 1 }, undefined, { b: 2 }), { a: 1, b: 2 });
});
