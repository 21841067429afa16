// Builders for scheduler views in tests: sensible defaults, override what the case is about.
import type { AllocView, GroupView, JobView, NodeView, Resources } from '../structs.ts';
import { allocName } from '../structs.ts';
import { computeClass, defaultReschedule } from '../adapters.ts';

/** A ready, eligible dc1 node with 4000 MHz, 8 GiB, 100 GB and the four drivers healthy. */
export function mkNode(name: string, over: Partial<NodeView> = {}): NodeView {
  const healthy = { detected: true, healthy: true };
  const base: NodeView = {
    name, id: `id-${name}`, datacenter: 'dc1', nodeClass: '', eligible: true, ready: true, draining: false,
    capacity: { cpu: 4000, memoryMB: 8192, diskMB: 100_000 },
    drivers: { mock: healthy, exec: healthy, raw_exec: healthy, docker: healthy },
    attributes: { 'kernel.name': 'linux', 'cpu.arch': 'amd64', 'unique.hostname': name },
    meta: {}, hostVolumes: {}, reservedPorts: [], computedClass: '',
    ...over,
  };
  base.computedClass = over.computedClass ?? computeClass(base);
  return base;
}

/** A group `web` of one mock task asking 500 MHz / 256 MB / 300 MB disk. */
export function mkGroup(over: Partial<GroupView> = {}): GroupView {
  const ask: Resources = over.ask ?? { cpu: 500, memoryMB: 256, diskMB: 300 };
  return {
    name: 'web', count: 1,
    tasks: [{ name: 'main', driver: 'mock', resources: { cpu: ask.cpu, memoryMB: ask.memoryMB, diskMB: 0 } }],
    drivers: ['mock'], ask, ports: [], hostVolumes: [], constraints: [], affinities: [], spreads: [],
    update: { maxParallel: 0 }, migrateMaxParallel: 1, reschedule: defaultReschedule('service'), fingerprint: 'fp-1',
    ...over,
  };
}

/** A service job `app` (version 1, priority 50, datacenters *) with the given groups (default one `web`). */
export function mkJob(over: Partial<JobView> = {}): JobView {
  return {
    namespace: 'default', name: 'app', version: 1, type: 'service', priority: 50, datacenters: ['*'], stopped: false,
    constraints: [], groups: [mkGroup()],
    ...over,
  };
}

/** A running allocation of `job`'s group `group` with index `index` on `node`. */
export function mkAlloc(job: JobView, node: string, index: number, over: Partial<AllocView> = {}): AllocView {
  const groupName = over.groupName ?? job.groups[0]?.name ?? 'web';
  const group = job.groups.find((g) => g.name === groupName);
  return {
    id: `${job.name}-${groupName}-${index}-${node}`, namespace: job.namespace, name: allocName(job.name, groupName, index), index,
    jobName: job.name, jobVersion: job.version, groupName, nodeName: node, desiredStatus: 'run', clientStatus: 'running',
    resources: group?.ask ?? { cpu: 500, memoryMB: 256, diskMB: 300 }, ports: [], jobPriority: job.priority, createTime: 0,
    rescheduleEvents: [],
    ...over,
  };
}

/** n nodes named node-0..node-(n-1). */
export function mkNodes(n: number, over: (i: number) => Partial<NodeView> = () => ({})): NodeView[] {
  return Array.from({ length: n }, (_, i) => mkNode(`node-${i}`, over(i)));
}
