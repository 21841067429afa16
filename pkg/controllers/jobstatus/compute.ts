// What a job's status says, computed from what the informers hold: a pure function of the job, its allocations,
// evaluations and deployments, and whether its current version is marked stable. Time is a value.
//
// status (Nomad's getJobStatus): system, periodic and parameterized jobs are running until stopped; otherwise a
// job with a live allocation is running; with an open (pending or blocked) evaluation it is pending; with only
// finished allocations or evaluations it is dead; with nothing at all (just registered) pending.
//
// Conditions (kstatus' abnormal-true Reconciling and Stalled; Ready = neither):
//   Stalled     a blocked evaluation (placements failed), the deployment of this version failed, or a group
//               short of its count with nothing under way (no open evaluation, no allocation starting)
//   Reconciling the generation not yet evaluated, groups waiting for their dependencies, an open evaluation, the deployment of this version running or
//               paused, a group short of its count while allocations start, old-version or extra allocations left
//   Ready       neither: every group has its count running healthy at this version (batch: running or
//               complete), the deployment of this version (if any) successful; a stopped job once nothing runs.
import type { Allocation, Deployment, Evaluation, Job, JobStatus } from '../../../api/schemas/index.ts';
import { isLive, isRunningHealthy } from '../../../api/schemas/allocation-state.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';
import { settleConditions, type ConditionInput } from '../../../api/schemas/conditions.ts';
import { describeHeld } from '../../../api/schemas/job-dependencies.ts';

/** Condition types, as kubectl wait and kstatus read them. */
export const READY = 'Ready';
export const RECONCILING = 'Reconciling';
export const STALLED = 'Stalled';

/** What the status is computed from. */
export interface JobStatusInput {
  job: Job;
  /** Every allocation of the job (all versions, terminal ones included). */
  allocs: Allocation[];
  /** Every evaluation of the job the informer holds. */
  evals: Evaluation[];
  /** Every deployment of the job. */
  deployments: Deployment[];
  /** Whether the JobVersion of the current version is marked stable. */
  stable: boolean;
  /** Groups whose first placement waits for dependencies, with what each waits for (api/schemas/job-dependencies.ts). */
  held?: ReadonlyMap<string, string[]>;
  now: number;
}

type GroupCounts = NonNullable<JobStatus['summary']>[string];

/** The job status to write (status.evaluatedGeneration is the evaluator's and is kept as it is). */
export function computeJobStatus(input: JobStatusInput): JobStatus {
  const { job } = input;
  const generation = job.metadata.generation ?? 1;
  const latest = latestDeployment(input.deployments);
  const status: JobStatus = {
    ...(job.status?.evaluatedGeneration !== undefined ? { evaluatedGeneration: job.status.evaluatedGeneration } : {}),
    observedGeneration: generation,
    version: jobVersion(job),
    status: jobState(input),
    stable: input.stable,
    summary: summarize(input),
  };
  if (latest) {
    status.latestDeployment = { name: latest.metadata.name, jobVersion: latest.spec.jobVersion };
    if (latest.status?.phase) status.latestDeployment.phase = latest.status.phase;
    if (latest.status?.description) status.latestDeployment.description = latest.status.description;
  }
  status.conditions = settleConditions(job.status?.conditions, conditions(input, latest), generation, input.now);
  return status;
}

/** Open evaluations: pending (no phase counts as pending) or blocked. */
export function isOpenEval(e: Evaluation): boolean {
  const phase = e.status?.phase ?? 'pending';
  return phase === 'pending' || phase === 'blocked';
}

/** Nomad's job status (see the file comment). */
export function jobState(input: Pick<JobStatusInput, 'job' | 'allocs' | 'evals'>): NonNullable<JobStatus['status']> {
  const { job } = input;
  const stopped = job.spec.stop === true;
  if (!stopped && (job.spec.type === 'system' || job.spec.periodic || job.spec.parameterized)) return 'running';
  if (input.allocs.some(isLive)) return 'running';
  if (input.evals.some(isOpenEval)) return 'pending';
  if (input.allocs.length > 0 || input.evals.length > 0 || stopped) return 'dead';
  return 'pending';
}

/** The deployment of the highest job version (the newest of them on a tie). */
export function latestDeployment(deployments: Deployment[]): Deployment | undefined {
  const created = (d: Deployment) => d.metadata.creationTimestamp ?? '';
  return [...deployments].sort((a, b) => b.spec.jobVersion - a.spec.jobVersion || created(b).localeCompare(created(a)))[0];
}

