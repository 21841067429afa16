// process(eval): Nomad's worker loop for one claimed evaluation. computePlan over the process's ClusterView,
// submit the plan with the evaluation's outcome; when the commit was partial or the view stale, catch up to the
// revision the server named and plan again — at most maxPlanAttempts times without progress, then the
// evaluation fails with a max-plan-attempts follow-up.
import type { Deployment, Evaluation, Job } from '../../../api/schemas/index.ts';
import { canariesPromoted, deploymentNameOf, wantsDeployment } from '../../../api/schemas/deployment.ts';
import { isTerminal } from '../../../api/schemas/allocation-state.ts';
import { dependencyGates, hasDependencies, heldGroups } from '../../../api/schemas/job-dependencies.ts';
import type { DeploymentView } from '../reconcile/types.ts';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { EvalOutcome, PlanRequest, PlanResponse } from '../plan/wire.ts';
import { deletedJob, jobFromApi } from '../adapters.ts';
import type { Plan } from '../plan/plan.ts';
import { computePlan, defaultAllocId } from '../schedule.ts';
import type { JobType } from '../structs.ts';
import type { ClaimToken } from './claims.ts';
import type { WorkerConfig } from './config.ts';
import { failedOutcome, planOutcome } from './outcome.ts';
import { planBasis, planChanges, splitChanges } from './request.ts';
import type { ClusterView } from './view.ts';

/** What one plan submission was, for observers (the test harness records them). */
export interface PlanEvent {
  eval: Evaluation;
  attempt: number;
  plan: Plan | undefined;
  request: PlanRequest;
  response: PlanResponse;
}

/** Observation points of the workers (tests). A throwing hook fails the evaluation's processing (→ nack). */
export interface WorkerHooks {
  /** Before each plan submission. */
  beforeSubmit?(ev: Evaluation, request: PlanRequest): void | Promise<void>;
  /** After each plan submission. */
  onPlan?(e: PlanEvent): void;
  /** A worker starts / ends handling a claimed evaluation. */
  onProcessStart?(ev: Evaluation, worker: string): void;
  onProcessEnd?(ev: Evaluation, worker: string, result: 'acked' | 'nacked' | 'failed' | 'lost'): void;
}

/** Dependencies of process(). */
export interface ProcessDeps {
  client: Client;
  view: ClusterView;
  clock: Clock;
  logger: Logger;
  config: WorkerConfig;
  hooks: WorkerHooks;
  /** Aborted when the claim is lost or the scheduler stops. */
  signal: AbortSignal;
}

/** Process a claimed evaluation to its outcome; returns the final plan response (outcome applied). */
export async function processEval(deps: ProcessDeps, ev: Evaluation, token: ClaimToken): Promise<PlanResponse> {
  const { view, config, clock } = deps;
  const ns = ev.metadata.namespace ?? 'default';
  let stale = 0;
  // The evaluator saw this job's held groups free: see what it saw, however far this process's informers lag.
  if (ev.spec.triggeredBy === 'job-dependency') await refreshDependencies(view, ns, ev.spec.jobName);
  for (let attempt = 1; ; attempt++) {
    deps.signal.throwIfAborted();
    if (stale >= config.maxPlanAttempts) {
      const outcome = failedOutcome(ev, token, `no progress after ${stale} plan attempts`, 'max-plan-attempts', clock.now(), config.failedFollowupDelayMs);
      return submit(deps, ev, attempt, undefined, { claim: token, placements: [], stops: [], updates: [], outcome });
    }
    // One synchronous read of the view: the revisions, the job and the plan all describe the same state.
    const revisions = view.revisions();
    const job = view.job(ns, ev.spec.jobName);
    const jobView = job ? jobFromApi(job) : deletedJob(ns, ev.spec.jobName, (ev.spec.type ?? 'service') as JobType);
    // Each attempt names its allocations afresh, so a re-plan never collides with what an earlier attempt created.
    const salt = attempt === 1 ? ev.metadata.name : `${ev.metadata.name}/${attempt}`;
    const { plan } = computePlan({
      evalId: ev.metadata.name, job: jobView, cluster: view.snapshot, now: clock.now(),
      jobVersions: view.jobVersions(ns, ev.spec.jobName), config: config.scheduler, deployment: job ? deploymentOf(view, job, jobView.version) : undefined,
      promotedCanaries: promotedCanaries(view, ns, ev.spec.jobName), held: job ? heldOf(view, job) : undefined,
      newAllocId: (p) => defaultAllocId(salt, p.jobName, p.groupName, p.index, p.seq),
    });
    const basis = planBasis(ev, job, revisions, view.snapshot);
    const outcome = planOutcome(ev, token, plan, revisions.allocations);
    const parts = splitChanges(planChanges(plan), config.maxPlacementsPerSubmission);
    let progress = false;
    let res: PlanResponse | undefined;
    // What this attempt placed, and the highest allocation revision its parts reached: the re-plan must see both.
    const placed: string[] = [];
    let placedRev = 0;
    for (const [i, part] of parts.entries()) {
      // Only the first part is checked against the basis: the later ones follow this plan's own writes.
      const req: PlanRequest = { claim: token, ...part, ...(i === 0 ? { basis } : {}), ...(i === parts.length - 1 ? { outcome } : {}) };
      res = await submit(deps, ev, attempt, plan, req);
      progress ||= res.placed.length + res.stopped.length + res.updated.length > 0;
      placed.push(...res.placed);
      placedRev = Math.max(placedRev, res.waitFor.allocations ?? 0);
      if (res.stale || Object.values(res.nodes).some((n) => n.refused !== undefined)) break;
      if (i < parts.length - 1) await view.waitFor('allocations', res.waitFor.allocations ?? 0);
    }
    if (res!.outcomeApplied) return res!;
    stale = progress ? 0 : stale + 1;
    deps.logger.debug('plan not fully committed, planning again', { eval: ev.metadata.name, attempt, stale: res!.stale, refused: refusedNodes(res!) });
    await catchUp(view, res!, ns, placed, placedRev);
  }
}

