// What the views derive from the store: each node's allocated cpu and memory (the live allocations on it, by
// the one liveness predicate), allocations by job, a job's current deployment.
import { isLive } from '../../../api/schemas/allocation-state.ts';
import type { ClusterStore, Obj } from './store.ts';

/** Allocated resources of one node. */
export interface NodeUsage {
  cpu: number;
  memoryMB: number;
  allocs: number;
}

/** Sum the task resources of every live allocation per node. */
export function nodeUsage(s: ClusterStore): Map<string, NodeUsage> {
  const out = new Map<string, NodeUsage>();
  for (const a of s.list('allocations').values()) {
    if (!isLive(a as Parameters<typeof isLive>[0])) continue;
    const u = out.get(a.spec.nodeName) ?? { cpu: 0, memoryMB: 0, allocs: 0 };
    for (const t of Object.values((a.spec.resources?.tasks ?? {}) as Record<string, { cpu?: number; memoryMB?: number }>)) {
      u.cpu += t.cpu ?? 0;
      u.memoryMB += t.memoryMB ?? 0;
    }
    u.allocs++;
    out.set(a.spec.nodeName, u);
  }
  return out;
}

/** A node's capacity for placements: its resources less what it reserves. */
export function capacity(n: Obj): { cpu: number; memoryMB: number } {
  const r = n.status?.resources ?? {};
  const res = n.status?.reserved ?? {};
  return { cpu: (r.cpu ?? 0) - (res.cpu ?? 0), memoryMB: (r.memoryMB ?? 0) - (res.memoryMB ?? 0) };
}

/** Whether the allocation is live (holds its node's resources). */
export function live(a: Obj): boolean {
  return isLive(a as Parameters<typeof isLive>[0]);
}

/** The objects of `kind` in `namespace` whose `spec.jobName` is `job`. */
export function ofJob(s: ClusterStore, kind: 'allocations' | 'evaluations' | 'deployments' | 'jobversions', namespace: string, job: string): Obj[] {
  const out: Obj[] = [];
  for (const o of s.list(kind).values()) if (o.metadata.namespace === namespace && o.spec?.jobName === job) out.push(o);
  return out;
}

/** The job's deployment of its newest version (the one the job status names, else the newest). */
export function currentDeployment(s: ClusterStore, job: Obj): Obj | undefined {
  const name = job.status?.latestDeployment?.name;
  if (name) {
    const d = s.get('deployments', job.metadata.namespace, name);
    if (d) return d;
  }
  return ofJob(s, 'deployments', job.metadata.namespace!, job.metadata.name).sort((a, b) => (b.spec.jobVersion ?? 0) - (a.spec.jobVersion ?? 0))[0];
}
