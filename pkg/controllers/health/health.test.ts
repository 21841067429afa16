// The health controller against a real API server over the memory store, its own time on a ManualClock: a node
// whose lease stops changing goes down after ttl + grace and its live allocations are lost; a renewal brings it
// back; the agent's own phases are never overridden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Node } from '../../../api/schemas/index.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHealthController, type HealthController } from './health.ts';
import { heartbeatCondition } from './nodestatus.ts';
import { T0, caughtUp, createNode, placeAllocation, renewLease, until, withCluster, type TestCluster } from './testkit.ts';

const TTL = 10_000;
const GRACE = 10_000;

async function start(c: TestCluster): Promise<HealthController> {
  // One worker: keys are reconciled in the order their events arrived, which the tests rely on as a fence.
  return startHealthController({ client: c.client, clock: c.clock, logger: silentLogger, ttlMs: TTL, graceMs: GRACE, workers: 1 });
}

/** Wait until the controller has queued everything up to the lease (and node) writes given and reconciled it all. */
async function settle(h: HealthController, leaseRv?: string, nodeRv?: string): Promise<void> {
  await until(() => caughtUp(h.lastSyncResourceVersions().leases, leaseRv) && caughtUp(h.lastSyncResourceVersions().nodes, nodeRv));
  await until(() => h.queue.len() === 0 && h.queue.inProgress() === 0);
}

const getNode = (c: TestCluster, name: string) => c.client.resource<Node>('nodes').get(name);
const clientStatus = async (c: TestCluster, name: string) => (await c.client.resource<Allocation>('allocations').get(name, { namespace: 'default' })).status?.clientStatus;

test('a node whose lease is not renewed for ttl + grace goes down and its live allocations are lost', async () => {
  await withCluster(async (c) => {
    await createNode(c.client, 'n1');
    const lease = await renewLease(c.client, 'n1', T0, TTL / 1000);
    await placeAllocation(c, { name: 'web-0', nodeName: 'n1', jobName: 'web', clientStatus: 'running' });
    await placeAllocation(c, { name: 'web-1', nodeName: 'n1', jobName: 'web', clientStatus: 'pending' });
    await placeAllocation(c, { name: 'done-0', nodeName: 'n1', jobName: 'done', clientStatus: 'complete' });
    // On a node that is not a Node object: the controller never looks at it.
    await placeAllocation(c, { name: 'web-2', nodeName: 'elsewhere', jobName: 'web', clientStatus: 'running' });
    const h = await start(c);
    try {
      await settle(h, lease.metadata.resourceVersion);
      c.clock.advance(TTL + GRACE - 1);
      await settle(h);
      assert.equal((await getNode(c, 'n1')).status?.phase, 'ready', 'not yet: one millisecond to go');

      c.clock.advance(1);
      await until(async () => (await getNode(c, 'n1')).status?.phase === 'down');
      const node = await getNode(c, 'n1');
      assert.deepEqual(
        { ...heartbeatCondition(node), lastTransitionTime: undefined },
        { type: 'Heartbeat', status: 'False', reason: 'LeaseExpired', message: 'node lease not renewed for 20s', lastTransitionTime: undefined },
      );
      assert.deepEqual(node.status?.resources, { cpu: 4000, memoryMB: 8192, diskMB: 100_000 }, "the agent's fields are kept");
      await until(async () => (await clientStatus(c, 'web-1')) === 'lost');
      assert.equal(await clientStatus(c, 'web-0'), 'lost');
      assert.equal(await clientStatus(c, 'done-0'), 'complete', 'a finished allocation stays as it finished');
      assert.equal(await clientStatus(c, 'web-2'), 'running');
      const lost = await c.client.resource<Allocation>('allocations').get('web-0', { namespace: 'default' });
      assert.equal(lost.status?.clientDescription, 'alloc is lost since its node is down');
      const stalled = lost.status?.conditions?.find((x) => x.type === 'Stalled');
      assert.deepEqual([stalled?.status, stalled?.reason], ['True', 'Lost'], 'a lost allocation is Stalled');

      const events = await c.client.resource('events').list({ namespace: 'default', fieldSelector: 'involvedObject.name=n1' });
      assert.deepEqual(events.items.map((e) => [(e as unknown as { reason: string }).reason, (e as unknown as { type: string }).type]), [['NodeDown', 'Warning']]);
    } finally {
      await h.stop();
    }
  });
});

