// Node leases overdue for the scheduler: judged by our clock from when a lease version was first seen, for its
// own duration; a renewal (any new version, whatever its renewTime says) moves the deadline; no lease, no
// judgement. And the ClusterView: a node whose lease falls overdue takes no new allocations (readiness check),
// and takes them again once the lease moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node } from '../../../api/schemas/index.ts';
import { createApiServer } from '../../apiserver/server.ts';
import { createClient } from '../../client/client.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { readinessCheck } from '../feasible/checks.ts';
import { LeaseDeadlines } from './lease-deadlines.ts';
import { ClusterView } from './view.ts';
import type { Client } from '../../client/client.ts';
import { ensureNamespace } from '../../client/namespaces.ts';
import { microTime } from '../../../api/schemas/timestamp.ts';
import { WAIT_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

async function until(cond: () => boolean): Promise<void> {
  const giveUpAt = Date.now() + WAIT_HANG_GUARD_MS;
  while (!cond()) {
    if (Date.now() > giveUpAt) throw new Error(`until: never held: ${cond.toString().slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function createNode(client: Client, name: string): Promise<void> {
  const nodes = client.resource<Node>('nodes');
  const n = await nodes.create({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec: {} } as Node);
  await nodes.updateStatus({ ...n, status: { phase: 'ready' } } as Node);
}

/** Create or renew node `name`'s lease with renewTime `at`. */
async function renewLease(client: Client, name: string, at: number, seconds = 20): Promise<void> {
  const leases = client.resource<Lease>('leases');
  await ensureNamespace(client, 'drover-node-lease');
  try {
    const cur = await leases.get(name, { namespace: 'drover-node-lease' });
    await leases.update({ ...cur, spec: { ...cur.spec, renewTime: microTime(at) } });
  } catch {
    await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'drover-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: seconds, renewTime: microTime(at) } } as Lease);
  }
}

const lease = (renewTime: string, seconds?: number): Lease =>
  ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'drover-node-lease', uid: 'u' }, spec: { holderIdentity: 'n1', renewTime, ...(seconds ? { leaseDurationSeconds: seconds } : {}) } }) as Lease;

test('a lease is overdue its duration after we first saw its version, by our clock', () => {
  const d = new LeaseDeadlines();
  d.observe(lease('1999-01-01T00:00:00.000000Z', 20), 1000); // renewTime far in the past: only equality counts
  assert.equal(d.overdue('n1', 20_999), false);
  assert.equal(d.overdue('n1', 21_000), true);
  d.observe(lease('1999-01-01T00:00:00.000000Z', 20), 30_000);
  assert.equal(d.overdue('n1', 30_000), true, 'the same version seen again is no renewal');
  d.observe(lease('1999-01-01T00:00:01.000000Z', 20), 30_000);
  assert.equal(d.overdue('n1', 49_999), false, 'a new version is');
  d.observe(lease('1999-01-01T00:00:02.000000Z'), 60_000);
  assert.equal(d.overdue('n1', 1e12), false, 'a lease without a duration is not judged');
  assert.equal(d.overdue('other', 1e12), false, 'nor a node without a lease');
});

test('the ClusterView marks a node whose lease fell overdue, and the readiness check skips it', async () => {
  const store = await openMemoryStore();
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0 });
  const url = await server.listen({ port: 0 });
  const client = createClient({ server: url });
  const clock = new ManualClock(1_000_000);
  const view = new ClusterView({ client, logger: silentLogger, clock });
  try {
    await createNode(client, 'n1');
    await renewLease(client, 'n1', clock.now(), 20);
    await view.start();
    await until(() => view.snapshot.node('n1') !== undefined);
    assert.equal(view.snapshot.node('n1')!.leaseOverdue, undefined);
    assert.equal(readinessCheck.check(view.snapshot.node('n1')!, undefined as never), undefined);

    clock.advance(20_000);
    await until(() => view.snapshot.node('n1')!.leaseOverdue === true);
    assert.equal(readinessCheck.check(view.snapshot.node('n1')!, undefined as never), 'node lease overdue');
    assert.equal(view.snapshot.node('n1')!.ready, true, 'overdue is not down: its allocations stay');

    await renewLease(client, 'n1', clock.now());
    await until(() => view.snapshot.node('n1')!.leaseOverdue === undefined);
    const n = await client.resource<Node>('nodes').get('n1');
    assert.equal(n.status?.phase, 'ready');
  } finally {
    view.stop();
    await client.close();
    await server.close();
    await store.close();
  }
});
