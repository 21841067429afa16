// The dry run itself: admit the submitted Job through the server's own create path with dryRun (schema defaults,
// validation, admission hooks, namespace check — nothing stored), read the running job, nodes and allocations
// from the watch caches, and run the scheduler's pure computePlan over them.
import type { Allocation, Job, JobSpec, JobVersion, Node } from '../../../api/schemas/index.ts';
import type { ApiObject, KindInfo } from '../../../api/schemas/kind.ts';
import { badRequest } from '../../apierrors/status.ts';
import { allocFromApi, jobFromApi, jobFromSpec, nodeFromApi, DEFAULT_PRIORITY } from '../../scheduler/adapters.ts';
import { hashOf } from '../../scheduler/fingerprint.ts';
import { computePlan } from '../../scheduler/schedule.ts';
import { dependencyGates, heldGroups } from '../../../api/schemas/job-dependencies.ts';
import type { SchedulerConfig } from '../../scheduler/stack.ts';
import type { AllocView, JobView } from '../../scheduler/structs.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { isTemplate } from '../../../api/schemas/job-launch.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { deepEqual, keyPrefix, objectKey } from '../codec.ts';
import type { ServerContext } from '../context.ts';
import { objectForPath } from '../objects.ts';
import { createObject } from '../write.ts';
import { buildResult } from './result.ts';
import type { JobPlanResult } from './types.ts';

/** The field manager the dry-run create runs as (it is never recorded: nothing is stored). */
export const PLAN_MANAGER = 'drover-plan';

/** The kinds a job plan reads; jobVersions is optional (without it only the running version is known). */
export interface JobPlanKinds {
  job: KindInfo;
  node: KindInfo;
  allocation: KindInfo;
  jobVersion?: KindInfo;
}

/** The kinds a plan needs, when the server serves them. */
export function jobPlanKinds(ctx: Pick<ServerContext, 'kindByPlural'>): JobPlanKinds | undefined {
  const get = (p: string) => ctx.kindByPlural.get(p);
  const [job, node, allocation] = [get('jobs'), get('nodes'), get('allocations')];
  return job && node && allocation ? { job, node, allocation, jobVersion: get('jobversions') } : undefined;
}

/** One plan request. */
export interface JobPlanRequest {
  namespace: string;
  name: string;
  /** The decoded request body: the Job to plan. */
  body: unknown;
  /** Keep unchanged fields in the diff (type None), for verbose output. */
  contextual: boolean;
}

/** Plan `req.body` against the cluster as the caches hold it; stores nothing. */
export async function planJob(ctx: ServerContext, kinds: JobPlanKinds, config: Partial<SchedulerConfig> | undefined, req: JobPlanRequest): Promise<JobPlanResult> {
  if (req.body === undefined) throw badRequest('the request body is empty; the Job to plan is required');
  const obj = objectForPath(req.body, { kind: kinds.job, namespace: req.namespace, name: req.name, verb: 'create' });
  const opts = { dryRun: true, manager: PLAN_MANAGER, managerGiven: true, fieldValidation: 'Strict', force: false };
  const candidate = (await createObject(ctx, { kind: kinds.job, opts }, obj)) as unknown as Job;
  const state = await readState(ctx, kinds, req.namespace, req.name);
  const { current } = state;
  const currentView = current ? jobFromApi(current) : undefined;
  const planned = jobFromApi(candidate);
  // A template places nothing under its own name (its children do), as Nomad's plan of a periodic or
  // parameterized job shows: plan it without groups.
  if (isTemplate(candidate)) planned.groups = [];
  // The version a submit would create: the running one when the spec is unchanged, the next one otherwise.
  if (currentView) planned.version = deepEqual(current!.spec, candidate.spec) ? currentView.version : currentView.version + 1;
  const jobVersions = new Map<number, JobView>(state.history.map((v) => [v.spec.version, jobFromSpec(req.namespace, req.name, v.spec.version, v.spec.jobSpec)]));
  if (currentView) jobVersions.set(currentView.version, currentView);
  const modifyIndex = current ? Number(current.metadata.resourceVersion) : 0;
  const schedule = computePlan({
    // A stable id: the same request against the same state gives the same placements.
    evalId: `plan-${hashOf([req.namespace, req.name, modifyIndex, candidate.spec])}`,
    job: planned, nodes: state.nodes, allocs: state.allocs, now: ctx.clock.now(), jobVersions, config,
    // What the workers would hold: groups waiting for their dependencies (api/schemas/job-dependencies.ts).
    held: new Set(heldGroups(dependencyGates(candidate, state.lookup, state.allocs.filter((a) => a.namespace === req.namespace && a.jobName === req.name))).keys()),
  });
  return buildResult(schedule, {
    job: planned,
    oldSpec: current?.spec as JobSpec | undefined,
    newSpec: candidate.spec,
    current: currentView ? { version: currentView.version, modifyIndex } : undefined,
    contextual: req.contextual,
    basis: state.basis,
  });
}

/** What the plan reads from the caches. */
interface ClusterState {
  current?: Job;
  history: JobVersion[];
  nodes: ReturnType<typeof nodeFromApi>[];
  allocs: AllocView[];
  /** A job of the namespace by name, as the cache holds it (dependencies). */
  lookup: (name: string) => Job | undefined;
  basis: JobPlanResult['basis'];
}

/**
 * The running job, its history, the nodes and the allocations that matter: every live one (it holds capacity)
 * and all of this job's (terminal ones carry its reschedule history). The caches are first brought up to this
 * server's own writes; then everything is read in one synchronous pass, so the plan sees one moment.
 */
async function readState(ctx: ServerContext, kinds: JobPlanKinds, namespace: string, name: string): Promise<ClusterState> {
  const [jobs, nodes, allocs, versions] = await Promise.all([
    ctx.caches.fresh(kinds.job), ctx.caches.fresh(kinds.node), ctx.caches.fresh(kinds.allocation),
    kinds.jobVersion ? ctx.caches.fresh(kinds.jobVersion) : undefined,
  ]);
  const current = jobs.get(objectKey(kinds.job, namespace, name))?.obj as Job | undefined;
  const priorities = new Map<string, number>();
  for (const j of jobs.list().items as unknown as Job[]) priorities.set(jobKey(j.metadata.namespace ?? '', j.metadata.name), j.spec?.priority ?? DEFAULT_PRIORITY);
  const ours = (a: Allocation) => a.metadata.namespace === namespace && a.spec.jobName === name;
  const matters = (o: ApiObject) => ours(o as unknown as Allocation) || isLive(o as unknown as Allocation);
  const allocViews = (allocs.list({ filter: matters }).items as unknown as Allocation[]).map((a) =>
    allocFromApi(a, { jobPriority: priorities.get(jobKey(a.metadata.namespace ?? '', a.spec.jobName)) }),
  );
  const history = versions
    ? (versions.list({ prefix: keyPrefix(kinds.jobVersion!, namespace), filter: (o) => (o as unknown as JobVersion).spec?.jobName === name }).items as unknown as JobVersion[])
    : [];
  return {
    current,
    history,
    nodes: (nodes.list().items as unknown as Node[]).map(nodeFromApi),
    allocs: allocViews,
    lookup: (n) => jobs.get(objectKey(kinds.job, namespace, n))?.obj as Job | undefined,
    basis: { nodes: nodes.revision(), allocations: allocs.revision(), jobs: jobs.revision() },
  };
}
