// Checks of groups[].dependsOn within one job: each name is a group of the job, no group depends on itself or in
// a cycle, and system/sysbatch groups (one per node: no count to reach) have none. Cycles between jobs need the
// other jobs of the namespace: the API server checks those (pkg/apiserver/job-dependencies.ts).
import type { StatusCause } from '../../pkg/apierrors/status.ts';
import { cycleThrough } from './dependency-cycles.ts';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Causes for the groups' dependsOn of the job spec at `path`. */
export function groupDependencyCauses(spec: Json, path: string): StatusCause[] {
  const groups = (Array.isArray(spec.groups) ? spec.groups : []).filter(isObj);
  const names = new Set(groups.map((g) => g.name).filter((n): n is string => typeof n === 'string'));
  const edges = new Map<string, string[]>();
  const causes: StatusCause[] = [];
  const perNode = spec.type === 'system' || spec.type === 'sysbatch';
  (Array.isArray(spec.groups) ? spec.groups : []).forEach((g, gi) => {
    if (!isObj(g) || typeof g.name !== 'string') return;
    const deps = strings(g.dependsOn);
    const field = `${path}.groups[${gi}].dependsOn`;
    if (deps.length > 0 && perNode) {
      causes.push({ reason: 'FieldValueForbidden', message: `Forbidden: groups of a ${String(spec.type)} job run one per node and have no count to reach; use spec.dependsOn between jobs`, field });
      return;
    }
    deps.forEach((d, di) => {
      if (!names.has(d)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(d)}: no such group in this job`, field: `${field}[${di}]` });
    });
    edges.set(g.name, deps.filter((d) => names.has(d)));
  });
  (Array.isArray(spec.groups) ? spec.groups : []).forEach((g, gi) => {
    if (!isObj(g) || typeof g.name !== 'string') return;
    const cycle = cycleThrough(edges, g.name);
    // Reported once, at the first group of the cycle in the job's order.
    if (cycle && cycle.slice(0, -1).every((n) => groups.findIndex((x) => x.name === n) >= gi)) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: dependency cycle: ${cycle.join(' -> ')}`, field: `${path}.groups[${gi}].dependsOn` });
    }
  });
  return causes;
}
