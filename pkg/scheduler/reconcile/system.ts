// The system and sysbatch reconciler (Nomad's diffSystemAllocs): every ready node in the job's datacenters
// should run `count` allocations of each group (names `<job>.<group>[i]`). Per node: place what is missing,
// update what is old, stop what is not needed, mark lost what sits on a down node. A sysbatch allocation that
// finished is left alone until the job changes.
import type { AllocView, JobView } from '../structs.ts';
import { isLostUnstopped, isTerminal } from '../../../api/schemas/allocation-state.ts';
import { allocName } from '../structs.ts';
import type { ReconcileInput, ReconcileResult, PlaceRequest } from './types.ts';
import { emptyResult, countChanges } from './types.ts';
import { updateKind, destructiveBudget, heldByFailedDeployment } from './updates.ts';
import { DESC } from './descriptions.ts';

/** A required allocation: its name and group. */
interface Required {
  name: string;
  index: number;
  group: JobView['groups'][number];
}

/** Reconciles a system or sysbatch job across nodes. */
export function reconcileSystem(input: ReconcileInput): ReconcileResult {
  const { job } = input;
  const r = emptyResult();
  const required = requiredAllocs(job);
  const ready = new Set((input.readyNodes ?? []).map((n) => n.name));
  const live = new Map<string, AllocView[]>();
  const finished = new Map<string, AllocView>(); // latest terminal alloc per node+name
  const lostRun = new Map<string, AllocView>(); // client status lost, still desired to run, per node+name
  for (const a of input.existing) {
    if (a.namespace !== job.namespace || a.jobName !== job.name) continue;
    // Marked lost by the health controller before any evaluation saw its node go down: still desired to run,
    // so it is stopped as lost (on a node that is back, its replacement is placed beside it), never left as is.
    if (isLostUnstopped(a)) {
      lostRun.set(`${a.nodeName}\u0000${a.name}`, a);
      continue;
    }
    if (isTerminal(a)) {
      const key = `${a.nodeName}\u0000${a.name}`;
      const prev = finished.get(key);
      if (prev) r.history.push(a.createTime >= prev.createTime ? prev : a);
      if (!prev || a.createTime >= prev.createTime) finished.set(key, a);
      continue;
    }
    live.set(a.nodeName, [...(live.get(a.nodeName) ?? []), a]);
  }
  const updates: PlaceRequest[] = [];
  const nodes = new Set([...live.keys(), ...ready]);
  for (const node of [...nodes].sort()) diffNode(r, input, node, required, ready, live.get(node) ?? [], finished, lostRun, updates);
  r.lost.push(...lostRun.values());
  // A finished sysbatch run of the current version is the node's work done: it still fills its slot.
  for (const a of finished.values()) (job.type === 'sysbatch' && a.jobVersion === job.version ? r.ignore : r.history).push(a);
  limitDestructive(r, input, updates);
  countChanges(r);
  return r;
}

function requiredAllocs(job: JobView): Map<string, Required> {
  const out = new Map<string, Required>();
  if (job.stopped) return out;
  for (const group of job.groups) {
    for (let index = 0; index < group.count; index++) out.set(allocName(job.name, group.name, index), { name: allocName(job.name, group.name, index), index, group });
  }
  return out;
}

function diffNode(
  r: ReconcileResult, input: ReconcileInput, node: string, required: Map<string, Required>, ready: Set<string>,
  allocs: AllocView[], finished: Map<string, AllocView>, lostRun: ReadonlyMap<string, AllocView>, updates: PlaceRequest[],
): void {
  const present = new Set<string>();
  for (const a of allocs) {
    const req = required.get(a.name);
    if (!req || present.has(a.name)) {
      r.stop.push({ alloc: a, description: input.job.stopped ? DESC.jobStopped : DESC.notNeeded });
      continue;
    }
    present.add(a.name);
    diffLive(r, input, node, req, ready, a, updates);
  }
  for (const req of required.values()) {
    if (present.has(req.name)) continue;
    const key = `${node}\u0000${req.name}`;
    const done = finished.get(key);
    if (input.job.type === 'sysbatch' && done) {
      // A finished sysbatch run (failed included: the restart policy had its chance) is redone only for a new version.
      if (done.jobVersion !== input.job.version && ready.has(node)) {
        finished.delete(key);
        updates.push({ group: req.group, name: req.name, index: req.index, reason: 'destructive', previous: done, nodeName: node });
      }
      continue;
    }
    if (input.taintedNodes.has(node) || !ready.has(node)) continue;
    // Nomad's rule, as for service jobs: what failed inside a failed deployment keeps its slot, not replaced
    // (a broken version must not cycle through the fleet); the next version's rollout replaces it.
    if (done && done.clientStatus === 'failed' && heldByFailedDeployment(done, input.deployment)) continue;
    const place: PlaceRequest = { group: req.group, name: req.name, index: req.index, reason: 'new', nodeName: node };
    const lost = lostRun.get(key);
    if (lost) Object.assign(place, { reason: 'lost', previous: lost });
    else if (done && done.clientStatus === 'failed' && !done.nextAllocation) {
      finished.delete(key);
      Object.assign(place, { reason: 'reschedule', previous: done });
    }
    r.place.push(place);
  }
}

function diffLive(r: ReconcileResult, input: ReconcileInput, node: string, req: Required, ready: Set<string>, a: AllocView, updates: PlaceRequest[]): void {
  const n = input.taintedNodes.get(node);
  if (input.taintedNodes.has(node) && (!n || !n.ready)) return void r.lost.push(a);
  // Marked by a drainer on a node that takes no placements: it leaves, also when the drain has ended since (at
  // its deadline) and the node is only ineligible. A drain cancelled on an eligible node leaves it running.
  if (a.migrate && !ready.has(node)) return void r.stop.push({ alloc: a, description: DESC.migrating });
  if (input.taintedNodes.has(node)) return void r.ignore.push(a); // the drain has not marked it yet
  if (input.notReadyNodes?.has(node)) return void r.ignore.push(a);
  if (!ready.has(node)) return void r.stop.push({ alloc: a, description: DESC.nodeIneligible });
  const kind = updateKind(a, req.group, input.job.version, input.jobVersions);
  if (kind === 'inplace') r.inplaceUpdate.push(a);
  else if (kind === 'destructive') updates.push({ group: req.group, name: req.name, index: req.index, reason: 'destructive', previous: a, nodeName: node });
  else r.ignore.push(a);
}

/** Applies update.maxParallel across nodes, per group; the rest waits (ignored) for a later evaluation. */
function limitDestructive(r: ReconcileResult, input: ReconcileInput, updates: PlaceRequest[]): void {
  const budgets = new Map<string, number>();
  const live = input.existing.filter((a) => a.jobName === input.job.name && a.namespace === input.job.namespace);
  for (const g of input.job.groups) budgets.set(g.name, destructiveBudget(g, input.job.version, live.filter((a) => a.groupName === g.name), input.deployment));
  for (const u of updates) {
    const left = budgets.get(u.group.name) ?? 0;
    // Re-running a finished sysbatch allocation stops nothing, so it is not rationed.
    if (u.previous && isTerminal(u.previous)) r.destructiveUpdate.push(u);
    else if (left > 0) {
      budgets.set(u.group.name, left - 1);
      r.destructiveUpdate.push(u);
    } else r.ignore.push(u.previous!);
  }
}
