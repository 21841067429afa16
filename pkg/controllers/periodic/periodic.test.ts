// The periodic controller against a real API server (memory store) on a ManualClock: a child appears when the
// clock passes the cron time, is owned by its parent, and prohibitOverlap holds a launch back while one runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../../api/schemas/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { caughtUp, until, withCluster, type TestCluster } from '../health/testkit.ts';
import { startPeriodicController, type PeriodicController } from './periodic.ts';

const MIN = 60_000;

/** Create a periodic parent whose cron fires `minutesAhead` minutes after now; returns it and a clock at its creation. */
async function periodicParent(c: TestCluster, name: string, minutesAhead: number, extra: Partial<NonNullable<Job['spec']['periodic']>> = {}) {
  const minute = (new Date().getUTCMinutes() + minutesAhead) % 60;
  const parent = await c.client.resource<Job>('jobs').create({
    apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default', labels: { team: 'ops' } },
    spec: { type: 'batch', periodic: { crons: [`${minute} * * * *`], ...extra }, groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock', config: { runFor: '1s' } }] }] },
  });
  return { parent, clock: new ManualClock(Date.parse(parent.metadata.creationTimestamp!) + 1000) };
}

const childrenOf = async (c: TestCluster, parent: string) =>
  (await c.client.resource<Job>('jobs').list({ namespace: 'default' })).items.filter((j) => j.metadata.name.startsWith(`${parent}-periodic-`));

/** Until the controller has nothing to do but wait for its next time. */
const idle = (p: PeriodicController) => until(() => p.queue.len() === 0 && p.queue.inProgress() === 0 && p.queue.delayedLen() > 0);

test('a periodic job launches an owned child when the clock passes its cron time, and nothing before', async () => {
  await withCluster(async (c) => {
    const { parent, clock } = await periodicParent(c, 'nightly', 5);
    const p = await startPeriodicController({ client: c.client, clock, logger: silentLogger });
    try {
      await idle(p);
      assert.deepEqual(await childrenOf(c, 'nightly'), [], 'nothing before the cron time');
      clock.advance(6 * MIN);
      await until(async () => (await childrenOf(c, 'nightly')).length === 1);
      const [child] = await childrenOf(c, 'nightly');
      assert.match(child!.metadata.name, /^nightly-periodic-\d{10}$/);
      const launch = Number(child!.metadata.name.split('-').pop()) * 1000;
      assert.equal(new Date(launch).getUTCSeconds(), 0);
      assert.ok(launch > Date.parse(parent.metadata.creationTimestamp!) && launch <= clock.now());
      assert.deepEqual(child!.metadata.ownerReferences, [{ apiVersion: 'drover.dev/v1', kind: 'Job', name: 'nightly', uid: parent.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.equal(child!.spec.periodic, undefined, 'a child is an ordinary job');
      assert.deepEqual(child!.metadata.labels, { team: 'ops' });
      // The next launch is an hour later: nothing more until then.
      await idle(p);
      clock.advance(30 * MIN);
      await idle(p);
      assert.equal((await childrenOf(c, 'nightly')).length, 1);
      clock.advance(31 * MIN);
      await until(async () => (await childrenOf(c, 'nightly')).length === 2);
    } finally {
      await p.stop();
    }
  });
});

test('prohibitOverlap: no launch while a child runs; the next time after it ended launches again', async () => {
  await withCluster(async (c) => {
    const { clock } = await periodicParent(c, 'report', 2, { prohibitOverlap: true });
    const p = await startPeriodicController({ client: c.client, clock, logger: silentLogger });
    try {
      clock.advance(3 * MIN);
      await until(async () => (await childrenOf(c, 'report')).length === 1);
      // The child has neither evaluations nor allocations yet: it counts as running, so the next hour is skipped.
      await idle(p);
      clock.advance(60 * MIN);
      await idle(p);
      assert.equal((await childrenOf(c, 'report')).length, 1, 'skipped while the first child runs');
      const [first] = await childrenOf(c, 'report');
      const stopped = await c.client.resource<Job>('jobs').update({ ...first!, spec: { ...first!.spec, stop: true } });
      // The controller must have seen the stop before the clock moves (else it may judge the hour on a cache
      // that still shows the child running, skip it, and wait an hour that never comes).
      await until(() => caughtUp(p.lastSyncResourceVersions().jobs, stopped.metadata.resourceVersion));
      await idle(p);
      assert.equal((await childrenOf(c, 'report')).length, 1, 'a skipped time is not launched late');
      clock.advance(60 * MIN);
      await until(async () => (await childrenOf(c, 'report')).length === 2);
    } finally {
      await p.stop();
    }
  });
});

test('a disabled periodic job launches nothing', async () => {
  await withCluster(async (c) => {
    const { clock } = await periodicParent(c, 'off', 1, { enabled: false });
    const p = await startPeriodicController({ client: c.client, clock, logger: silentLogger });
    try {
      await until(() => p.queue.len() === 0 && p.queue.inProgress() === 0);
      clock.advance(3 * 60 * MIN);
      await until(() => p.queue.len() === 0 && p.queue.inProgress() === 0);
      assert.equal(p.queue.delayedLen(), 0, 'nothing to wait for');
      assert.deepEqual(await childrenOf(c, 'off'), []);
    } finally {
      await p.stop();
    }
  });
});
