// Evaluation garbage collection. Finished evaluations (complete, failed, canceled) created longer ago than the
// threshold are deleted, except each existing job's latest evaluation, which `drover describe job` and
// `drover get evals` keep showing. A deleted job's evaluations all go once old enough.
import type { Evaluation } from '../../../api/schemas/index.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import type { EvaluatorContext } from './context.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';
import { evalPhase, newestFirst, TERMINAL_PHASES, timeOf } from './model.ts';

/** The only key of the GC controller. */
export const GC_KEY = 'gc';

/** The evaluations one GC round would delete at `now`. */
export function collectable(evals: Evaluation[], jobExists: (namespace: string, name: string) => boolean, now: number, thresholdMs: number): Evaluation[] {
  const byJob = new Map<string, Evaluation[]>();
  for (const e of evals) {
    const k = jobKeyOf(e);
    const list = byJob.get(k);
    if (list) list.push(e);
    else byJob.set(k, [e]);
  }
  const out: Evaluation[] = [];
  for (const list of byJob.values()) {
    list.sort(newestFirst);
    const keep = jobExists(list[0]!.metadata.namespace ?? 'default', list[0]!.spec.jobName) ? list[0] : undefined;
    for (const e of list) {
      if (e === keep || !TERMINAL_PHASES.has(evalPhase(e))) continue;
      const created = timeOf(e.metadata.creationTimestamp);
      if (created !== undefined && now - created >= thresholdMs) out.push(e);
    }
  }
  return out;
}

/** One GC round; asks to run again after the GC interval. */
export async function collectGarbage(ctx: EvaluatorContext): Promise<ReconcileResult> {
  const { cache, config, clock } = ctx;
  // Tombstones guard against write-throughs racing a deletion; a whole interval later none are in flight.
  cache.evalIndex.pruneTombstones();
  const doomed = collectable(cache.evalIndex.all(), (ns, name) => cache.job(ns, name) !== undefined, clock.now(), config.gcThresholdMs);
  for (const e of doomed) await ctx.writer.delete(e);
  if (doomed.length > 0) ctx.logger.info('garbage collected evaluations', { count: doomed.length });
  return { requeueAfter: config.gcIntervalMs };
}
