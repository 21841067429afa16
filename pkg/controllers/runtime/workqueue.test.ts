import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock/clock.ts';
import { WorkQueue } from './workqueue.ts';
import { exponentialBackoff } from './ratelimiter.ts';
import { promWorkQueueMetrics } from './metrics.ts';
import { Registry } from 'prom-client';

/** Let pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether `p` has resolved, without waiting for it. */
async function resolved<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let out: { done: boolean; value?: T } = { done: false };
  void p.then((value) => (out = { done: true, value }));
  await settle();
  return out;
}

test('add dedupes keys that are already queued and keeps first-add order', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('get waits for an item and the waiting getter receives it', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  const pending = q.get();
  assert.equal((await resolved(pending)).done, false);
  q.add('x');
  assert.deepEqual(await resolved(pending), { done: true, value: 'x' });
});

test('a key in progress is not handed to a second worker, even when re-added', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('k');
  assert.equal(await q.get(), 'k');
  q.add('k');
  assert.equal(q.len(), 0, 're-added key waits until done');
  const second = q.get();
  assert.equal((await resolved(second)).done, false);
  q.done('k');
  assert.deepEqual(await resolved(second), { done: true, value: 'k' });
});

test('a key re-added many times while in progress is processed exactly once more', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('k');
  await q.get();
  for (let i = 0; i < 5; i++) q.add('k');
  q.done('k');
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'k');
  q.done('k');
  assert.equal(q.len(), 0);
  assert.equal(q.inProgress(), 0);
});

test('a key finished without re-add is not queued again', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('k');
  await q.get();
  q.done('k');
  assert.equal(q.len(), 0);
  assert.equal((await resolved(q.get())).done, false);
});

test('other keys proceed while one is in progress', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  assert.equal(await q.get(), 'a');
  q.add('a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.inProgress(), 2);
});

test('addAfter adds the key once the injected clock reaches the delay', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('k', 100);
  assert.equal(q.len(), 0);
  assert.equal(q.delayedLen(), 1);
  clock.advance(99);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(q.len(), 1);
  assert.equal(q.delayedLen(), 0);
  assert.equal(await q.get(), 'k');
});

test('addAfter keeps the earliest pending time for a key', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('k', 500);
  q.addAfter('k', 100);
  q.addAfter('k', 300);
  clock.advance(100);
  assert.equal(q.len(), 1);
  q.add('other');
  clock.advance(1000);
  assert.equal(q.len(), 2, 'superseded timers do not add the key again');
});

test('addAfter with a non-positive delay adds immediately', () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.addAfter('k', 0);
  assert.equal(q.len(), 1);
});

test('addRateLimited backs off exponentially per key until forget', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock, rateLimiter: exponentialBackoff({ baseDelayMs: 5, maxDelayMs: 100 }) });
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    q.addRateLimited('k');
    let waited = 0;
    while (q.len() === 0 && waited < 1000) {
      clock.advance(1);
      waited++;
    }
    delays.push(waited);
    q.done((await q.get())!);
  }
  assert.deepEqual(delays, [5, 10, 20, 40, 80, 100, 100]);
  assert.equal(q.numRequeues('k'), 7);
  assert.equal(q.numRequeues('other'), 0, 'backoff is per key');
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
});

test('forget resets the delay to the base', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addRateLimited('k');
  q.addRateLimited('k');
  q.addRateLimited('k');
  assert.equal(q.numRequeues('k'), 3);
  clock.advance(5);
  assert.equal(await q.get(), 'k');
  q.done('k');
  q.forget('k');
  q.addRateLimited('k');
  clock.advance(4);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(q.len(), 1, 'after forget the first retry waits the base delay (5 ms)');
});

test('the default backoff is 5 ms doubling, capped at 1000 s', () => {
  const limiter = exponentialBackoff<string>();
  const delays = Array.from({ length: 30 }, () => limiter.when('k'));
  assert.equal(delays[0], 5);
  assert.equal(delays[1], 10);
  assert.equal(delays[10], 5 * 1024);
  assert.equal(delays[29], 1_000_000);
  assert.ok(delays.every((d, i) => i === 0 || d >= delays[i - 1]!));
  for (let i = 0; i < 100; i++) limiter.when('k');
  assert.equal(limiter.when('k'), 1_000_000, 'no overflow to Infinity or NaN');
});

test('shutDown resolves waiting and later gets with undefined and drops delayed adds', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  const waiting = q.get();
  q.addAfter('later', 10);
  q.shutDown();
  assert.deepEqual(await resolved(waiting), { done: true, value: undefined });
  assert.equal(await q.get(), undefined);
  clock.advance(100);
  q.add('x');
  q.addRateLimited('y');
  assert.equal(q.len(), 0);
  assert.equal(q.delayedLen(), 0);
  assert.equal(q.isShuttingDown(), true);
});

