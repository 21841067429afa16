// Hollow nodes against a real API server over the memory store: registration with fingerprints, staggered
// lease renewals, and allocation reports (running, mock runFor/exitCode/startError, stop). The fleet's clock
// is a ManualClock: every delay and heartbeat fires only when the test advances it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Job, Lease, Node } from '../../../api/schemas/index.ts';
import { startApiServer, type TestApiServer } from '../../../test/support/server.ts';
import { createClient, type Client } from '../../client/client.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { NODE_LEASE_NAMESPACE } from '../../../api/schemas/well-known.ts';
import { allocDraft, createNode, place } from '../../controllers/evaluator/testkit.ts';
import { startHollowFleet, type HollowFleet } from './fleet.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');

async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 5));
}

async function withFleet(count: number, fn: (h: { api: TestApiServer; client: Client; clock: ManualClock; fleet: HollowFleet }) => Promise<void>): Promise<void> {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  const clock = new ManualClock(T0);
  const fleet = await startHollowFleet({
    client, clock, logger: silentLogger, count, namePrefix: 'h-', heartbeatIntervalMs: 9000, startDelayMs: [100, 100], stopDelayMs: [50, 50], random: () => 0.5,
  });
  try {
    await fn({ api, client, clock, fleet });
  } finally {
    fleet.stop();
    await client.close();
    await api.close();
  }
}

const job = (name: string, config: Record<string, unknown>, driver = 'mock'): Job => ({
  apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' },
  spec: { type: 'batch', groups: [{ name: 'g', tasks: [{ name: 't', driver, config }] }] },
});


test('registers N ready nodes with varied, Nomad-style fingerprints and a lease each', async () => {
  await withFleet(6, async ({ client, fleet }) => {
    assert.deepEqual(fleet.nodes, ['h-00000', 'h-00001', 'h-00002', 'h-00003', 'h-00004', 'h-00005']);
    const nodes = (await client.resource<Node>('nodes').list()).items;
    assert.equal(nodes.length, 6);
    for (const n of nodes) {
      assert.equal(n.status?.phase, 'ready');
      assert.equal(n.spec?.datacenter, 'dc1');
      const attrs = n.status!.attributes!;
      assert.equal(attrs['kernel.name'], 'linux');
      assert.equal(attrs['unique.hostname'], n.metadata.name);
      assert.ok(['amd64', 'arm64'].includes(attrs['cpu.arch']!));
      assert.equal(attrs['driver.docker'], '1');
      for (const d of ['mock', 'raw_exec', 'exec', 'docker']) assert.deepEqual([n.status!.drivers![d]!.detected, n.status!.drivers![d]!.healthy], [true, true]);
      const r = n.status!.resources!;
      assert.ok(r.cores! >= 2 && r.cores! <= 32 && r.cpu! >= 2000 * r.cores! && r.cpu! <= 3600 * r.cores!);
      assert.ok(r.memoryMB! >= 4096 && r.memoryMB! <= 256 * 1024);
      assert.match(n.spec!.meta!.rack!, /^r\d\d$/);
    }
    assert.ok(new Set(nodes.map((n) => n.status!.resources!.cpu)).size > 1, 'machine sizes vary');
    const leases = (await client.resource<Lease>('leases').list({ namespace: NODE_LEASE_NAMESPACE })).items;
    assert.deepEqual(leases.map((l) => [l.metadata.name, l.spec?.holderIdentity, l.spec?.renewTime]).sort(), fleet.nodes.map((n) => [n, n, new Date(T0).toISOString().replace('Z', '000Z')]));
  });
});

test('heartbeats renew each lease by CAS once per interval, spread over the interval', async () => {
  await withFleet(3, async ({ client, clock, fleet }) => {
    const leases = async () => (await client.resource<Lease>('leases').list({ namespace: NODE_LEASE_NAMESPACE })).items;
    const renewedAt = async () => Object.fromEntries((await leases()).map((l) => [l.metadata.name, Date.parse(l.spec!.renewTime!) - T0]));
    // Phases over a 9 s interval for 3 nodes: h-00000 at 0 (the registration instant), h-00001 at 3000,
    // h-00002 at 6000, then each every 9000.
    clock.advance(3000);
    await until(() => fleet.stats().heartbeats.renewals === 2);
    assert.deepEqual(await renewedAt(), { 'h-00000': 0, 'h-00001': 3000, 'h-00002': 0 });
    clock.advance(6000);
    await until(() => fleet.stats().heartbeats.renewals === 4);
    assert.deepEqual(await renewedAt(), { 'h-00000': 9000, 'h-00001': 3000, 'h-00002': 6000 });
    assert.deepEqual(fleet.stats().heartbeats, { renewals: 4, failures: 0, retries: 0, skipped: 0 });
    assert.ok((await leases()).every((l) => l.spec?.holderIdentity === l.metadata.name && l.spec?.leaseDurationSeconds === 20));
  });
});