/** Re-read the jobs the job depends on and the allocations of the groups its groups depend on. */
async function refreshDependencies(view: ClusterView, ns: string, jobName: string): Promise<void> {
  const job = view.job(ns, jobName);
  if (!job) return;
  const groups = new Set(job.spec.groups.flatMap((g) => g.dependsOn ?? []));
  const allocs = view.snapshot.jobAllocs(ns, jobName).filter((a) => groups.has(a.groupName));
  await Promise.all([...(job.spec.dependsOn ?? []).map((d) => view.refetchJob(ns, d)), ...allocs.map((a) => view.refetchAlloc(ns, a.id))]);
}

/** Groups of the job whose first placement waits for dependencies not yet Ready (as the view has them). */
function heldOf(view: ClusterView, job: Job): Set<string> | undefined {
  if (!hasDependencies(job)) return undefined;
  const ns = job.metadata.namespace ?? 'default';
  const gates = dependencyGates(job, (n) => view.job(ns, n), view.snapshot.jobAllocs(ns, job.metadata.name));
  return new Set(heldGroups(gates).keys());
}

/**
 * The rollout of the job's current version, when the job has one: named before the deployment controller has
 * created the object (the name is fixed), paused or failed as the object says once it exists.
 */
function deploymentOf(view: ClusterView, job: Job, version: number): DeploymentView | undefined {
  if (!wantsDeployment(job.spec)) return undefined;
  const name = deploymentNameOf(job.metadata.name, version);
  const d = view.deployment(job.metadata.namespace ?? 'default', name);
  const phase = d?.status?.phase;
  return {
    name, jobVersion: version, paused: phase === 'paused' || d?.spec.paused === true, failed: phase === 'failed' || phase === 'cancelled',
    promoted: new Set(d ? promotedGroups(view, d) : []),
  };
}

/**
 * Groups of a deployment whose canaries are promoted (canariesPromoted, with the canaries' health as the view
 * has it): an operator's promote counts once every canary is healthy.
 */
function promotedGroups(view: ClusterView, d: Deployment): string[] {
  if (d.status?.phase === 'successful') return Object.keys(d.spec.groups);
  const ns = d.metadata.namespace ?? 'default';
  const healthy = new Map<string, number>();
  for (const a of view.snapshot.jobAllocs(ns, d.spec.jobName)) {
    if (a.deploymentName === d.metadata.name && a.canary && a.healthy === true && !isTerminal(a)) healthy.set(a.groupName, (healthy.get(a.groupName) ?? 0) + 1);
  }
  return Object.keys(d.spec.groups).filter((g) => canariesPromoted({ target: d.spec.groups[g]!, status: d.status?.groups?.[g], healthyCanaries: healthy.get(g) ?? 0 }));
}

/** `<deployment>/<group>` of the deployments the job's canaries came from that promoted them. */
function promotedCanaries(view: ClusterView, namespace: string, jobName: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  for (const a of view.snapshot.jobAllocs(namespace, jobName)) {
    if (!a.canary || !a.deploymentName || seen.has(a.deploymentName)) continue;
    seen.add(a.deploymentName);
    const d = view.deployment(namespace, a.deploymentName);
    for (const g of d ? promotedGroups(view, d) : []) out.add(`${a.deploymentName}/${g}`);
  }
  return out;
}

/** Bring the view up to what the server said the plan missed. */
async function catchUp(view: ClusterView, res: PlanResponse, ns: string, placed: string[], placedRev: number): Promise<void> {
  await Promise.all([
    ...res.refetch.jobs.map((j) => view.refetchJob(ns, j)),
    ...res.refetch.nodes.map((n) => view.refetchNode(n)),
  ]);
  await Promise.all((Object.entries(res.waitFor) as Array<['allocations' | 'jobs' | 'nodes', number]>).map(([k, rv]) => view.waitFor(k, rv)));
  // Our own placements, every one of them: the last transaction's revision can be reached with part of it applied.
  if (placed.length > 0) await view.waitForAllocations(ns, placed, placedRev);
}

async function submit(deps: ProcessDeps, ev: Evaluation, attempt: number, plan: Plan | undefined, request: PlanRequest): Promise<PlanResponse> {
  await deps.hooks.beforeSubmit?.(ev, request);
  const response = await deps.client.request<PlanResponse>({
    method: 'POST',
    path: `/apis/drover.dev/v1/namespaces/${encodeURIComponent(ev.metadata.namespace ?? 'default')}/evaluations/${encodeURIComponent(ev.metadata.name)}/plan`,
    body: request,
    signal: deps.signal,
  });
  deps.hooks.onPlan?.({ eval: ev, attempt, plan, request, response });
  return response;
}

/** Submit only an outcome (no changes), e.g. failing an evaluation after its delivery limit. */
export function submitOutcome(deps: ProcessDeps, ev: Evaluation, token: ClaimToken, outcome: EvalOutcome): Promise<PlanResponse> {
  return submit(deps, ev, 0, undefined, { claim: token, placements: [], stops: [], updates: [], outcome });
}

function refusedNodes(res: PlanResponse): string[] {
  return Object.entries(res.nodes).filter(([, n]) => n.refused !== undefined).map(([name, n]) => `${name}: ${n.refused}`);
}
