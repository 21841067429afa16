import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Backoff, backoffDelay, backoffOptions } from './backoff.ts';

test('backoffDelay doubles from initial and stops at max', () => {
  const o = { initialMs: 500, maxMs: 30_000 };
  assert.deepEqual([0, 1, 2, 3, 5, 6, 7, 1000].map((a) => backoffDelay(a, o)), [500, 1000, 2000, 4000, 16_000, 30_000, 30_000, 30_000]);
});

test('backoffDelay: monotone, within [initial, max], for any attempt and factor', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 1, max: 10, noNaN: true }), fc.nat(5000), (initialMs, extra, factor, attempt) => {
    const o = { initialMs, maxMs: initialMs + extra, factor };
    const d = backoffDelay(attempt, o);
    assert.ok(d >= initialMs && d <= o.maxMs);
    assert.ok(backoffDelay(attempt + 1, o) >= d);
  }));
});

test('backoffDelay refuses a nonsensical shape', () => {
  assert.throws(() => backoffDelay(0, { initialMs: 0, maxMs: 10 }), RangeError);
  assert.throws(() => backoffDelay(0, { initialMs: 10, maxMs: 5 }), RangeError);
  assert.throws(() => backoffDelay(0, { initialMs: 1, maxMs: 5, factor: 0.5 }), RangeError);
});

test('Backoff grows with next() and starts over on reset()', () => {
  const b = new Backoff({ initialMs: 5, maxMs: 40 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [5, 10, 20, 40, 40]);
  assert.equal(b.attempts(), 5);
  b.reset();
  assert.equal(b.next(), 5);
});

test('backoffOptions fills what the caller left out from the defaults', () => {
  const d = { initialMs: 500, maxMs: 30_000 };
  assert.deepEqual(backoffOptions(d), { initialMs: 500, maxMs: 30_000, factor: undefined });
  assert.deepEqual(backoffOptions(d, { maxMs: 100_000 }), { initialMs: 500, maxMs: 100_000, factor: undefined });
  assert.deepEqual(backoffOptions(d, { initialMs: 20, maxMs: undefined, factor: 3 }), { initialMs: 20, maxMs: 30_000, factor: 3 });
});
