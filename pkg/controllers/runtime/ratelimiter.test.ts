import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../clock/clock.ts';
import { defaultControllerRateLimiter, exponentialBackoff, maxOf, tokenBucket } from './ratelimiter.ts';

test('token bucket: burst free, then one token per 1/qps, refilled by elapsed time up to the burst', () => {
  const clock = new ManualClock();
  const b = tokenBucket<string>({ clock, qps: 2, burst: 3 });
  assert.deepEqual([b.when('a'), b.when('b'), b.when('c')], [0, 0, 0]);
  assert.deepEqual([b.when('d'), b.when('e')], [500, 1000]);
  clock.advance(10_000); // refills to the burst, not beyond
  assert.deepEqual([b.when('a'), b.when('a'), b.when('a'), b.when('a')], [0, 0, 0, 500]);
  assert.throws(() => tokenBucket({ clock, qps: 0 }), RangeError);
});

test('maxOf takes the longest delay and forwards forget to every limiter', () => {
  const clock = new ManualClock();
  const l = maxOf(exponentialBackoff<string>({ baseDelayMs: 1000, maxDelayMs: 8000 }), tokenBucket<string>({ clock, qps: 1, burst: 1 }));
  assert.equal(l.when('k'), 1000); // bucket: 0, backoff: 1000
  assert.equal(l.when('k'), 2000); // bucket: 1000, backoff: 2000
  assert.equal(l.when('j'), 2000); // bucket: 2000 (in debt), backoff: 1000
  assert.equal(l.numRequeues('k'), 2);
  l.forget('k');
  assert.equal(l.numRequeues('k'), 0);
});

test('property: the default limiter never allows more than burst + qps·t retries to be due within t', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(300), fc.nat(20)), { minLength: 1, maxLength: 400 }), (steps) => {
    // Oracle: schedule times of every retry; within any window starting at 0 and ending at T the count of retries
    // due by T is at most 100 + 10·T/1000 (+1 for rounding of the last token).
    const clock = new ManualClock();
    const l = defaultControllerRateLimiter<string>(clock);
    const due: number[] = [];
    for (const [advance, key] of steps) {
      clock.advance(advance);
      due.push(clock.now() + l.when(`k${key}`));
    }
    for (const t of due) {
      const count = due.filter((d) => d <= t).length;
      assert.ok(count <= 100 + (10 * t) / 1000 + 1, `${count} retries due by ${t} ms`);
    }
  }), { numRuns: 200 });
});
