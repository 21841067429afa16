// The pieces the real agent and the hollow nodes share, against a real API server: lease renewal by CAS
// (including after someone else wrote the lease, or deleted it), and re-registration that keeps the operator's
// spec fields while replacing the fingerprint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node } from '../../api/schemas/index.ts';
import { ManualClock } from '../clock/clock.ts';
import { startTestCluster } from '../controllers/evaluator/testkit.ts';
import { NODE_LEASE_NAMESPACE } from '../../api/schemas/well-known.ts';
import { ensureNamespace, NodeLease } from './heartbeat.ts';
import { registerNode } from './register.ts';
import { simulatedFingerprint } from './simulated/fingerprints.ts';

const T0 = Date.parse('2025-06-01T00:00:00Z');

test('a node lease is created, renewed by CAS, re-read after a foreign write and re-created after a delete', async () => {
  const c = await startTestCluster();
  try {
    await ensureNamespace(c.client, NODE_LEASE_NAMESPACE);
    const clock = new ManualClock(T0);
    const leases = c.client.resource<Lease>('leases');
    const lease = new NodeLease({ leases, nodeName: 'n1', clock, durationSeconds: 30 });
    const first = await lease.renew();
    assert.deepEqual([first.spec?.holderIdentity, first.spec?.leaseDurationSeconds, first.spec?.renewTime], ['n1', 30, '2025-06-01T00:00:00.000000Z']);

    // Someone else touched the lease: our copy is stale, the renewal re-reads and wins on the second try.
    await leases.patch('n1', { metadata: { labels: { touched: 'yes' } } }, 'merge', { namespace: NODE_LEASE_NAMESPACE });
    clock.advance(10_000);
    const second = await lease.renew();
    assert.deepEqual([second.spec?.renewTime, second.metadata.labels?.touched], ['2025-06-01T00:00:10.000000Z', 'yes']);
    assert.equal(second.spec?.acquireTime, first.spec?.acquireTime, 'acquireTime stays');

    await leases.delete('n1', { namespace: NODE_LEASE_NAMESPACE });
    clock.advance(10_000);
    const third = await lease.renew();
    assert.equal(third.spec?.renewTime, '2025-06-01T00:00:20.000000Z');
  } finally {
    await c.close();
  }
});

test('re-registering a node keeps eligibility and drain, updates the agent-owned spec and replaces the status', async () => {
  const c = await startTestCluster();
  try {
    const nodes = c.client.resource<Node>('nodes');
    const fp = simulatedFingerprint({ datacenter: 'dc1', namePrefix: 'n-' }, 0);
    const first = await registerNode(nodes, fp, { now: () => T0 });
    assert.equal(first.status?.phase, 'ready');
    await nodes.patch(fp.name, { spec: { eligibility: 'ineligible' } }, 'merge');
    const again = await registerNode(nodes, { ...fp, datacenter: 'dc2', meta: { rack: 'r99' } }, { now: () => T0 + 1000, phase: 'initializing' });
    assert.deepEqual([again.spec?.eligibility, again.spec?.datacenter, again.spec?.meta], ['ineligible', 'dc2', { rack: 'r99' }]);
    assert.deepEqual([again.status?.phase, again.status?.lastHeartbeat], ['initializing', '2025-06-01T00:00:01.000Z']);
    assert.equal(again.status?.attributes?.['unique.hostname'], fp.name);
  } finally {
    await c.close();
  }
});
