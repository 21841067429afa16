// runElected on an in-memory lease with a manual clock: a failed start is retried with backoff while the lease
// is held; work that ends by itself (a crash) gives the lease up so another candidate takes over at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '../../client/client.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { runElected, type ElectedWork } from './elected.ts';
import { MemoryLeaseClient } from './leaseclient.ts';

const settle = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};
const noClient = {} as Client; // never used: a lease client is given
const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

async function advance(clock: ManualClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle(5);
  }
}

test('a failing start is retried with backoff (500 ms, 1 s, 2 s ...) while the lease stays held', async () => {
  const clock = new ManualClock(0);
  const leases = new MemoryLeaseClient();
  const starts: number[] = [];
  let stopped = 0;
  const e = await runElected({
    client: noClient,
    clock,
    logger: silentLogger,
    leaseName: 'work',
    identity: 'a',
    timings,
    leaseClient: leases,
    async start(): Promise<ElectedWork> {
      starts.push(clock.now());
      if (starts.length <= 3) throw new Error('not yet');
      return { stop: async () => void stopped++ };
    },
  });
  await settle();
  await advance(clock, 5_000);
  assert.equal(starts.length, 4);
  assert.deepEqual(starts.slice(1).map((t, i) => t - starts[i]!), [500, 1000, 2000], "backoff doubles from 500 ms");
  assert.equal(e.isLeader(), true);
  assert.equal((await leases.get('work'))?.spec?.holderIdentity, 'a');
  await e.stop();
  assert.equal(stopped, 1);
  assert.equal((await leases.get('work'))?.spec?.holderIdentity, '', 'released on stop');
});

test('work that crashes gives the lease up at once: a new term starts long before the lease would expire', async () => {
  const clock = new ManualClock(0);
  const leases = new MemoryLeaseClient();
  const terms: string[] = [];
  let crash: ((err: Error) => void) | undefined;
  const candidate = (id: string) =>
    runElected({
      client: noClient,
      clock,
      logger: silentLogger,
      leaseName: 'work',
      identity: id,
      timings,
      leaseClient: leases,
      async start(): Promise<ElectedWork> {
        terms.push(id);
        // Only the first term crashes; whoever leads next runs normally.
        const done = terms.length === 1 ? new Promise<void>((_, reject) => (crash = reject)) : undefined;
        return { stop: async () => {}, done };
      },
    });
  const a = await candidate('a');
  await settle();
  assert.deepEqual(terms, ['a']);
  const b = await candidate('b');
  await advance(clock, 3_000);
  assert.deepEqual(terms, ['a'], 'b waits while a leads');
  crash!(new Error('work crashed'));
  await settle();
  assert.equal((await leases.get('work'))?.spec?.holderIdentity, '', 'a released the lease at once');
  assert.equal(a.isLeader(), false);
  // Both campaign again (a after a retry period, b at its jittered retry): one of them leads within a few retry
  // periods, not after the 15 s an unreleased lease would need to expire.
  await advance(clock, 5_000);
  assert.equal(terms.length, 2, `a second term started: ${terms.join(', ')}`);
  assert.equal(a.isLeader() !== b.isLeader(), true, 'exactly one leader');
  await Promise.all([a.stop(), b.stop()]);
});