/** Allocation counts per group by client status (Nomad's job summary); queued from the open blocked evaluation. */
function summarize(input: JobStatusInput): NonNullable<JobStatus['summary']> {
  const summary: Record<string, Required<GroupCounts>> = {};
  const group = (name: string) => (summary[name] ??= { queued: 0, starting: 0, running: 0, failed: 0, complete: 0, lost: 0 });
  for (const g of input.job.spec.groups) group(g.name);
  for (const a of input.allocs) {
    const s = group(a.spec.groupName);
    const client = a.status?.clientStatus ?? 'pending';
    if (client === 'pending') {
      if (isLive(a)) s.starting++;
    } else s[client]++;
  }
  const blocked = openBlocked(input.evals);
  for (const [name, n] of Object.entries(blocked?.status?.queuedAllocations ?? {})) group(name).queued = n;
  return summary;
}

function openBlocked(evals: Evaluation[]): Evaluation | undefined {
  const created = (e: Evaluation) => e.metadata.creationTimestamp ?? '';
  return evals.filter((e) => e.status?.phase === 'blocked').sort((a, b) => created(b).localeCompare(created(a)))[0];
}

/** How far one group is from its count at the current version. */
interface GroupProgress {
  name: string;
  want: number;
  /** Running healthy (batch: also complete) at the current version. */
  have: number;
  /** Live at the current version and not yet running. */
  starting: number;
  /** Live allocations of another version, or beyond the count. */
  surplus: number;
  /** Failed at the current version. */
  failed: number;
}

function progressOf(input: JobStatusInput): GroupProgress[] {
  const { job } = input;
  const version = jobVersion(job);
  const batch = job.spec.type === 'batch' || job.spec.type === 'sysbatch';
  const perNode = job.spec.type === 'system' || job.spec.type === 'sysbatch';
  return job.spec.groups.map((g) => {
    const mine = input.allocs.filter((a) => a.spec.groupName === g.name);
    const current = mine.filter((a) => a.spec.jobVersion === version);
    const live = mine.filter(isLive);
    const have = current.filter((a) => isRunningHealthy(a) || (batch && a.status?.clientStatus === 'complete')).length;
    const starting = current.filter((a) => isLive(a) && a.status?.clientStatus !== 'running').length;
    // A system group's count is one per eligible node, which the scheduler knows: what is placed is the target.
    const want = perNode ? Math.max(have + starting, 1) : (g.count ?? 1);
    const oldLive = live.filter((a) => a.spec.jobVersion !== version).length;
    const surplus = oldLive + Math.max(0, live.length - oldLive - want);
    return { name: g.name, want, have, starting, surplus, failed: current.filter((a) => a.status?.clientStatus === 'failed').length };
  });
}

const cond = (type: string, status: ConditionInput['status'], reason: string, message: string): ConditionInput => ({ type, status, reason, message });

/** Ready, Reconciling and Stalled (see the file comment). */
function conditions(input: JobStatusInput, latest: Deployment | undefined): ConditionInput[] {
  const verdict = judge(input, latest);
  const ready = verdict.kind === 'ready';
  return [
    cond(READY, ready ? 'True' : 'False', verdict.reason, verdict.message),
    cond(RECONCILING, verdict.kind === 'reconciling' ? 'True' : 'False', verdict.kind === 'reconciling' ? verdict.reason : 'Idle', verdict.kind === 'reconciling' ? verdict.message : ''),
    cond(STALLED, verdict.kind === 'stalled' ? 'True' : 'False', verdict.kind === 'stalled' ? verdict.reason : 'Progressing', verdict.kind === 'stalled' ? verdict.message : ''),
  ];
}

interface Verdict {
  kind: 'ready' | 'reconciling' | 'stalled';
  reason: string;
  message: string;
}

