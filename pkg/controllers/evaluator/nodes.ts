// Node triggers. The evaluator records on each Node the state it last evaluated (annotation node-state:
// phase/eligibility/drain). When the state differs — the node came up, went down, started or stopped draining,
// changed eligibility, or is new — every job with allocations holding resources there (or marked lost by the
// health controller and not yet replaced) is evaluated
// (node-drain while draining, else node-update), and if the node just became schedulable, so is every system
// and sysbatch job of its datacenter. A node that is gone with allocations still holding resources on it gets
// node-update evaluations until the scheduler has marked them lost.
import type { Node } from '../../../api/schemas/index.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';
import { datacenterMatches } from '../../scheduler/feasible/checks.ts';
import { requestFor, type EvaluatorContext } from './context.ts';
import { isJobStopped, isSchedulable, isSchedulableState, isTemplate, NODE_STATE, nodeState } from './model.ts';

/** Reconcile the node `name`. */
export async function reconcileNode(ctx: EvaluatorContext, name: string): Promise<void> {
  const node = ctx.cache.node(name);
  if (!node) return evaluateJobsOn(ctx, name, 'node-update');
  const state = nodeState(node);
  const recorded = node.metadata.annotations?.[NODE_STATE];
  if (state === recorded) return;
  await evaluateJobsOn(ctx, name, node.spec?.drain ? 'node-drain' : 'node-update');
  if (isSchedulable(node) && !isSchedulableState(recorded)) await evaluateSystemJobs(ctx, node);
  await ctx.writer.annotate('nodes', undefined, name, NODE_STATE, state);
}

/** One evaluation per job with allocations on the node holding resources or lost (jobs that are gone: see jobs.ts). */
async function evaluateJobsOn(ctx: EvaluatorContext, nodeName: string, triggeredBy: 'node-update' | 'node-drain'): Promise<void> {
  const jobs = new Map<string, { namespace: string; name: string }>();
  for (const a of ctx.cache.affectedAllocsOn(nodeName)) {
    jobs.set(jobKeyOf(a), { namespace: a.metadata.namespace ?? 'default', name: a.spec.jobName });
  }
  for (const { namespace, name } of jobs.values()) {
    const job = ctx.cache.job(namespace, name);
    if (job && !job.metadata.deletionTimestamp) await ctx.writer.ensure(requestFor(job, triggeredBy, nodeName));
  }
}

/** Every running system/sysbatch job whose datacenters include the node's gets a chance to place there. */
async function evaluateSystemJobs(ctx: EvaluatorContext, node: Node): Promise<void> {
  const dc = node.spec?.datacenter ?? 'dc1';
  for (const job of ctx.cache.systemJobs()) {
    if (isJobStopped(job) || isTemplate(job)) continue;
    if (!(job.spec.datacenters ?? ['*']).some((p) => datacenterMatches(p, dc))) continue;
    await ctx.writer.ensure(requestFor(job, 'node-update', node.metadata.name));
  }
}
