// Test fixtures shared by the health and drain controller tests: a real API server over the memory store, a
// ManualClock for the controllers, and builders for Nodes, Leases, Jobs and Allocations. Live allocations can
// only be created by a plan commit through the API (pkg/apiserver/allocation-guard.ts), so tests that stand in for the
// scheduler write them straight into the store, as a plan commit would.
import { randomUUID } from 'node:crypto';
import type { Allocation, Job, Lease, Node } from '../../../api/schemas/index.ts';
import { kindByKind } from '../../../api/schemas/index.ts';
import { microTime, rfc3339 } from '../../../api/schemas/timestamp.ts';
import { encodeStored, objectKey } from '../../apiserver/codec.ts';
import { createClient, type Client } from '../../client/client.ts';
import { ManualClock } from '../../clock/clock.ts';
import { startApiServer, type TestApiServer } from '../../../test/support/server.ts';
import { WAIT_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';
import { ensureNamespace } from '../../client/namespaces.ts';

/** 2030-01-01T00:00:00Z: where test clocks start. */
export const T0 = Date.parse('2030-01-01T00:00:00Z');

/** A running test cluster. */
export interface TestCluster {
  api: TestApiServer;
  client: Client;
  clock: ManualClock;
}

/** Run `fn` against a fresh API server; always cleans up. */
export async function withCluster(fn: (c: TestCluster) => Promise<void>): Promise<void> {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  try {
    await fn({ api, client, clock: new ManualClock(T0) });
  } finally {
    await client.close();
    await api.close();
  }
}

/** Poll (real time) until `cond` holds; `tick` runs between polls (e.g. to move a ManualClock past retry backoffs). */
export async function until(cond: () => boolean | Promise<boolean>, tick?: () => void): Promise<void> {
  const giveUpAt = Date.now() + WAIT_HANG_GUARD_MS;
  while (!(await cond())) {
    if (Date.now() > giveUpAt) throw new Error(`until: the condition never held (hang guard, ${WAIT_HANG_GUARD_MS / 60_000} min): ${cond.toString().slice(0, 200)}`);
    tick?.();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether `rv` (a resourceVersion) is at or below `seen`. */
export function caughtUp(seen: string, rv: string | undefined): boolean {
  return seen !== '' && Number(seen) >= Number(rv ?? 0);
}

/** Create a Node and set its status phase (as its agent would). */
export async function createNode(client: Client, name: string, phase: 'ready' | 'down' | 'initializing' = 'ready', spec: Node['spec'] = {}): Promise<Node> {
  const nodes = client.resource<Node>('nodes');
  const created = await nodes.create({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec: { datacenter: 'dc1', ...spec } });
  return nodes.updateStatus({ ...created, status: { phase, resources: { cpu: 4000, memoryMB: 8192, diskMB: 100_000 } } });
}

/** Create or renew (CAS) the node's heartbeat Lease in drover-node-lease, renewTime from `at`. */
export async function renewLease(client: Client, nodeName: string, at: number, leaseDurationSeconds = 10): Promise<Lease> {
  const leases = client.resource<Lease>('leases');
  const renewTime = microTime(at);
  await ensureNamespace(client, 'drover-node-lease');
  try {
    const current = await leases.get(nodeName, { namespace: 'drover-node-lease' });
    return await leases.update({ ...current, spec: { ...current.spec, renewTime } });
  } catch {
    return leases.create({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: nodeName, namespace: 'drover-node-lease' },
      spec: { holderIdentity: nodeName, leaseDurationSeconds, acquireTime: renewTime, renewTime },
    });
  }
}

/** Create a Job with one group `g` of a mock task. */
export async function createJob(client: Client, name: string, type: NonNullable<Job['spec']['type']>, count: number, maxParallel?: number): Promise<Job> {
  return client.resource<Job>('jobs').create({
    apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { type, groups: [{ name: 'g', count, ...(maxParallel ? { migrate: { maxParallel } } : {}), tasks: [{ name: 't', driver: 'mock', config: { runFor: '1h' } }] }] },
  });
}

/** What placeAllocation writes. */
export interface Placement {
  name: string;
  nodeName: string;
  jobName: string;
  index?: number;
  clientStatus?: 'pending' | 'running' | 'complete' | 'failed' | 'lost';
  previousAllocation?: string;
}

/** Write an Allocation into the store as a plan commit would, and return it as the API serves it. */
export async function placeAllocation(c: TestCluster, p: Placement): Promise<Allocation> {
  const kind = kindByKind.get('Allocation')!;
  const obj: Allocation = {
    apiVersion: 'drover.dev/v1', kind: 'Allocation',
    metadata: { name: p.name, namespace: 'default', uid: randomUUID(), generation: 1, creationTimestamp: rfc3339(c.clock.now()) },
    spec: {
      nodeName: p.nodeName, jobName: p.jobName, jobVersion: 0, groupName: 'g', index: p.index ?? 0, desiredStatus: 'run',
      ...(p.previousAllocation ? { previousAllocation: p.previousAllocation } : {}),
      resources: { tasks: { t: { cpu: 100, memoryMB: 64 } } },
    },
    status: { clientStatus: p.clientStatus ?? 'running' },
  };
  await c.api.store.create(objectKey(kind, 'default', p.name), encodeStored(obj));
  const allocs = c.client.resource<Allocation>('allocations');
  // The API server's cache follows the store's watch: read until it has the object.
  for (;;) {
    try {
      return await allocs.get(p.name, { namespace: 'default' });
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Set an allocation's client status through /status, as its agent would. */
export async function reportStatus(client: Client, name: string, clientStatus: NonNullable<Allocation['status']>['clientStatus'], healthy?: boolean): Promise<Allocation> {
  const allocs = client.resource<Allocation>('allocations');
  const a = await allocs.get(name, { namespace: 'default' });
  return allocs.updateStatus({ ...a, status: { ...a.status, clientStatus, ...(healthy !== undefined ? { deploymentStatus: { healthy } } : {}) } });
}
