// The admission rule for spec.dependsOn between jobs: no job may close a dependency cycle among the jobs stored
// in its namespace. Read from the Job watch cache after this server's own writes (read-your-writes), so two
// writes through one server are judged in order. Two writes racing through different servers could each pass;
// a cycle that slipped in that way places nothing (every job on it waits) and its status names what it waits for.
import type { Job } from '../../api/schemas/index.ts';
import { cycleThrough } from '../../api/schemas/dependency-cycles.ts';
import type { AdmissionHook } from './admission.ts';
import type { KindCaches } from './caches.ts';

/** The Job dependency-cycle hook, built into every API server over its caches. */
export function jobDependencyCycles(caches: KindCaches): AdmissionHook {
  return {
    kinds: ['Job'],
    async validate(op, obj, _old, ctx) {
      const job = obj as unknown as Job;
      const deps = job.spec?.dependsOn ?? [];
      if (op === 'DELETE' || ctx.subresource || deps.length === 0 || !job.metadata.name) return [];
      const namespace = job.metadata.namespace ?? 'default';
      const { items } = await caches.list(ctx.kind, { prefix: `${namespace}/` });
      const edges = new Map<string, readonly string[]>();
      for (const o of items as unknown as Job[]) edges.set(o.metadata.name, o.spec.dependsOn ?? []);
      edges.set(job.metadata.name, deps);
      const cycle = cycleThrough(edges, job.metadata.name);
      if (!cycle) return [];
      return [{ reason: 'FieldValueInvalid', message: `Invalid value: dependency cycle: ${cycle.join(' -> ')}`, field: 'spec.dependsOn' }];
    },
  };
}
