// The service and batch reconciler (Nomad's allocReconciler): per group, sort the job's allocations into
// buckets by node taint and status, stop the surplus (highest index first), replace lost and failed ones,
// place the missing, then migrate and update within their parallelism budgets.
import type { AllocView, GroupView, NodeView } from '../structs.ts';
import { isLostUnstopped, isTerminal } from '../../../api/schemas/allocation-state.ts';
import { allocName } from '../structs.ts';
import type { ReconcileInput, ReconcileResult, PlaceReason } from './types.ts';
import { emptyResult, countChanges } from './types.ts';
import { NameIndex } from './names.ts';
import { rescheduleDecision } from './reschedule.ts';
import { updateKind, destructiveBudget, heldByFailedDeployment } from './updates.ts';
import { DESC } from './descriptions.ts';
import { canaryIndexes, canaryState, inCanaryPhase } from './canaries.ts';

/** The job's allocations of one group, sorted by what they need. */
interface Classified {
  /** Counted toward the group's count: running or pending, plus failed ones not (yet) rescheduled, plus batch complete. */
  untainted: AllocView[];
  migrate: AllocView[];
  lost: AllocView[];
  rescheduleNow: AllocView[];
  /** Live canaries of the current deployment awaiting its promotion: beside the group, not counted in it. */
  canaries: AllocView[];
  /**
   * Replaced allocations whose successor is not in the input: the plan commit writes a replacement and the stop
   * of its predecessor in one transaction, so the successor exists; a view caught between that transaction's
   * events sees only the stop. Each holds its slot, and counts as in flight, until the successor shows up.
   * Counted under a deployment only, where evaluations follow each other closely (a successor deleted by hand
   * would hold its slot until the rollout's version is replaced); elsewhere a replaced allocation frees its slot.
   */
  unseenSuccessors: number;
}

/** Reconciles a service or batch job. */
export function reconcileGeneric(input: ReconcileInput): ReconcileResult {
  const { job } = input;
  const r = emptyResult();
  const mine = input.existing.filter((a) => a.namespace === job.namespace && a.jobName === job.name);
  if (job.stopped) {
    stopAll(r, input, mine, DESC.jobStopped);
    countChanges(r);
    return r;
  }
  const byGroup = new Map<string, AllocView[]>();
  for (const a of mine) {
    const list = byGroup.get(a.groupName);
    if (list) list.push(a);
    else byGroup.set(a.groupName, [a]);
  }
  for (const [name, allocs] of byGroup) {
    if (!job.groups.some((g) => g.name === name)) stopAll(r, input, allocs, DESC.groupRemoved);
  }
  for (const g of job.groups) reconcileGroup(r, input, g, byGroup.get(g.name) ?? []);
  countChanges(r);
  return r;
}

function reconcileGroup(r: ReconcileResult, input: ReconcileInput, g: GroupView, allocs: AllocView[]): void {
  const c = classify(r, input, g, allocs);
  const names = new NameIndex();
  const kept = stopSurplus(r, g, c, names);
  let slots = g.count - kept.untainted.length - kept.migrate.length - c.unseenSuccessors;
  slots = placeReplacements(r, g, c, names, slots);
  for (; slots > 0; slots--) {
    const index = names.next();
    r.place.push({ group: g, name: allocName(input.job.name, g.name, index), index, reason: 'new' });
  }
  planMigrations(r, g, kept.migrate, kept.untainted);
  if (inCanaryPhase(g, input, kept.untainted, c.canaries)) {
    for (const index of canaryIndexes(g, input, kept.untainted, c.canaries)) {
      r.place.push({ group: g, name: allocName(input.job.name, g.name, index), index, reason: 'new', canary: true });
    }
    for (const a of kept.untainted) r.ignore.push(a); // nothing is updated before the promotion
    return;
  }
  planUpdates(r, input, g, kept.untainted, c.unseenSuccessors);
}

/** Stops everything still running: job stopped or group removed. Allocations on down nodes are lost instead. */
function stopAll(r: ReconcileResult, input: ReconcileInput, allocs: AllocView[], description: string): void {
  for (const a of allocs) {
    if (isLostUnstopped(a)) r.lost.push(a);
    else if (isTerminal(a)) r.history.push(a);
    else if (nodeTaint(a, input.taintedNodes) === 'lost') r.lost.push(a);
    else r.stop.push({ alloc: a, description });
  }
}

