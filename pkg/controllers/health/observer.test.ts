// The lease observer and the node status changes, as pure functions: expiry by our own clock (never by the
// remote renewTime), the baseline that only a real renewal moves, and the condition that keeps the health
// controller from undoing the agent's own phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node } from '../../../api/schemas/index.ts';
import { LeaseObserver } from './observer.ts';
import { downByHealth, heartbeatCondition, markedDown, markedRenewed } from './nodestatus.ts';

const lease = (renewTime: string, leaseDurationSeconds?: number, uid = 'u1'): Lease => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Lease',
  metadata: { name: 'n1', namespace: 'drover-node-lease', uid },
  spec: { holderIdentity: 'n1', renewTime, ...(leaseDurationSeconds ? { leaseDurationSeconds } : {}) },
});

const node = (phase: 'ready' | 'down' | 'initializing', conditions?: NonNullable<Node['status']>['conditions']): Node => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  spec: {},
  status: { phase, address: '10.0.0.1', ...(conditions ? { conditions } : {}) },
});

test('a lease expires ttl + grace after we first saw its current version, whatever its renewTime says', () => {
  const o = new LeaseObserver({ ttlMs: 10_000, graceMs: 10_000 });
  // renewTime is decades away from our clock in both directions: it is only ever compared for equality.
  const cases = ['1999-01-01T00:00:00.000000Z', '2099-01-01T00:00:00.000000Z'];
  for (const [i, renewTime] of cases.entries()) {
    const name = `n${i}`;
    assert.deepEqual(o.observe(name, lease(renewTime), 1_000), { expired: false, expiresAt: 21_000, silentForMs: 0, renewedSinceBaseline: false });
    assert.equal(o.observe(name, lease(renewTime), 20_999).expired, false);
    assert.equal(o.observe(name, lease(renewTime), 21_000).expired, true);
  }
});

test("the lease's own leaseDurationSeconds is the TTL unless overridden; an absent lease uses the default", () => {
  const cases: Array<{ opts: ConstructorParameters<typeof LeaseObserver>[0]; lease?: Lease; expiresAt: number }> = [
    { opts: { graceMs: 10_000 }, lease: lease('t', 20), expiresAt: 30_000 },
    { opts: { graceMs: 10_000 }, lease: lease('t'), expiresAt: 20_000 },
    { opts: { ttlMs: 5_000, graceMs: 1_000, overrideTtl: true }, lease: lease('t', 20), expiresAt: 6_000 },
    { opts: { ttlMs: 5_000, graceMs: 1_000 }, lease: undefined, expiresAt: 6_000 },
  ];
  for (const c of cases) assert.equal(new LeaseObserver(c.opts).observe('n1', c.lease, 0).expiresAt, c.expiresAt, JSON.stringify(c));
});

test('a renewal restarts the countdown and counts as renewed since the baseline; markDown moves the baseline', () => {
  const o = new LeaseObserver({ ttlMs: 10_000, graceMs: 0 });
  assert.equal(o.observe('n1', lease('a'), 0).renewedSinceBaseline, false);
  const renewed = o.observe('n1', lease('b'), 9_000);
  assert.equal(renewed.renewedSinceBaseline, true);
  assert.equal(renewed.expiresAt, 19_000);
  assert.equal(o.observe('n1', lease('b'), 19_000).expired, true);
  o.markDown('n1');
  assert.equal(o.observe('n1', lease('b'), 30_000).renewedSinceBaseline, false, 'the lease it was marked down with is no renewal');
  assert.equal(o.observe('n1', lease('b', undefined, 'u2'), 31_000).renewedSinceBaseline, true, 'a re-created lease is');
});

test('a lease that appears or disappears is a change; forgetting a node starts over', () => {
  const o = new LeaseObserver({ ttlMs: 1_000, graceMs: 0 });
  assert.equal(o.observe('n1', undefined, 0).expiresAt, 1_000);
  assert.equal(o.observe('n1', lease('a'), 500).expiresAt, 1_500);
  assert.equal(o.observe('n1', undefined, 700).expiresAt, 1_700);
  o.forget('n1');
  assert.equal(o.observe('n1', undefined, 5_000).renewedSinceBaseline, false);
});

test('markedDown records why; markedRenewed brings back only a down the health controller caused', () => {
  const down = markedDown(node('ready'), 'node lease not renewed for 20s', '2030-01-01T00:00:00Z');
  assert.equal(down.status?.phase, 'down');
  assert.equal(down.status?.address, '10.0.0.1', 'the agent-owned fields stay');
  assert.deepEqual(heartbeatCondition(down), {
    type: 'Heartbeat', status: 'False', reason: 'LeaseExpired', message: 'node lease not renewed for 20s', lastTransitionTime: '2030-01-01T00:00:00Z',
  });
  assert.equal(downByHealth(down), true);

  const back = markedRenewed(down, '2030-01-01T00:01:00Z');
  assert.equal(back.status?.phase, 'ready');
  assert.equal(heartbeatCondition(back)?.status, 'True');
  assert.equal(back.status?.conditions?.length, 1, 'one condition per type');

  // The agent re-registered as initializing meanwhile (our condition still False): its phase stands.
  const agentPhase = { ...down, status: { ...down.status, phase: 'initializing' as const } };
  assert.equal(downByHealth(agentPhase), false);
  assert.equal(markedRenewed(agentPhase, 't').status?.phase, 'initializing');
  // Down for another reason (no condition of ours): never ours to undo.
  assert.equal(downByHealth(node('down')), false);
});
