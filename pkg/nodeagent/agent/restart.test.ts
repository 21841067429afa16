// The restart tracker's decisions, with time as a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartTracker, restartRules } from './restart.ts';

test('policy: job type defaults, overridden by the group, then the task', () => {
  assert.deepEqual(restartRules('service'), { attempts: 2, intervalMs: 1_800_000, delayMs: 15_000, mode: 'fail' });
  assert.deepEqual(restartRules('batch'), { attempts: 3, intervalMs: 86_400_000, delayMs: 15_000, mode: 'fail' });
  assert.deepEqual(restartRules('batch', { attempts: 1, delay: '1s' }, { mode: 'delay' }), { attempts: 1, intervalMs: 86_400_000, delayMs: 1000, mode: 'delay' });
});

test('mode fail: attempts restarts within the interval, then fail; a new interval starts afresh', () => {
  const t = new RestartTracker({ attempts: 2, intervalMs: 1000, delayMs: 10, mode: 'fail' });
  const fail = { success: false, terminalOnSuccess: false };
  assert.deepEqual(t.next(100, fail), { action: 'restart', delayMs: 10, reason: 'Restart within policy' });
  assert.equal(t.next(200, fail).action, 'restart');
  const third = t.next(300, fail);
  assert.equal(third.action, 'fail');
  assert.match((third as { reason: string }).reason, /Exceeded allowed attempts 2 in interval 1s/);
  const fresh = new RestartTracker({ attempts: 1, intervalMs: 1000, delayMs: 10, mode: 'fail' });
  assert.equal(fresh.next(0 + 1, fail).action, 'restart');
  assert.equal(fresh.next(1500, fail).action, 'restart', 'the interval has passed: counting starts again');
});

test('mode delay: past the attempts, wait out the rest of the interval', () => {
  const t = new RestartTracker({ attempts: 1, intervalMs: 1000, delayMs: 10, mode: 'delay' });
  const fail = { success: false, terminalOnSuccess: false };
  assert.equal(t.next(100, fail).action, 'restart');
  const d = t.next(300, fail);
  assert.equal(d.action, 'restart');
  assert.equal((d as { delayMs: number }).delayMs, 800);
  assert.equal(t.next(1200, fail).action, 'restart');
});

test('success: terminal for batch and hooks, restarted for services; zero attempts fail at once', () => {
  const t = new RestartTracker({ attempts: 2, intervalMs: 1000, delayMs: 5, mode: 'fail' });
  assert.equal(t.next(1, { success: true, terminalOnSuccess: true }).action, 'done');
  assert.equal(t.next(1, { success: true, terminalOnSuccess: false }).action, 'restart');
  const none = new RestartTracker({ attempts: 0, intervalMs: 1000, delayMs: 5, mode: 'fail' });
  assert.deepEqual(none.next(1, { success: false, terminalOnSuccess: true }), { action: 'fail', reason: 'Policy allows no restarts' });
});

test('counters survive a snapshot (an agent restart grants no fresh attempts)', () => {
  const rules = { attempts: 1, intervalMs: 1000, delayMs: 5, mode: 'fail' as const };
  const a = new RestartTracker(rules);
  a.next(10, { success: false, terminalOnSuccess: false });
  const b = new RestartTracker(rules, a.snapshot());
  assert.equal(b.next(20, { success: false, terminalOnSuccess: false }).action, 'fail');
});