test('renewals keep a node up; a renewal after it went down brings it back to ready', async () => {
  await withCluster(async (c) => {
    await createNode(c.client, 'n1');
    let lease = await renewLease(c.client, 'n1', T0, TTL / 1000);
    const h = await start(c);
    try {
      await settle(h, lease.metadata.resourceVersion);
      for (let i = 1; i <= 3; i++) {
        c.clock.advance(TTL + GRACE - 1);
        // The renewTime written is far behind our clock (a skewed agent): only the change counts.
        lease = await renewLease(c.client, 'n1', T0 - 3_600_000 + i);
        await settle(h, lease.metadata.resourceVersion);
      }
      assert.equal((await getNode(c, 'n1')).status?.phase, 'ready');

      c.clock.advance(TTL + GRACE);
      await until(async () => (await getNode(c, 'n1')).status?.phase === 'down');
      lease = await renewLease(c.client, 'n1', T0 + 1);
      await until(async () => (await getNode(c, 'n1')).status?.phase === 'ready');
      const cond = heartbeatCondition(await getNode(c, 'n1'));
      assert.equal(cond?.status, 'True');
      assert.equal(cond?.reason, 'LeaseRenewed');
      await until(async () => (await c.client.resource('events').list({ namespace: 'default' })).items.length === 2);
    } finally {
      await h.stop();
    }
  });
});

test("the agent's own phases stand: a down it set, and an initializing it set over ours", async () => {
  await withCluster(async (c) => {
    const nodes = c.client.resource<Node>('nodes');
    await createNode(c.client, 'agent-down', 'down');
    await createNode(c.client, 'reregistered');
    await createNode(c.client, 'fence');
    for (const n of ['agent-down', 'reregistered', 'fence']) await renewLease(c.client, n, T0);
    const h = await start(c);
    try {
      await settle(h);
      c.clock.advance(TTL + GRACE);
      await until(async () => (await getNode(c, 'reregistered')).status?.phase === 'down' && (await getNode(c, 'fence')).status?.phase === 'down');

      // The agent of `reregistered` comes back and registers as initializing, keeping the stale condition.
      const down = await getNode(c, 'reregistered');
      await nodes.updateStatus({ ...down, status: { ...down.status, phase: 'initializing' } });
      for (const n of ['agent-down', 'reregistered']) await renewLease(c.client, n, T0 + 1);
      // `fence` renews last; with one worker, once it is ready the others' renewals have been handled.
      await renewLease(c.client, 'fence', T0 + 1);
      await until(async () => (await getNode(c, 'fence')).status?.phase === 'ready');

      assert.equal((await getNode(c, 'agent-down')).status?.phase, 'down', 'a down set by the agent is not ours to undo');
      const rereg = await getNode(c, 'reregistered');
      assert.equal(rereg.status?.phase, 'initializing', "the agent's phase stands");
      assert.equal(heartbeatCondition(rereg)?.status, 'True', 'the condition tells the truth again');

      // Its lease then stops again: down once more, after a full ttl + grace (counted from the last change seen,
      // so let the controller see them all first).
      await settle(h, undefined, rereg.metadata.resourceVersion);
      c.clock.advance(TTL + GRACE);
      await until(async () => (await getNode(c, 'reregistered')).status?.phase === 'down');
    } finally {
      await h.stop();
    }
  });
});

test('a new controller (a new leader) waits a full ttl + grace before judging, and never takes a stale lease for a renewal', async () => {
  await withCluster(async (c) => {
    await createNode(c.client, 'n1');
    await renewLease(c.client, 'n1', T0);
    let h = await start(c);
    await settle(h);
    c.clock.advance(TTL + GRACE);
    await until(async () => (await getNode(c, 'n1')).status?.phase === 'down');
    await h.stop();

    // A second term starts long after the last renewal: the node stays down (its lease never changed), and is
    // not judged again before a full ttl + grace of its own.
    c.clock.advance(3_600_000);
    h = await start(c);
    try {
      await settle(h);
      c.clock.advance(TTL + GRACE);
      await settle(h);
      assert.equal((await getNode(c, 'n1')).status?.phase, 'down');
      await renewLease(c.client, 'n1', T0 + 5);
      await until(async () => (await getNode(c, 'n1')).status?.phase === 'ready');
    } finally {
      await h.stop();
    }
  });
});