test('shutDown drops queued keys and done() of an in-progress key is harmless afterwards', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  await q.get();
  q.add('a');
  q.shutDown();
  q.done('a');
  assert.equal(q.len(), 0);
  assert.equal(q.inProgress(), 0);
  assert.equal(await q.get(), undefined);
});

test('metrics hooks see depth, adds, retries and latencies', async () => {
  const clock = new ManualClock();
  const seen = { depth: [] as number[], adds: 0, retries: 0, queue: [] as number[], work: [] as number[] };
  const q = new WorkQueue({
    clock,
    metrics: {
      depth: (n) => seen.depth.push(n),
      add: () => seen.adds++,
      retry: () => seen.retries++,
      queueLatency: (ms) => seen.queue.push(ms),
      workDuration: (ms) => seen.work.push(ms),
    },
  });
  q.add('a');
  q.add('a');
  q.add('b');
  clock.advance(7);
  assert.equal(await q.get(), 'a');
  clock.advance(3);
  q.done('a');
  q.addRateLimited('c');
  assert.equal(seen.adds, 3);
  assert.equal(seen.retries, 1);
  assert.equal(seen.depth.at(-1), 1);
  assert.ok(seen.depth.includes(2));
  assert.deepEqual(seen.queue, [7]);
  assert.deepEqual(seen.work, [3]);
});

test('keys may be non-string primitives', async () => {
  const q = new WorkQueue<number>({ clock: new ManualClock() });
  q.add(1);
  q.add(1);
  q.add(2);
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 1);
});

test('promWorkQueueMetrics exposes per-queue series in the given registry', async () => {
  const registry = new Registry();
  const clock = new ManualClock();
  const a = new WorkQueue({ clock, metrics: promWorkQueueMetrics(registry, 'jobs') });
  const b = new WorkQueue({ clock, metrics: promWorkQueueMetrics(registry, 'nodes') });
  a.add('x');
  a.add('y');
  b.add('z');
  b.addRateLimited('w');
  const text = await registry.metrics();
  assert.match(text, /drover_workqueue_depth\{name="jobs"\} 2/);
  assert.match(text, /drover_workqueue_depth\{name="nodes"\} 1/);
  assert.match(text, /drover_workqueue_adds_total\{name="jobs"\} 2/);
  assert.match(text, /drover_workqueue_retries_total\{name="nodes"\} 1/);
});

test('shutDownWithDrain hands out what is queued, refuses new keys, and resolves when the last key is done', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.add('a');
  q.add('b');
  q.add('c');
  q.addAfter('late', 10);
  assert.equal(await q.get(), 'a');
  q.add('a'); // re-added while in progress: not processed again once draining
  const drained = q.shutDownWithDrain();
  q.add('new');
  assert.equal(q.delayedLen(), 0, 'delayed adds are dropped');
  assert.equal((await resolved(drained)).done, false);
  assert.equal(await q.get(), 'b');
  assert.equal(await q.get(), 'c');
  const idle = q.get();
  assert.deepEqual(await resolved(idle), { done: true, value: undefined }, 'an idle worker is released once nothing is queued');
  q.done('a');
  q.done('b');
  assert.equal((await resolved(drained)).done, false, 'c is still in progress');
  q.done('c');
  assert.equal((await resolved(drained)).done, true);
  assert.equal(await q.get(), undefined);
  clock.advance(100);
  assert.equal(q.len(), 0);
});

test('shutDown during a drain drops what is still queued', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  const drained = q.shutDownWithDrain();
  q.shutDown();
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), undefined);
  assert.equal((await resolved(drained)).done, true);
});

test('the default rate limiter adds an overall bucket to the per-key backoff: 100 retries at once, then 10/s', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  // 100 distinct failing keys use up the burst: each waits only its own 5 ms.
  for (let i = 0; i < 100; i++) q.addRateLimited(`k${i}`);
  clock.advance(5);
  assert.equal(q.len(), 100);
  // The 101st and 102nd wait for tokens: 100 ms and 200 ms at 10 per second (clock moved 5 ms: 0.05 token back).
  q.addRateLimited('k100');
  q.addRateLimited('k101');
  clock.advance(90);
  assert.equal(q.len(), 100);
  clock.advance(10);
  assert.equal(q.len(), 101);
  clock.advance(100);
  assert.equal(q.len(), 102);
});

test('handing out 200,000 keys never re-copies the queue (FIFO order kept across compactions)', async () => {
  const q = new WorkQueue<number>({ clock: new ManualClock() });
  const n = 200_000;
  for (let i = 0; i < n; i++) q.add(i);
  for (let i = 0; i < n; i++) {
    const k = await q.get();
    assert.equal(k, i);
    q.done(k!);
    if (i % 50_000 === 0) q.add(n + i); // interleaved adds land at the tail
  }
  for (let i = 0; i < n; i += 50_000) assert.equal(await q.get(), n + i);
  assert.equal(q.len(), 0);
});