test('placed allocations report running, then mock runFor/exitCode/startError semantics; stops complete', async () => {
  await withFleet(2, async ({ client, clock, fleet }) => {
    const jobs = client.resource<Job>('jobs');
    await jobs.create(job('svc', {}, 'docker'));
    await jobs.create(job('ok', { runFor: '5s' }));
    await jobs.create(job('bad', { runFor: '2s', exitCode: 3 }));
    await jobs.create(job('broken', { startError: 'image not found' }));
    const allocs = client.resource<Allocation>('allocations');
    await createNode(client, 'elsewhere');
    for (const [name, j, node] of [['a-svc', 'svc', 'h-00000'], ['a-ok', 'ok', 'h-00001'], ['a-bad', 'bad', 'h-00000'], ['a-broken', 'broken', 'h-00001'], ['a-foreign', 'svc', 'elsewhere']] as const) {
      await place(client, [allocDraft(name, j, node, { cpu: 100, memoryMB: 64 })]);
    }
    const status = async (name: string) => (await allocs.get(name, { namespace: 'default' })).status;
    // Every step is scheduled when the fleet's informer sees the allocation; only then does time move.
    await until(() => fleet.stats().allocations.tracked === 4);
    clock.advance(100);
    await until(async () => (await status('a-svc'))?.clientStatus === 'running' && (await status('a-broken'))?.clientStatus === 'failed' && (await status('a-ok'))?.clientStatus === 'running' && (await status('a-bad'))?.clientStatus === 'running');
    const svc = (await status('a-svc'))!.taskStates!.t!;
    assert.equal(svc.state, 'running');
    assert.deepEqual(svc.events!.map((e) => e.type), ['Received', 'Task Setup', 'Started']);
    const broken = (await status('a-broken'))!.taskStates!.t!;
    assert.deepEqual([broken.state, broken.failed, broken.events!.at(-1)!.type, broken.events!.at(-1)!.message], ['dead', true, 'Driver Failure', 'image not found']);
    assert.equal(await status('a-foreign'), undefined, 'allocations of other nodes are left alone');

    // A finish timer armed after the clock moved past its due time fires at the next advance(0).
    const settle = (cond: () => Promise<boolean>) => until(async () => (clock.advance(0), cond()));
    clock.advance(2000);
    await settle(async () => (await status('a-bad'))?.clientStatus === 'failed');
    const bad = (await status('a-bad'))!.taskStates!.t!;
    assert.deepEqual([bad.state, bad.failed, bad.events!.at(-1)!.type, bad.events!.at(-1)!.exitCode], ['dead', true, 'Terminated', 3]);
    assert.equal((await status('a-ok'))?.clientStatus, 'running', 'runFor 5s has not elapsed');
    clock.advance(3000);
    await settle(async () => (await status('a-ok'))?.clientStatus === 'complete');
    assert.equal((await status('a-ok'))!.taskStates!.t!.events!.at(-1)!.exitCode, 0);

    // The scheduler stops the service allocation: the node kills it and reports it complete.
    await allocs.patch('a-svc', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    await until(async () => (clock.advance(50), (await status('a-svc'))?.clientStatus === 'complete'));
    assert.deepEqual((await status('a-svc'))!.taskStates!.t!.events!.slice(-2).map((e) => e.type), ['Killing', 'Killed']);
  });
});

test('allocations a rollout placed report their deployment health: healthy once running, unhealthy when they fail to start', async () => {
  await withFleet(1, async ({ client, clock, fleet }) => {
    const jobs = client.resource<Job>('jobs');
    await jobs.create(job('svc', {}, 'docker'));
    await jobs.create(job('broken', { startError: 'image not found' }));
    const inRollout = (d: Allocation) => ({ ...d, spec: { ...d.spec, deploymentName: `${d.spec.jobName}-deploy-1` } });
    await place(client, [inRollout(allocDraft('d-svc', 'svc', 'h-00000', { cpu: 100, memoryMB: 64 }))]);
    await place(client, [inRollout(allocDraft('d-broken', 'broken', 'h-00000', { cpu: 100, memoryMB: 64 }))]);
    await place(client, [allocDraft('plain', 'svc', 'h-00000', { cpu: 100, memoryMB: 64 })]);
    await until(() => fleet.stats().allocations.tracked === 3);
    clock.advance(1000);
    const allocs = client.resource<Allocation>('allocations');
    const status = async (name: string) => (await allocs.get(name, { namespace: 'default' })).status;
    await until(async () => (await status('plain'))?.clientStatus === 'running' && (await status('d-broken'))?.clientStatus === 'failed' && (await status('d-svc'))?.clientStatus === 'running');
    assert.equal((await status('d-svc'))!.deploymentStatus!.healthy, true);
    assert.equal((await status('d-broken'))!.deploymentStatus!.healthy, false);
    assert.equal((await status('plain'))!.deploymentStatus, undefined, 'no deployment, no deployment health');
  });
});
