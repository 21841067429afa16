// Blocked evaluations (Nomad's blocked-evals tracker, level-based). A blocked evaluation waits for capacity; it
// is set pending again (deliveries reset) when some node has had a capacity event — it joined, became
// eligible, or an allocation on it stopped holding resources — NEWER than the snapshot the evaluation was
// computed from, and that node could take one of the failed groups: its computed class is not known
// ineligible for the evaluation (classEligibility; an evaluation whose constraints escaped the class trusts
// no class), and its free cpu/memory/disk fit the group's ask. Kept to one per job: a job that is stopped or
// gone, a newer blocked evaluation, or a pending one that will re-plan anyway cancels it.
import type { Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import { jobFromApi } from '../../scheduler/adapters.ts';
import type { Resources } from '../../scheduler/structs.ts';
import { splitKey } from '../runtime/enqueue.ts';
import { fits } from './capacity.ts';
import type { EvaluatorContext } from './context.ts';
import { evalPhase, isJobStopped, isOpenPending, isSchedulable, newestFirst } from './model.ts';

/** Reconcile the blocked evaluation `namespace/name`. */
export async function reconcileBlocked(ctx: EvaluatorContext, key: string): Promise<void> {
  const { namespace = 'default', name } = splitKey(key);
  const first = ctx.cache.evalIndex.get(namespace, name);
  if (!first || evalPhase(first) !== 'blocked') return ctx.cache.capacity.setChecked(key, 0, undefined);
  await ctx.writer.withJob(namespace, first.spec.jobName, async () => {
    const e = ctx.cache.evalIndex.get(namespace, name);
    if (!e || evalPhase(e) !== 'blocked') return;
    const job = ctx.cache.job(namespace, e.spec.jobName);
    const redundant = whyRedundant(ctx, e, job);
    if (redundant) return void (await ctx.writer.cancel(e, redundant, 'blocked'));
    const node = nodeWithRoom(ctx, key, e, job!);
    if (node) await ctx.writer.unblock(e, `unblocked: capacity on node ${node}`);
  });
}

/** Why the blocked evaluation is no longer needed, or undefined. */
function whyRedundant(ctx: EvaluatorContext, e: Evaluation, job: Job | undefined): string | undefined {
  if (isJobStopped(job)) return 'canceled: the job was stopped or deleted';
  const siblings = ctx.cache.evalsOf(e.metadata.namespace ?? 'default', e.spec.jobName).filter((x) => x !== e);
  const newer = siblings.filter((x) => evalPhase(x) === 'blocked' && newestFirst(x, e) < 0).sort(newestFirst)[0];
  if (newer) return `superseded by newer blocked evaluation ${newer.metadata.name}`;
  const now = ctx.clock.now();
  const pending = siblings.find((x) => isOpenPending(x, now));
  if (pending) return `superseded by pending evaluation ${pending.metadata.name}`;
  return undefined;
}

/**
 * A node with a capacity event after the evaluation's snapshot that could take a failed group, or undefined.
 * Events already searched in vain for this evaluation (while blocked at this snapshot) are skipped.
 */
function nodeWithRoom(ctx: EvaluatorContext, key: string, e: Evaluation, job: Job): string | undefined {
  const { capacity } = ctx.cache;
  const snapshot = Number(e.status?.snapshotRevision ?? e.metadata.resourceVersion ?? 0);
  const searchedTo = capacity.latestRevision();
  const asks = failedAsks(e, job);
  for (const name of capacity.changedSince(Math.max(snapshot, capacity.checkedUpTo(key, snapshot)))) {
    const node = ctx.cache.node(name);
    if (!node || !isSchedulable(node) || !classMayFit(ctx, e, node)) continue;
    const free = capacity.freeCapacity(node);
    if (asks.length === 0 || asks.some((ask) => fits(ask, free))) {
      capacity.setChecked(key, snapshot, undefined);
      return name;
    }
  }
  capacity.setChecked(key, snapshot, searchedTo);
  return undefined;
}

function classMayFit(ctx: EvaluatorContext, e: Evaluation, node: Node): boolean {
  if (e.status?.escapedComputedClass) return true;
  return e.status?.classEligibility?.[ctx.cache.capacity.computedClass(node)] !== false;
}

/** What one allocation of each failed group asks for (every group when the metrics name none). */
function failedAsks(e: Evaluation, job: Job): Resources[] {
  const groups = jobFromApi(job).groups;
  const failed = Object.keys(e.status?.failedTGAllocs ?? {});
  const chosen = failed.length ? groups.filter((g) => failed.includes(g.name)) : groups;
  return chosen.map((g) => g.ask);
}
