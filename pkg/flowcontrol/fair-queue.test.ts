// The seats and queues of one level, on a ManualClock: seats first come first served, then round-robin over
// queues (a flow with many waiting requests does not starve one with a single request), queue-full and time-out
// rejections; and a property: whatever the arrivals, a request waits at most one round of each other flow per
// request of its own flow ahead of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../clock/clock.ts';
import { FairQueue, queueIndex, type Admission } from './fair-queue.ts';

/** Two flow names that hash to different queues of `queues`. */
function distinctFlows(queues: number, n: number): string[] {
  const out: string[] = [];
  const used = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const q = queueIndex(`flow-${i}`, queues);
    if (!used.has(q)) {
      used.add(q);
      out.push(`flow-${i}`);
    }
  }
  return out;
}

test('requests take free seats at once; the rest wait and are served round-robin across queues', async () => {
  const clock = new ManualClock(0);
  const q = new FairQueue({ seats: 1, queues: 8, queueLengthLimit: 100, maxQueueWaitMs: 10_000, clock });
  const [heavy, light] = distinctFlows(8, 2);
  const first = await q.admit(heavy!);
  assert.equal(first.admitted, true);
  const order: string[] = [];
  // Each admitted request gives its seat back as soon as it is served, so the next one is dispatched.
  const served = (who: string) => (a: Admission) => {
    order.push(who);
    if (a.admitted) a.seat.release();
    return a;
  };
  const pending: Array<Promise<Admission>> = [];
  for (let i = 0; i < 5; i++) pending.push(q.admit(heavy!).then(served('heavy')));
  pending.push(q.admit(light!).then(served('light')));
  assert.equal(q.queued, 6);
  if (first.admitted) first.seat.release();
  for (const a of await Promise.all(pending)) assert.equal(a.admitted, true);
  assert.ok(order.indexOf('light') <= 1, `the light flow waited behind at most one heavy request: ${order.join(',')}`);
  assert.equal(q.inFlight, 0);
  assert.equal(q.queued, 0);
});

test('a full queue is rejected at once, a long wait is rejected at the queue wait', async () => {
  const clock = new ManualClock(0);
  const q = new FairQueue({ seats: 1, queues: 1, queueLengthLimit: 1, maxQueueWaitMs: 5000, clock });
  const held = await q.admit('a');
  assert.equal(held.admitted, true);
  const waiting = q.admit('a');
  const full = await q.admit('b');
  assert.deepEqual(full, { admitted: false, reason: 'queue-full', waitedMs: 0 });
  clock.advance(4999);
  assert.equal(q.queued, 1);
  clock.advance(1);
  assert.deepEqual(await waiting, { admitted: false, reason: 'time-out', waitedMs: 5000 });
  assert.equal(q.queued, 0);
  if (held.admitted) {
    held.seat.release();
    held.seat.release(); // twice is once
  }
  assert.equal(q.inFlight, 0);
});

test('property: a flow is served in order, and no other flow gets more than one turn per round ahead of it', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3 }), async (arrivals, seats) => {
      const clock = new ManualClock(0);
      const queues = 4;
      const flows = distinctFlows(queues, 4);
      const q = new FairQueue({ seats, queues, queueLengthLimit: 1000, maxQueueWaitMs: 1e9, clock });
      // Fill the seats first so that every arrival waits.
      const blockers = await Promise.all(Array.from({ length: seats }, () => q.admit('blocker')));
      const served: number[] = [];
      const waits = arrivals.map((f, i) =>
        q.admit(flows[f]!).then((a) => {
          served.push(i);
          if (a.admitted) a.seat.release();
          return a;
        }),
      );
      for (const b of blockers) if (b.admitted) b.seat.release();
      await Promise.all(waits);
      // Oracle: a flow's requests are served in order, and while a request is the k-th of its flow (k before it),
      // any other flow gets at most k + 1 turns ahead of it — one per round.
      const pos = new Map(served.map((idx, p) => [idx, p]));
      for (let i = 0; i < arrivals.length; i++) {
        const k = arrivals.slice(0, i).filter((f) => f === arrivals[i]).length;
        for (const other of new Set(arrivals)) {
          if (other === arrivals[i]) continue;
          const ahead = arrivals.filter((f, j) => f === other && pos.get(j)! < pos.get(i)!).length;
          assert.ok(ahead <= k + 1, `request ${i} (${k} of its flow before it) had ${ahead} of flow ${other} ahead: arrivals ${arrivals} served ${served}`);
        }
        for (let j = 0; j < i; j++) if (arrivals[j] === arrivals[i]) assert.ok(pos.get(j)! < pos.get(i)!, 'a flow is served in order');
      }
      assert.equal(served.length, arrivals.length);
    }),
    { numRuns: 200 },
  );
});

test('a wide request takes several seats and, at the head of its queue, waits until enough are free; the narrow one behind it does not jump it', async () => {
  const clock = new ManualClock(0);
  const q = new FairQueue({ seats: 4, queues: 8, queueLengthLimit: 10, maxQueueWaitMs: 10_000, clock });
  const [a, b] = distinctFlows(8, 2);
  const narrow = await q.admit(a!, 1);
  assert.equal(narrow.admitted, true);
  const wide = q.admit(b!, 4);
  assert.equal(q.queued, 1, 'four seats are not free');
  const late = q.admit(b!, 1);
  assert.equal(q.queued, 2, 'a narrow request behind it in its queue waits too, though a seat is free');
  if (narrow.admitted) narrow.seat.release();
  const w = await wide;
  assert.equal(w.admitted, true);
  assert.equal(q.inFlight, 4);
  if (w.admitted) w.seat.release();
  assert.equal((await late).admitted, true);
  assert.equal(q.inFlight, 1);
  const capped = q.admit(b!, 50); // capped at the level's 4 seats: waits for the one in flight
  assert.equal(q.queued, 1);
  clock.advance(10_000);
  assert.deepEqual(await capped, { admitted: false, reason: 'time-out', waitedMs: 10_000 });
});

test('an aborted waiter leaves its queue at once; one aborted before asking never waits', async () => {
  const clock = new ManualClock(0);
  const q = new FairQueue({ seats: 1, queues: 4, queueLengthLimit: 10, maxQueueWaitMs: 10_000, clock });
  const held = await q.admit('a');
  const gone = new AbortController();
  const waiting = q.admit('b', 1, gone.signal);
  assert.equal(q.queued, 1);
  gone.abort();
  assert.deepEqual(await waiting, { admitted: false, reason: 'cancelled', waitedMs: 0 });
  assert.equal(q.queued, 0);
  assert.deepEqual(await q.admit('c', 1, gone.signal), { admitted: false, reason: 'cancelled', waitedMs: 0 });
  if (held.admitted) held.seat.release();
  assert.equal(q.inFlight, 0);
});
