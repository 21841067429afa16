// Dependency triggers. A job with dependencies (spec.dependsOn, groups[].dependsOn) has groups the scheduler
// holds back until what they depend on is Ready (api/schemas/job-dependencies.ts, the one definition). When a
// held group becomes free — a dependency job turned Ready or complete, a group of the same job reached its count —
// nothing else would evaluate the job again, so this does: a `job-dependency` evaluation, once the job's register
// evaluation was made and none is open. Watch-driven: a dependency's status change (jobs informer, through the
// jobs-by-dependency index), the job's own allocations and the end of its evaluations queue its key.
//
// An evaluation that placed nothing (a system job with no eligible node) must not be followed by another for the
// same state, or the two would chase each other: the inputs the last one was created for are remembered per job
// (generation, free groups, the resourceVersions of the dependency jobs and of the job's allocations), and the
// same inputs create nothing again. The workers re-read those dependencies before planning a `job-dependency`
// evaluation (pkg/scheduler/worker/process.ts), so a lagging informer of theirs does not hold what this saw free.
import type { Job } from '../../../api/schemas/index.ts';
import { dependencyAllocOf, dependencyGates, hasDependencies } from '../../../api/schemas/job-dependencies.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { splitKey } from '../runtime/enqueue.ts';
import { requestFor, type EvaluatorContext } from './context.ts';
import { evalPhase, isTemplate } from './model.ts';

/** What the last dependency evaluation of each job was created for (per term). */
export class DependencyMemo {
  private readonly last = new Map<string, string>();
  /** True (and remembered) when `inputs` differ from those of the last evaluation created for the job. */
  changed(key: string, inputs: string): boolean {
    if (this.last.get(key) === inputs) return false;
    this.last.set(key, inputs);
    return true;
  }
  forget(key: string): void {
    this.last.delete(key);
  }
}

/** Reconcile the dependencies of job `namespace/name`. */
export async function reconcileDependencies(ctx: EvaluatorContext, memo: DependencyMemo, key: string): Promise<void> {
  const { namespace = 'default', name } = splitKey(key);
  const job = ctx.cache.job(namespace, name);
  if (!job || job.metadata.deletionTimestamp || job.spec.stop || isTemplate(job) || !hasDependencies(job)) return memo.forget(jobKey(namespace, name));
  // The register evaluation comes first (reconcileJob); this only frees what an evaluation held.
  const generation = job.metadata.generation ?? 1;
  if (Math.max(job.status?.evaluatedGeneration ?? 0, ctx.writer.evaluatedInTerm(job)) < generation) return;
  const allocs = ctx.cache.allocsOf(namespace, name);
  const lookup = (n: string) => ctx.cache.job(namespace, n);
  const free = [...dependencyGates(job, lookup, allocs.map(dependencyAllocOf))].filter(([, waits]) => waits.length === 0).map(([g]) => g);
  if (free.length === 0) return;
  // An open evaluation plans the job anyway; its end queues this key again.
  if (ctx.cache.evalsOf(namespace, name).some((e) => evalPhase(e) === 'pending' || evalPhase(e) === 'blocked')) return;
  if (!memo.changed(jobKey(namespace, name), inputsOf(job, free, lookup, allocs))) return;
  const { eval: e, created } = await ctx.writer.ensure(requestFor(job, 'job-dependency'));
  if (created) await ctx.writer.jobEvent(job, 'DependenciesReady', `group(s) ${free.join(', ')}: dependencies Ready; created evaluation ${e.metadata.name} (job-dependency)`);
}

function inputsOf(job: Job, free: string[], lookup: (n: string) => Job | undefined, allocs: Array<{ metadata: { name: string; resourceVersion?: string } }>): string {
  const deps = (job.spec.dependsOn ?? []).map((d) => `${d}@${lookup(d)?.metadata.resourceVersion ?? '-'}`);
  const own = allocs.map((a) => `${a.metadata.name}@${a.metadata.resourceVersion ?? ''}`).sort();
  return JSON.stringify([job.metadata.generation ?? 1, free, deps, own]);
}
