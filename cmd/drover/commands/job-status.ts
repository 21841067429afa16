// `drover job status JOB`: Nomad's job status view — the job, its summary per group, the latest deployment with
// per-group progress, placement failures of the latest blocked evaluation, and the allocations with their
// version and health. Everything is read from the API: the job's status (the job status controller's), its
// Deployments, Evaluations and Allocations.
import type { Allocation, AllocMetric, Deployment, Evaluation, Job } from '../../../api/schemas/index.ts';
import type { AllocMetric as SchedulerMetric } from '../../../pkg/scheduler/metrics.ts';
import { age, formatTable } from '../table.ts';
import type { CommandContext } from '../context.ts';
import { formatMetric } from './plan-format.ts';
import { dependencyAllocOf, groupNotReady, jobNotReady } from '../../../api/schemas/job-dependencies.ts';
import { isNotFound } from '../../../pkg/apierrors/status.ts';

/** Arguments of `drover job status`. */
export interface JobStatusArgs {
  job: string;
  namespace?: string;
}

/** Run `job status`; returns the exit code. */
export async function jobStatus(ctx: CommandContext, args: JobStatusArgs): Promise<number> {
  const namespace = args.namespace ?? ctx.namespace;
  const job = await ctx.client.resource<Job>('jobs').get(args.job, { namespace });
  const bySelector = { namespace, fieldSelector: `spec.jobName=${args.job}` };
  const [allocs, evals, deployments] = await Promise.all([
    ctx.client.resource<Allocation>('allocations').listAll(bySelector),
    ctx.client.resource<Evaluation>('evaluations').listAll(bySelector),
    ctx.client.resource<Deployment>('deployments').listAll(bySelector),
  ]);
  const dependencies = new Map(await Promise.all((job.spec.dependsOn ?? []).map(async (name) => [name, await getIfAny(ctx, name, namespace)] as const)));
  ctx.out(formatJobStatus(job, allocs.items, evals.items, deployments.items, ctx.now(), dependencies));
  return 0;
}

