// The partial-disruption rule in the running health controller (real API server, ManualClock): when most of a
// small cluster misses its lease at once, no node is marked down and each held node gets a NodeDownDeferred
// Event saying why; once the others renew, the one still silent goes down as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../api/schemas/index.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHealthController, type HealthController } from './health.ts';
import { T0, caughtUp, createNode, renewLease, until, withCluster } from './testkit.ts';

const TTL = 10_000;
const GRACE = 10_000;

async function settle(h: HealthController, leaseRv?: string): Promise<void> {
  await until(() => caughtUp(h.lastSyncResourceVersions().leases, leaseRv));
  await until(() => h.queue.len() === 0 && h.queue.inProgress() === 0);
}

test('three of five nodes silent at once: none marked down, each deferred with the reason; then the last silent one goes down', async () => {
  await withCluster(async (c) => {
    const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
    let rv = '';
    for (const n of names) {
      await createNode(c.client, n);
      rv = (await renewLease(c.client, n, T0, TTL / 1000)).metadata.resourceVersion!;
    }
    const h = await startHealthController({ client: c.client, clock: c.clock, logger: silentLogger, ttlMs: TTL, graceMs: GRACE, workers: 1 });
    try {
      await settle(h, rv);
      c.clock.advance(TTL + GRACE - 1000);
      for (const n of ['n4', 'n5']) rv = (await renewLease(c.client, n, T0 + 1)).metadata.resourceVersion!;
      await settle(h, rv);
      c.clock.advance(1000);
      const deferred = async () =>
        (await c.client.resource('events').list({ namespace: 'default' })).items.filter((e) => (e as unknown as { reason: string }).reason === 'NodeDownDeferred');
      await until(async () => (await deferred()).length === 3);
      await settle(h);
      const message = (e: unknown) => (e as { message: string }).message;
      assert.match(message((await deferred())[0]), /3 of 5 nodes missed their lease at once \(partial disruption, threshold 0.55\): a cluster of ≤ 50 nodes marks none down until it ends/);
      for (const n of names) assert.equal((await c.client.resource<Node>('nodes').get(n)).status?.phase, 'ready', `${n} is not marked down`);

      for (const n of ['n2', 'n3']) rv = (await renewLease(c.client, n, T0 + 2)).metadata.resourceVersion!;
      await settle(h, rv);
      c.clock.advance(5000); // the held node is looked at again
      await until(async () => (await c.client.resource<Node>('nodes').get('n1')).status?.phase === 'down');
      for (const n of ['n2', 'n3', 'n4', 'n5']) assert.equal((await c.client.resource<Node>('nodes').get(n)).status?.phase, 'ready');
    } finally {
      await h.stop();
    }
  });
});

test('a lease cache that has heard nothing from the API server for staleCacheMs marks no node down until it hears again', async () => {
  await withCluster(async (c) => {
    let rv = '';
    for (const n of ['n1', 'n2']) {
      await createNode(c.client, n);
      rv = (await renewLease(c.client, n, T0, TTL / 1000)).metadata.resourceVersion!;
    }
    const h = await startHealthController({ client: c.client, clock: c.clock, logger: silentLogger, ttlMs: TTL, graceMs: GRACE, workers: 1, staleCacheMs: 60_000 });
    try {
      await settle(h, rv);
      // 70 s on our clock without a single event on the lease watch: both leases look expired, but the cache
      // itself may be what stopped moving.
      c.clock.advance(70_000);
      const deferred = async () =>
        (await c.client.resource('events').list({ namespace: 'default' })).items.filter((e) => (e as unknown as { reason: string }).reason === 'NodeDownDeferred');
      await until(async () => (await deferred()).length === 2);
      assert.match((await deferred()).map((e) => (e as unknown as { message: string }).message).join('\n'), /the lease cache has heard nothing from the API server for 70s/);
      for (const n of ['n1', 'n2']) assert.equal((await c.client.resource<Node>('nodes').get(n)).status?.phase, 'ready');

      rv = (await renewLease(c.client, 'n2', T0 + 1)).metadata.resourceVersion!;
      await settle(h, rv);
      c.clock.advance(5000);
      await until(async () => (await c.client.resource<Node>('nodes').get('n1')).status?.phase === 'down');
      assert.equal((await c.client.resource<Node>('nodes').get('n2')).status?.phase, 'ready');
    } finally {
      await h.stop();
    }
  });
});