function judge(input: JobStatusInput, latest: Deployment | undefined): Verdict {
  const { job } = input;
  const generation = job.metadata.generation ?? 1;
  const live = input.allocs.filter(isLive);
  if (job.spec.stop) {
    return live.length === 0
      ? { kind: 'ready', reason: 'Stopped', message: 'the job is stopped and nothing of it runs' }
      : { kind: 'reconciling', reason: 'Stopping', message: `${live.length} allocation(s) still to stop` };
  }
  if (job.spec.periodic || job.spec.parameterized) {
    return { kind: 'ready', reason: 'Template', message: `a ${job.spec.periodic ? 'periodic' : 'parameterized'} job: its launches are jobs of their own` };
  }
  const blocked = openBlocked(input.evals);
  if (blocked) return { kind: 'stalled', reason: 'PlacementFailed', message: placementMessage(blocked) };
  const version = jobVersion(job);
  const deployment = latest && latest.spec.jobVersion === version ? latest : undefined;
  if (deployment?.status?.phase === 'failed') {
    return { kind: 'stalled', reason: 'DeploymentFailed', message: `deployment ${deployment.metadata.name} failed${describe(deployment)}` };
  }
  if ((job.status?.evaluatedGeneration ?? 0) < generation) {
    return { kind: 'reconciling', reason: 'Evaluating', message: `generation ${generation} not yet evaluated` };
  }
  if (input.held && input.held.size > 0) return { kind: 'reconciling', reason: 'WaitingForDependencies', message: describeHeld(input.held) };
  if (deployment && (deployment.status?.phase ?? 'running') !== 'successful' && deployment.status?.phase !== 'cancelled') {
    const phase = deployment.status?.phase ?? 'running';
    return { kind: 'reconciling', reason: phase === 'paused' ? 'DeploymentPaused' : 'DeploymentRunning', message: `deployment ${deployment.metadata.name} is ${phase}${describe(deployment)}` };
  }
  const open = input.evals.filter(isOpenEval);
  const groups = progressOf(input);
  const short = groups.filter((g) => g.have < g.want);
  if (short.length > 0) {
    const message = short.map((g) => `group ${g.name}: ${g.have} of ${g.want} running healthy at version ${version}`).join('; ');
    if (open.length > 0 || short.some((g) => g.starting > 0)) return { kind: 'reconciling', reason: open.length > 0 ? 'Evaluating' : 'Starting', message };
    const failed = short.some((g) => g.failed > 0);
    return { kind: 'stalled', reason: failed ? 'AllocationsFailed' : 'Unplaced', message: message + (failed ? ' (allocations failed, none pending)' : ' (nothing pending)') };
  }
  const surplus = groups.filter((g) => g.surplus > 0);
  if (surplus.length > 0) {
    return { kind: 'reconciling', reason: 'Replacing', message: surplus.map((g) => `group ${g.name}: ${g.surplus} allocation(s) of another version or beyond the count still live`).join('; ') };
  }
  if (open.length > 0) return { kind: 'reconciling', reason: 'Evaluating', message: `evaluation ${open[0]!.metadata.name} pending` };
  const batch = job.spec.type === 'batch' || job.spec.type === 'sysbatch';
  if (batch && live.length === 0) return { kind: 'ready', reason: 'Complete', message: 'every allocation completed' };
  return { kind: 'ready', reason: 'Running', message: groups.map((g) => `group ${g.name}: ${g.have} running`).join('; ') };
}

function describe(d: Deployment): string {
  return d.status?.description ? `: ${d.status.description}` : '';
}

/** `group web: 2 unplaced (3 nodes exhausted on memory)` for each failed group of a blocked evaluation. */
export function placementMessage(e: Evaluation): string {
  const queued = e.status?.queuedAllocations ?? {};
  const failed = e.status?.failedTGAllocs ?? {};
  const names = [...new Set([...Object.keys(queued), ...Object.keys(failed)])].sort();
  const parts = names.map((g) => {
    const m = failed[g];
    const why: string[] = [];
    if (m?.nodesEvaluated !== undefined) why.push(`${m.nodesEvaluated} nodes evaluated`);
    if (m?.nodesFiltered) why.push(`${m.nodesFiltered} filtered`);
    for (const [dim, n] of Object.entries(m?.dimensionExhausted ?? {})) why.push(`${n} exhausted on ${dim}`);
    for (const [c, n] of Object.entries(m?.constraintFiltered ?? {})) why.push(`${n} filtered by ${c}`);
    return `group ${g}: ${queued[g] ?? '?'} unplaced${why.length ? ` (${why.join(', ')})` : ''}`;
  });
  return `evaluation ${e.metadata.name} is blocked: ${parts.join('; ') || 'placements failed'}`;
}