async function getIfAny(ctx: CommandContext, name: string, namespace: string): Promise<Job | undefined> {
  try {
    return await ctx.client.resource<Job>('jobs').get(name, { namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The whole view as text. */
export function formatJobStatus(job: Job, allocs: Allocation[], evals: Evaluation[], deployments: Deployment[], now: number, dependencies: ReadonlyMap<string, Job | undefined> = new Map()): string {
  const s = job.status ?? {};
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  const out = pairs([
    ['ID', job.metadata.name],
    ['Namespace', job.metadata.namespace ?? 'default'],
    ['Type', job.spec.type ?? 'service'],
    ['Priority', String(job.spec.priority ?? 50)],
    ['Datacenters', (job.spec.datacenters ?? ['*']).join(',')],
    ['Status', s.status ?? '<none>'],
    ['Version', s.version === undefined ? '<none>' : String(s.version)],
    ['Stable', s.stable === undefined ? '<none>' : String(s.stable)],
    ['Ready', ready ? `${ready.status} (${ready.reason ?? ''}${ready.message ? `: ${ready.message}` : ''})` : '<none>'],
  ]);
  const stale = s.observedGeneration !== undefined && s.observedGeneration !== job.metadata.generation;
  if (stale) out.push(`(status observed generation ${s.observedGeneration}; the job is at ${job.metadata.generation})`);
  out.push('', 'Summary', ...formatTable([['Task Group', 'Queued', 'Starting', 'Running', 'Failed', 'Complete', 'Lost'], ...Object.entries(s.summary ?? {}).map(([g, c]) =>
    [g, c.queued, c.starting, c.running, c.failed, c.complete, c.lost].map((v) => String(v ?? 0)))]));
  out.push(...dependencySection(job, allocs, dependencies));
  out.push(...deploymentSection(deployments));
  out.push(...placementFailures(evals));
  out.push('', 'Allocations');
  if (allocs.length === 0) out.push('No allocations placed');
  else out.push(...formatTable([['Name', 'Node', 'Task Group', 'Version', 'Desired', 'Status', 'Healthy', 'Age'], ...allocRows(allocs, now)]));
  return out.join('\n') + '\n';
}

/** What the job and its groups depend on, each Ready or why not (api/schemas/job-dependencies.ts). */
function dependencySection(job: Job, allocs: Allocation[], dependencies: ReadonlyMap<string, Job | undefined>): string[] {
  const rows: string[][] = (job.spec.dependsOn ?? []).map((name) => ['job', '*', name, jobNotReady(dependencies.get(name)) ?? 'Ready']);
  const mine = allocs.map(dependencyAllocOf);
  for (const g of job.spec.groups) for (const d of g.dependsOn ?? []) rows.push(['group', g.name, d, groupNotReady(job, d, mine) ?? 'Ready']);
  if (rows.length === 0) return [];
  return ['', 'Dependencies', ...formatTable([['Kind', 'Task Group', 'Depends On', 'State'], ...rows])];
}

function deploymentSection(deployments: Deployment[]): string[] {
  const latest = [...deployments].sort((a, b) => b.spec.jobVersion - a.spec.jobVersion || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0];
  if (!latest) return [];
  const out = ['', 'Latest Deployment', ...pairs([
    ['Name', latest.metadata.name],
    ['Version', String(latest.spec.jobVersion)],
    ['Status', latest.status?.phase ?? 'running'],
    ['Description', latest.status?.description ?? '<none>'],
  ])];
  const rows = Object.entries(latest.spec.groups).map(([g, want]) => {
    const got = latest.status?.groups?.[g] ?? {};
    return [g, String(want.desiredTotal), String(want.desiredCanaries ?? 0), String(got.placed ?? 0), String(got.healthy ?? 0), String(got.unhealthy ?? 0), String(got.promoted ?? want.promoted ?? false)];
  });
  out.push('', 'Deployed', ...formatTable([['Task Group', 'Desired', 'Canaries', 'Placed', 'Healthy', 'Unhealthy', 'Promoted'], ...rows]));
  return out;
}

/** Nomad's "Placement Failure" section, from the newest blocked evaluation. */
function placementFailures(evals: Evaluation[]): string[] {
  const blocked = evals.filter((e) => e.status?.phase === 'blocked').sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0];
  if (!blocked) return [];
  const out = ['', `Placement Failure (evaluation ${blocked.metadata.name})`];
  const queued = blocked.status?.queuedAllocations ?? {};
  for (const [g, m] of Object.entries(blocked.status?.failedTGAllocs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`Task Group "${g}" (failed to place ${queued[g] ?? 1} allocation${queued[g] === 1 ? '' : 's'}):`, ...formatMetric(metric(m), '  '));
  }
  return out;
}

/** The schema's metric (optional fields) as the formatter takes it. */
function metric(m: AllocMetric): SchedulerMetric {
  return {
    nodesEvaluated: m.nodesEvaluated ?? 0, nodesFiltered: m.nodesFiltered ?? 0, nodesAvailable: m.nodesAvailable ?? {}, nodesExhausted: m.nodesExhausted ?? 0,
    classFiltered: m.classFiltered ?? {}, constraintFiltered: m.constraintFiltered ?? {}, classExhausted: m.classExhausted ?? {},
    dimensionExhausted: m.dimensionExhausted ?? {}, quotaExhausted: m.quotaExhausted ?? [], scores: m.scores ?? {}, coalescedFailures: m.coalescedFailures ?? 0, topScores: [],
  };
}

function allocRows(allocs: Allocation[], now: number): string[][] {
  const sorted = [...allocs].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  return sorted.map((a) => {
    const healthy = a.status?.deploymentStatus?.healthy;
    return [a.metadata.name, a.spec.nodeName, a.spec.groupName, String(a.spec.jobVersion), a.spec.desiredStatus ?? 'run', a.status?.clientStatus ?? 'pending',
      healthy === undefined ? '-' : String(healthy), age(a.metadata.creationTimestamp, now)];
  });
}

/** `Key   = value` lines, aligned as Nomad prints them. */
function pairs(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)} = ${v}`);
}
