import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { jobFromApi, nodeFromApi, allocFromApi, defaultReschedule, computeClass } from './adapters.ts';
import type { Job, Node, Allocation } from '../../api/schemas/index.ts';

const example = (name: string): Job => parse(readFileSync(fileURLToPath(new URL(`../../api/examples/${name}`, import.meta.url)), 'utf8')) as Job;

test('the redis example: defaults applied, a dynamic port, resources summed with the default ephemeral disk', () => {
  const job = jobFromApi(example('redis.yaml'));
  assert.equal(job.name, 'redis');
  assert.equal(job.type, 'service');
  assert.equal(job.priority, 50);
  assert.deepEqual(job.datacenters, ['us-east-1']);
  const g = job.groups[0];
  assert.equal(g.count, 1);
  assert.deepEqual(g.drivers, ['docker']);
  assert.deepEqual(g.ports, [{ label: 'redis', static: undefined, to: undefined }]);
  assert.deepEqual(g.ask, { cpu: 500, memoryMB: 256, diskMB: 300 });
  assert.deepEqual(g.update, { maxParallel: 0, canary: 0 }); // no update block: no rolling update
  assert.deepEqual(g.reschedule, defaultReschedule('service'));
});

test('my-app: job constraints stay at job level, job spreads merge into groups, policies parse durations', () => {
  // The version is the generation (api/schemas/job-version.ts); a lagging status.version is not read.
  const ex = example('my-app.yaml');
  const job = jobFromApi({ ...ex, metadata: { ...ex.metadata, generation: 4 }, status: { version: 3 } });
  assert.equal(job.version, 4);
  assert.deepEqual(job.constraints, [{ attribute: '${attr.kernel.name}', operator: '=', value: 'linux' }]);
  const g = job.groups[0];
  assert.deepEqual(g.spreads, [{ attribute: '${node.datacenter}', weight: 50, targets: [] }]);
  assert.deepEqual(g.update, { maxParallel: 1, canary: 1 }); // the example's canary: 1
  assert.equal(g.reschedule.maxDelayMs, 3_600_000);
  assert.equal(g.reschedule.delayFunction, 'exponential');
});

test('batch: host volumes, type defaults, and fingerprints that ignore in-place fields', () => {
  const raw = example('batch.yaml');
  const job = jobFromApi(raw);
  const g = job.groups[0];
  assert.deepEqual(g.hostVolumes, [{ name: 'scratch', source: 'scratch', readOnly: false }]);
  assert.deepEqual(g.reschedule, defaultReschedule('batch'));
  assert.deepEqual(g.ask, { cpu: 200, memoryMB: 600, diskMB: 300 });
  const scaled = structuredClone(raw);
  scaled.spec.groups[0].count = 9;
  scaled.spec.groups[0].tasks[1].killTimeout = '30s';
  assert.equal(jobFromApi(scaled).groups[0].fingerprint, g.fingerprint);
  const changed = structuredClone(raw);
  (changed.spec.groups[0].tasks[1].config as { args: string[] }).args = ['-c', 'echo other'];
  assert.notEqual(jobFromApi(changed).groups[0].fingerprint, g.fingerprint);
  // A new dispatch payload must reach the tasks' files: it replaces the allocations.
  const repaid = structuredClone(raw);
  repaid.spec.payload = Buffer.from('new').toString('base64');
  assert.notEqual(jobFromApi(repaid).groups[0].fingerprint, g.fingerprint);
});

test('nodes: capacity net of reserved, drivers, volumes, drain, and a class that ignores unique attributes', () => {
  const node: Node = {
    apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'n1', uid: 'u1' },
    spec: { datacenter: 'dc2', nodeClass: 'gpu', meta: { rack: 'r1' }, drain: { deadline: '1h' } },
    status: {
      phase: 'ready', resources: { cpu: 4000, memoryMB: 8192, diskMB: 1000 }, reserved: { cpu: 100, memoryMB: 192 },
      attributes: { 'kernel.name': 'linux', 'unique.hostname': 'h1' }, drivers: { docker: { detected: true, healthy: false } },
      hostVolumes: { data: { path: '/data' } },
    },
  };
  const v = nodeFromApi(node);
  assert.deepEqual(
    [v.id, v.datacenter, v.nodeClass, v.ready, v.eligible, v.draining, v.capacity],
    ['u1', 'dc2', 'gpu', true, true, true, { cpu: 3900, memoryMB: 8000, diskMB: 1000 }],
  );
  assert.deepEqual(v.drivers, { docker: { detected: true, healthy: false } });
  assert.deepEqual(v.hostVolumes, { data: { path: '/data', readOnly: false } });
  const twin = nodeFromApi({ ...node, metadata: { name: 'n2' }, status: { ...node.status, attributes: { 'kernel.name': 'linux', 'unique.hostname': 'h2' } } });
  assert.equal(twin.computedClass, v.computedClass);
  assert.notEqual(computeClass({ ...v, meta: { rack: 'r2' } }), v.computedClass);
  const bare = nodeFromApi({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'x' } });
  assert.deepEqual([bare.datacenter, bare.ready, bare.eligible, bare.draining], ['dc1', false, true, false]);
});

test('allocations: name from job, group and index; resources summed; failure time from task states', () => {
  const alloc: Allocation = {
    apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: 'redis-redis-2-abc', namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: {
      nodeName: 'n1', jobName: 'redis', jobVersion: 3, groupName: 'redis', index: 2,
      resources: { tasks: { a: { cpu: 100, memoryMB: 64 }, b: { cpu: 50, memoryMB: 32 } }, diskMB: 300, ports: [{ label: 'db', value: 20001 }] },
      rescheduleTracker: { events: [{ rescheduleTime: '2025-01-01T00:00:10Z', prevAllocName: 'p', prevNodeName: 'n0', delay: '30s' }] },
    },
    status: { clientStatus: 'failed', taskStates: { a: { state: 'dead', failed: true, finishedAt: '2025-01-01T00:01:00Z' } }, deploymentStatus: { healthy: false } },
  };
  const v = allocFromApi(alloc, { jobPriority: 70 });
  assert.equal(v.name, 'redis.redis[2]');
  assert.deepEqual(v.resources, { cpu: 150, memoryMB: 96, diskMB: 300 });
  assert.deepEqual(v.ports, [{ label: 'db', value: 20001, to: undefined }]);
  assert.equal(v.desiredStatus, 'run');
  assert.equal(v.jobPriority, 70);
  assert.equal(v.finishTime, Date.parse('2025-01-01T00:01:00Z'));
  assert.deepEqual(v.rescheduleEvents, [{ time: Date.parse('2025-01-01T00:00:10Z'), prevAllocId: 'p', prevNodeName: 'n0', delayMs: 30_000 }]);
  assert.equal(v.healthy, false);
});
