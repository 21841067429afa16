import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextDelay, attemptsLeft, rescheduleDecision } from './reschedule.ts';
import { mkAlloc, mkJob } from '../testing/fixtures.ts';
import type { ReschedulePolicy, RescheduleEvent } from '../structs.ts';

const policy = (over: Partial<ReschedulePolicy>): ReschedulePolicy => ({
  attempts: 0, intervalMs: 0, delayMs: 1000, delayFunction: 'constant', maxDelayMs: 0, unlimited: true, ...over,
});
const withEvents = (delays: number[], finishTime = 10_000) =>
  mkAlloc(mkJob(), 'n', 0, {
    clientStatus: 'failed', finishTime,
    rescheduleEvents: delays.map((d, i): RescheduleEvent => ({ time: 9000 + i, prevAllocId: `p${i}`, delayMs: d })),
  });

test('delay functions: constant, exponential and fibonacci, capped by maxDelay', () => {
  const cases: Array<[ReschedulePolicy['delayFunction'], number[], number]> = [
    ['constant', [], 1000], ['constant', [1000, 1000], 1000],
    ['exponential', [], 1000], ['exponential', [1000], 2000], ['exponential', [1000, 2000, 4000], 8000], ['exponential', [8000, 16000], 20_000],
    ['fibonacci', [], 1000], ['fibonacci', [1000], 1000], ['fibonacci', [1000, 1000], 2000], ['fibonacci', [1000, 2000, 3000], 5000],
  ];
  for (const [fn, delays, want] of cases) {
    assert.equal(nextDelay(withEvents(delays), policy({ delayFunction: fn, maxDelayMs: 20_000 })), want, `${fn} ${delays}`);
  }
});

test('attempts are counted within the interval', () => {
  const p = policy({ unlimited: false, attempts: 2, intervalMs: 5000 });
  assert.equal(attemptsLeft(withEvents([1000]), p, 10_000), true);
  assert.equal(attemptsLeft(withEvents([1000, 1000]), p, 10_000), false);
  assert.equal(attemptsLeft(withEvents([1000, 1000]), p, 20_000), true); // the events aged out of the window
  assert.equal(attemptsLeft(withEvents([]), policy({ unlimited: false, attempts: 0 }), 0), false);
});

test('decision: now once the delay passed (within a 1 s window), later before, never when out of attempts', () => {
  const p = policy({ delayMs: 30_000 });
  assert.deepEqual(rescheduleDecision(withEvents([]), p, 40_000), { kind: 'now' });
  assert.deepEqual(rescheduleDecision(withEvents([]), p, 39_500), { kind: 'now' });
  assert.deepEqual(rescheduleDecision(withEvents([]), p, 20_000), { kind: 'later', at: 40_000 });
  assert.deepEqual(rescheduleDecision(withEvents([1]), policy({ unlimited: false, attempts: 1, intervalMs: 60_000 }), 40_000), { kind: 'never' });
});
