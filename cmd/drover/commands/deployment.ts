// `drover deployment status|pause|resume|fail` and `drover rollout status JOB`: a job version's rollout told the
// way `nomad deployment status` tells it, the operator's levers on it (written to the Deployment's spec, which
// the deployment controller honours), and a follower that prints progress until the rollout ends and exits
// non-zero when it fails (as `kubectl rollout status` does).
import type { Deployment, Job } from '../../../api/schemas/index.ts';
import { deploymentNameOf, isDeploymentActive, wantsDeployment } from '../../../api/schemas/deployment.ts';
import { isConflict, isNotFound } from '../../../pkg/apierrors/status.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatTable } from '../table.ts';

/** What an operator can do to a running deployment. */
export type DeploymentAction = 'pause' | 'resume' | 'fail' | 'promote';

/** How often `rollout status` looks at the deployment. */
export const ROLLOUT_POLL_MS = 500;

/** The `deployment status` text of a Deployment. */
export function formatDeployment(d: Deployment): string {
  const s = d.status ?? {};
  const head = [
    `Name          = ${d.metadata.name}`,
    `Job           = ${d.spec.jobName}`,
    `Job Version   = ${d.spec.jobVersion}`,
    `Status        = ${s.phase ?? 'running'}`,
    `Description   = ${s.description ?? 'Deployment is running'}`,
  ];
  const canaries = Object.values(d.spec.groups).some((t) => (t.desiredCanaries ?? 0) > 0);
  const rows = [['Task Group', 'Auto Revert', ...(canaries ? ['Promoted', 'Desired Canaries', 'Placed Canaries'] : []), 'Desired', 'Placed', 'Healthy', 'Unhealthy', 'Progress Deadline']];
  for (const [g, t] of Object.entries(d.spec.groups)) {
    const p = s.groups?.[g] ?? {};
    const c = canaries ? [String(p.promoted ?? false), String(t.desiredCanaries ?? 0), String(p.placedCanaries?.length ?? 0)] : [];
    rows.push([g, String(t.autoRevert ?? false), ...c, String(t.desiredTotal), String(p.placed ?? 0), String(p.healthy ?? 0), String(p.unhealthy ?? 0), p.requireProgressBy ?? '<none>']);
  }
  return [...head, '', 'Deployed', ...formatTable(rows)].join('\n') + '\n';
}

/** The name of the deployment of the job's current version (the job must have an update block). */
async function currentDeploymentName(ctx: CommandContext, job: string, namespace: string): Promise<string | undefined> {
  const j = await ctx.client.resource<Job>('jobs').get(job, { namespace });
  if (!wantsDeployment(j.spec)) return undefined;
  return deploymentNameOf(job, j.status?.version ?? j.metadata.generation ?? 1);
}

/** `drover deployment status NAME` or `--job JOB` (its current version's deployment). */
export async function deploymentStatus(ctx: CommandContext, o: { name?: string; job?: string; namespace?: string }): Promise<number> {
  const namespace = o.namespace ?? ctx.namespace;
  if (!o.name === !o.job) throw new UsageError('name a deployment, or a job with --job');
  const name = o.name ?? (await currentDeploymentName(ctx, o.job!, namespace));
  if (!name) throw new UsageError(`job "${o.job}" has no update block, so no deployment`);
  ctx.out(formatDeployment(await ctx.client.resource<Deployment>('deployments').get(name, { namespace })));
  return 0;
}

/** `drover deployment pause|resume|fail NAME`: a compare-and-swap on the Deployment's spec. */
export async function deploymentSet(ctx: CommandContext, o: { name: string; action: DeploymentAction; namespace?: string }): Promise<number> {
  const namespace = o.namespace ?? ctx.namespace;
  const deployments = ctx.client.resource<Deployment>('deployments');
  for (let attempt = 0; ; attempt++) {
    const d = await deployments.get(o.name, { namespace });
    if (!isDeploymentActive(d.status?.phase)) throw new UsageError(`deployment "${o.name}" is ${d.status?.phase}: nothing to ${o.action}`);
    const spec = { ...d.spec };
    if (o.action === 'fail') spec.failed = true;
    else if (o.action === 'promote') spec.groups = promoted(d);
    else spec.paused = o.action === 'pause';
    try {
      await deployments.update({ ...d, spec });
      break;
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err; // the controller wrote its status meanwhile: read again
    }
  }
  const done = { pause: 'paused', resume: 'resumed', fail: 'marked as failed', promote: 'promoted (effective once every canary is healthy)' }[o.action];
  ctx.out(`deployment.drover.dev "${o.name}" ${done}\n`);
  return 0;
}

/** The deployment's groups with every group that has canaries promoted; refuses a deployment without any. */
function promoted(d: Deployment): Deployment['spec']['groups'] {
  const groups = Object.fromEntries(Object.entries(d.spec.groups).map(([g, t]) => [g, (t.desiredCanaries ?? 0) > 0 ? { ...t, promoted: true } : t]));
  if (!Object.values(d.spec.groups).some((t) => (t.desiredCanaries ?? 0) > 0)) throw new UsageError(`deployment "${d.metadata.name}" has no canaries to promote`);
  return groups;
}

/** One progress line of a rollout. */
function progressLine(d: Deployment): string {
  const groups = Object.entries(d.spec.groups).map(([g, t]) => {
    const p = d.status?.groups?.[g] ?? {};
    const canaries = (t.desiredCanaries ?? 0) > 0 ? `, canaries ${p.placedCanaries?.length ?? 0}/${t.desiredCanaries}${p.promoted ? ' promoted' : ''}` : '';
    return `${g}: ${p.healthy ?? 0} of ${t.desiredTotal} healthy, ${p.placed ?? 0} placed${p.unhealthy ? `, ${p.unhealthy} unhealthy` : ''}${canaries}`;
  });
  return `${d.metadata.name} (job version ${d.spec.jobVersion}) ${d.status?.phase ?? 'running'}: ${groups.join('; ')}`;
}

/**
 * `drover rollout status JOB`: follow the current version's deployment, printing a line whenever its progress
 * changes, until it ends: exit 0 when successful, 1 when failed or cancelled (the description says why).
 */
export async function rolloutStatus(ctx: CommandContext, o: { job: string; namespace?: string; pollMs?: number }): Promise<number> {
  const namespace = o.namespace ?? ctx.namespace;
  const name = await currentDeploymentName(ctx, o.job, namespace);
  if (!name) {
    ctx.out(`job "${o.job}" has no update block: it is not rolled out by a deployment\n`);
    return 0;
  }
  let last = '';
  for (;;) {
    const d = await ctx.client.resource<Deployment>('deployments').get(name, { namespace }).catch((err) => {
      if (isNotFound(err)) return undefined; // the controller has not created it yet
      throw err;
    });
    const line = d ? progressLine(d) : `waiting for deployment "${name}" to start`;
    if (line !== last) ctx.out(line + '\n');
    last = line;
    const phase = d?.status?.phase;
    if (d && !isDeploymentActive(phase)) {
      ctx.out(`${phase === 'successful' ? '' : 'error: '}${d.status?.description ?? phase}\n`);
      return phase === 'successful' ? 0 : 1;
    }
    if (ctx.signal.aborted) return 1;
    await new Promise((r) => setTimeout(r, o.pollMs ?? ROLLOUT_POLL_MS));
  }
}