/** Whether the allocation's node is down or gone (lost) or draining (migrate). */
export function nodeTaint(a: AllocView, tainted: ReadonlyMap<string, NodeView | null>): 'lost' | 'drain' | undefined {
  if (!tainted.has(a.nodeName)) return undefined;
  const node = tainted.get(a.nodeName);
  if (!node || !node.ready) return 'lost';
  return node.draining ? 'drain' : undefined;
}

function classify(r: ReconcileResult, input: ReconcileInput, g: GroupView, allocs: AllocView[]): Classified {
  const c: Classified = { untainted: [], migrate: [], lost: [], rescheduleNow: [], canaries: [], unseenSuccessors: 0 };
  const batch = input.job.type === 'batch';
  const ids = new Set(allocs.map((a) => a.id));
  for (const a of allocs) {
    const terminal = isTerminal(a);
    if (input.deployment?.name && terminal && a.nextAllocation && !ids.has(a.nextAllocation)) c.unseenSuccessors++;
    const canary = canaryState(a, input);
    if (canary === 'awaiting-promotion' || (canary === 'unneeded' && terminal)) {
      if (!terminal) c.canaries.push(a);
      r.ignore.push(a);
      continue;
    }
    if (canary === 'unneeded') {
      r.stop.push({ alloc: a, description: DESC.canaryNotNeeded });
      continue;
    }
    if (terminal && a.nextAllocation) {
      r.history.push(a); // already replaced by an earlier evaluation
      continue;
    }
    // Marked lost by the health controller before any evaluation saw its node go down: still desired to
    // run, so it goes through the lost path (replaced under its name, linked, and stopped), not ignored.
    if (isLostUnstopped(a)) {
      c.lost.push(a);
      continue;
    }
    if (!terminal) {
      const taint = nodeTaint(a, input.taintedNodes);
      if (taint === 'lost') c.lost.push(a);
      else if (taint === 'drain' || a.migrate) c.migrate.push(a);
      if (taint === 'lost' || taint === 'drain' || a.migrate) continue;
    }
    // A batch job's finished runs of an older version do not count: updating a batch job runs it again.
    if (batch && terminal && a.jobVersion < input.job.version) {
      r.history.push(a);
      continue;
    }
    classifyByStatus(r, input, g, c, a, batch);
  }
  return c;
}

function classifyByStatus(r: ReconcileResult, input: ReconcileInput, g: GroupView, c: Classified, a: AllocView, batch: boolean): void {
  const kind = statusClass(a, batch);
  if (kind === 'counted') c.untainted.push(a);
  else if (kind === 'history') r.history.push(a);
  else if (heldByFailedDeployment(a, input.deployment)) {
    // Nomad's rule: what fails inside a failed deployment is not rescheduled (it keeps its slot, so nothing else
    // is destroyed to replace it), until a newer version (a revert, a fix) takes the group over.
    c.untainted.push(a);
  } else {
    const d = rescheduleDecision(a, g.reschedule, input.now, input.evalId);
    if (d.kind === 'now') c.rescheduleNow.push(a);
    else c.untainted.push(a); // waits for its delay, or out of attempts: it keeps its slot either way
    if (d.kind === 'later') r.rescheduleLater.push({ alloc: a, at: d.at });
  }
}

/**
 * Whether an allocation counts toward the group's count. Batch: a successful run counts (it is never redone),
 * anything stopped otherwise does not. Service: only live allocations count; complete or lost ones are replaced.
 */
function statusClass(a: AllocView, batch: boolean): 'counted' | 'history' | 'failed' {
  if (a.desiredStatus === 'evict') return 'history';
  if (a.desiredStatus === 'stop') return batch && a.clientStatus === 'complete' ? 'counted' : 'history';
  if (a.clientStatus === 'failed') return 'failed';
  if (a.clientStatus === 'lost') return 'history';
  if (!batch && a.clientStatus === 'complete') return 'history';
  return 'counted';
}

/** Stops allocations beyond the count: duplicate names first, then migrating ones, then the highest indexes. */
function stopSurplus(r: ReconcileResult, g: GroupView, c: Classified, names: NameIndex): { untainted: AllocView[]; migrate: AllocView[] } {
  // Of two allocations under one name the live one stays, then the newer version (a promoted canary).
  const keep = [...c.migrate, ...c.untainted].sort(
    (a, b) => a.index - b.index || Number(isTerminal(a)) - Number(isTerminal(b)) || b.jobVersion - a.jobVersion || cmp(a.id, b.id),
  );
  const duplicates = keep.filter((a) => !names.claim(a.index));
  const byIndexDesc = (list: AllocView[]) => list.filter((a) => !duplicates.includes(a)).sort((a, b) => b.index - a.index);
  const order = [...duplicates, ...byIndexDesc(c.migrate), ...byIndexDesc(c.untainted)];
  const stopped = new Set<AllocView>();
  for (let remove = keep.length - g.count; remove > 0 && order.length > 0; remove--) {
    const a = order.shift()!;
    stopped.add(a);
    if (!duplicates.includes(a)) names.release(a.index);
    if (a.desiredStatus !== 'run') r.history.push(a); // already stopped (a finished batch run): nothing to do
    else r.stop.push({ alloc: a, description: DESC.notNeeded });
  }
  return { untainted: c.untainted.filter((a) => !stopped.has(a)), migrate: c.migrate.filter((a) => !stopped.has(a)) };
}

/** Replaces lost and failed allocations under their old names while slots remain; returns the slots left. */
function placeReplacements(r: ReconcileResult, g: GroupView, c: Classified, names: NameIndex, slots: number): number {
  const candidates: Array<[PlaceReason, AllocView]> = [
    ...c.lost.map((a): [PlaceReason, AllocView] => ['lost', a]),
    ...c.rescheduleNow.map((a): [PlaceReason, AllocView] => ['reschedule', a]),
  ].sort((x, y) => x[1].index - y[1].index);
  for (const [reason, a] of candidates) {
    if (reason === 'lost') r.lost.push(a);
    if (slots <= 0) {
      if (reason === 'reschedule') r.history.push(a); // the count is met without it
      continue;
    }
    const index = names.claim(a.index) ? a.index : names.next();
    r.place.push({ group: g, name: allocName(a.jobName, g.name, index), index, reason, previous: a });
    slots--;
  }
  return slots;
}

/** Migrates allocations off draining nodes, at most migrate.maxParallel replacements starting at once. */
function planMigrations(r: ReconcileResult, g: GroupView, migrate: AllocView[], untainted: AllocView[]): void {
  const starting = untainted.filter((a) => a.previousAllocation && a.clientStatus === 'pending' && !isTerminal(a)).length;
  // A drainer's marks spend the budget first, so its batches and ours never add up to more than maxParallel.
  const marked = migrate.filter((a) => a.migrate).length;
  let budget = Math.max(0, g.migrateMaxParallel - starting - marked);
  for (const a of [...migrate].sort((x, y) => x.index - y.index)) {
    // An allocation a drainer marked explicitly has been budgeted by it already.
    if (!a.migrate && budget <= 0) {
      r.ignore.push(a);
      continue;
    }
    if (!a.migrate) budget--;
    r.migrate.push({ group: g, name: a.name, index: a.index, reason: 'migrate', previous: a });
  }
}

/** Moves live allocations to the current version: in place when possible, else destructively within budget. */
function planUpdates(r: ReconcileResult, input: ReconcileInput, g: GroupView, untainted: AllocView[], unseen: number): void {
  const d = input.deployment;
  const replacing = d?.name ? unseen + r.place.filter((p) => p.group === g && (p.reason === 'reschedule' || p.reason === 'lost')).length : 0;
  let budget = destructiveBudget(g, input.job.version, untainted, input.deployment, replacing);
  for (const a of [...untainted].sort((x, y) => x.index - y.index)) {
    const kind = isTerminal(a) ? 'none' : updateKind(a, g, input.job.version, input.jobVersions);
    if (kind === 'inplace') r.inplaceUpdate.push(a);
    else if (kind === 'destructive' && budget > 0) {
      budget--;
      r.destructiveUpdate.push({ group: g, name: a.name, index: a.index, reason: 'destructive', previous: a });
    } else r.ignore.push(a);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
