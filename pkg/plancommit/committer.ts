// The plan commit (see README.md): fence on the evaluation's claim, check the worker's view is fresh, then commit
// node by node — each placement transaction compare-and-swaps the node's usage record after re-checking the
// node's fit against its latest live allocations — and finally write the evaluation's outcome. Refused nodes
// come back with the revision the worker must reach before it re-plans.
import type { Allocation, Evaluation, Job, Node } from '../../api/schemas/index.ts';
import { GROUP, type KindInfo } from '../../api/schemas/kind.ts';
import { isJobStopped } from '../../api/schemas/job-stopping.ts';
import { controllerRef } from '../../api/schemas/owner.ts';
import { invalid } from '../apierrors/status.ts';
import type { AdmissionChain } from '../apiserver/admission.ts';
import type { KindCaches } from '../apiserver/caches.ts';
import { decodeStored, encodeStored, objectKey } from '../apiserver/codec.ts';
import type { Clock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { allocFromApi, nodeFromApi } from '../scheduler/adapters.ts';
import { checkNodePlan, type NodeFitCheck } from '../scheduler/plan/fit.ts';
import { nodeStateOf } from '../scheduler/plan/node-state.ts';
import type { PlannedAlloc } from '../scheduler/plan/plan.ts';
import { fullyCommitted, SCHEDULER_MANAGER, type PlanBasis, type PlanResponse } from '../scheduler/plan/wire.ts';
import type { AllocView } from '../scheduler/structs.ts';
import { isStoreError, type Compare, type KeyValue, type Store, type TxnOp } from '../storage/store.ts';
import type { AllocIndex } from './alloc-index.ts';
import type { NodeEvents } from './node-events.ts';
import { checkBasis, type ServerView, type Staleness } from './basis.ts';
import { CurrentAllocs, holds } from './current.ts';
import { Fence, contention } from './fence.ts';
import { newObject, patchAllocation, type Admit } from './objects.ts';
import { applyOutcome, prepareOutcome } from './outcome.ts';
import { parsePlanRequest } from './request.ts';
import { buildUnits, chunksOf, type Chunk, type Unit } from './units.ts';
import { encodeUsage, usageKey } from './usage.ts';

/** The kinds a plan commit reads and writes. */
export interface CommitKinds {
  allocation: KindInfo;
  evaluation: KindInfo;
  node: KindInfo;
  job: KindInfo;
}

/** Dependencies of the committer (the API server's own). */
export interface CommitterDeps {
  store: Store;
  caches: KindCaches;
  clock: Clock;
  logger: Logger;
  kinds: CommitKinds;
  index: AllocIndex;
  nodeEvents: NodeEvents;
  /** The API server's admission chain, run on the objects a plan creates (subresource `plan`). */
  admission?: AdmissionChain;
  /** Nodes committed concurrently within one plan (default 16). */
  concurrency?: number;
}

/** Lost compare-and-swap races one transaction may take before its node is refused. */
const MAX_TXN_RETRIES = 16;

/** The state of one commit. */
interface Commit {
  ns: string;
  evalName: string;
  now: number;
  fence: Fence;
  current: CurrentAllocs;
  res: PlanResponse;
}

/** Commits plans submitted to evaluations/{name}/plan. */
export class PlanCommitter {
  constructor(private readonly deps: CommitterDeps) {}

  /** Commit `body` (a PlanRequest) for evaluation `evalName` of namespace `ns`. */
  async commit(ns: string, evalName: string, body: unknown): Promise<PlanResponse> {
    const { kinds, caches, clock } = this.deps;
    const req = parsePlanRequest(body);
    const fence = new Fence(this.deps.store, objectKey(kinds.evaluation, ns, evalName), evalName, req.claim);
    await fence.load();
    this.deps.index.ensure();
    this.deps.nodeEvents.ensure();
    const now = clock.now();
    const jobName = fence.eval.spec.jobName;
    const c: Commit = { ns, evalName, now, fence, current: new CurrentAllocs({ ...this.deps, kind: kinds.allocation }, ns), res: emptyResponse() };
    // Placements belong to the job as the store has it now (its controller ownerReference). A stopping job (being
    // deleted, or stopped) places nothing: the worker re-reads it and re-plans, which stops what it has instead.
    // (A job absent from the store is the basis check's business: a worker that saw it gone plans no placements.)
    let owner: Job | undefined;
    if (req.placements.length > 0) {
      const { kv } = await this.deps.store.get(objectKey(kinds.job, ns, jobName));
      owner = kv ? (decodeStored(kv) as Job) : undefined;
      if (owner && isJobStopped(owner)) {
        const waitFor = { jobs: Math.max(fence.rev, kv!.modRevision) };
        return { ...c.res, stale: `job ${jobName} is stopping: nothing may be placed for it`, waitFor, refetch: { jobs: [jobName], nodes: [] }, revision: waitFor.jobs };
      }
    }
    // Everything is built and validated before the first write: a bad object fails the whole plan, not half of it.
    const placements = await Promise.all(req.placements.map((p) => this.newAllocation(ns, p, jobName, owner, evalName, now)));
    const outcome = req.outcome ? await prepareOutcome(kinds.evaluation, ns, req.outcome, now, this.admitter(kinds.evaluation), fence.eval.metadata.ownerReferences) : undefined;
    // The server's view must include whatever triggered the evaluation, and whatever the worker saw.
    await caches.fresh(kinds.allocation, Math.max(fence.rev, req.basis?.revisions.allocations ?? 0));
    if (req.basis) {
      await caches.fresh(kinds.node, Math.max(fence.rev, req.basis.revisions.nodes));
      const s = await this.staleness(ns, fence.eval, fence.rev, req.basis);
      if (s) return { ...c.res, stale: s.reason, waitFor: s.waitFor, refetch: s.refetch, revision: Math.max(fence.rev, ...Object.values(s.waitFor)) };
    }
    const prevs = placements.map((p) => p.spec.previousAllocation).filter((n): n is string => !!n);
    await c.current.load([...req.stops.map((s) => s.name), ...req.updates.map((u) => u.name), ...prevs]);
    const units = buildUnits(placements, req.stops, req.updates, (name) => c.current.get(name)?.obj.spec.nodeName);
    await pool(units, this.deps.concurrency ?? 16, (u) => this.commitUnit(c, u));
    if (outcome && fullyCommitted(c.res)) {
      const ev = await applyOutcome({ ...this.deps, kinds }, c, outcome);
      c.res.evaluation = ev;
      c.res.outcomeApplied = true;
      c.res.revision = Math.max(c.res.revision, Number(ev.metadata.resourceVersion));
    }
    return c.res;
  }

  /** Stop following the allocation cache. */
  stop(): void {
    this.deps.index.stop();
    this.deps.nodeEvents.stop();
  }

  /** The API server's admission chain for creates of `kind` through this subresource (when it was given one). */
  private admitter(kind: KindInfo): Admit | undefined {
    const chain = this.deps.admission;
    if (!chain) return undefined;
    const actx = { kind, subresource: 'plan', dryRun: false, manager: SCHEDULER_MANAGER };
    return async (obj) => {
      await chain.mutate('CREATE', obj, undefined, actx);
      const causes = await chain.validate('CREATE', obj, undefined, actx);
      if (causes.length > 0) throw invalid({ kindName: kind.kind, group: GROUP, name: obj.metadata.name }, causes);
    };
  }

  private newAllocation(ns: string, draft: Allocation, jobName: string, job: Job | undefined, evalName: string, now: number): Promise<Allocation> {
    if (draft.spec.jobName !== jobName) {
      throw invalid({ kindName: 'Allocation', group: GROUP, name: draft.metadata.name }, [
        { reason: 'FieldValueInvalid', field: 'spec.jobName', message: `Invalid value: ${JSON.stringify(draft.spec.jobName)}: the evaluation is for job ${jobName}` },
      ]);
    }
    const { status: _ignored, ...rest } = draft;
    const metadata = { ...rest.metadata, ...(job?.metadata.uid ? { ownerReferences: [controllerRef(job, { blockOwnerDeletion: true })] } : {}) };
    return newObject(this.deps.kinds.allocation, ns, { ...rest, metadata, spec: { ...draft.spec, desiredStatus: 'run', evalName } } as Allocation, now, this.admitter(this.deps.kinds.allocation));
  }

  private async staleness(ns: string, ev: Evaluation, claimRev: number, basis: PlanBasis): Promise<Staleness | undefined> {
    const { store, kinds, caches, index, nodeEvents } = this.deps;
    const jobName = ev.spec.jobName;
    const { kv } = await store.get(objectKey(kinds.job, ns, jobName));
    const trigger = ev.spec.nodeName;
    let triggerNode: { obj: Node; rev: number } | undefined;
    if (trigger) {
      const got = await store.get(objectKey(kinds.node, undefined, trigger));
      triggerNode = got.kv ? { obj: decodeStored(got.kv) as Node, rev: got.kv.modRevision } : undefined;
    }
    const nodeCache = caches.of(kinds.node);
    const view: ServerView = {
      job: kv ? { obj: decodeStored(kv) as Job, rev: kv.modRevision } : undefined,
      allocRevision: index.jobRevision(ns, jobName, claimRev),
      nodeRevision: nodeEvents.latestAtOrBelow(claimRev),
      node: (name) => {
        if (name === trigger) return triggerNode;
        const cached = nodeCache.get(objectKey(kinds.node, undefined, name));
        return cached ? { obj: cached.obj as Node, rev: cached.rv } : undefined;
      },
    };
    return checkBasis(jobName, basis, view);
  }

  /** Commit one node's unit, transaction by transaction; a refusal stops the unit and is reported. */
  private async commitUnit(c: Commit, u: Unit): Promise<void> {
    const { store, caches, kinds, index } = this.deps;
    const nodeRes = (c.res.nodes[u.node] ??= { placed: 0 });
    const chunks = chunksOf(u);
    let record: { rev: number } | undefined;
    let live = new Map<string, AllocView>();
    let failures = 0;
    for (let i = 0; i < chunks.length; ) {
      const chunk = chunks[i]!;
      const placing = chunk.places.length > 0;
      if (placing && !record) {
        const { kv } = await store.get(usageKey(u.node));
        record = { rev: kv?.modRevision ?? 0 };
        // Every placement on this node up to the record's revision is in the index once the cache is there.
        await caches.fresh(kinds.allocation, record.rev);
        live = new Map(index.liveOn(u.node).map((a) => [a.metadata.name, allocFromApi(a)]));
        observe(c.res, record.rev);
      }
      let fit: Fit | undefined;
      if (placing) {
        fit = this.fit(c, u.node, live, chunk);
        if (!fit.fits) {
          nodeRes.refused = fit.reason ?? 'does not fit';
          return;
        }
      }
      const txn = this.transaction(c, u.node, chunk, record, fit);
      if (txn.ops.length === 0) {
        i++; // every allocation it would change is gone: nothing to write
        continue;
      }
      let result;
      try {
        result = await store.txn(txn.compares, txn.ops);
      } catch (err) {
        if (!isStoreError(err, 'TooManyOps') && !isStoreError(err, 'TooLarge')) throw err;
        nodeRes.refused = err.message;
        return;
      }
      if (result.succeeded) {
        caches.noteWrite(kinds.allocation, result.revision);
        observe(c.res, result.revision);
        this.committed(c, u.node, chunk, live, txn.patched, result.written, result.revision);
        nodeRes.placed += chunk.places.length;
        if (placing) record = { rev: result.revision };
        failures = 0;
        i++;
        continue;
      }
      if (++failures > MAX_TXN_RETRIES) throw contention(`node ${u.node}`);
      const why = await this.lostRace(c, txn.compares, txn.meanings, result.current);
      if (why.recordMoved) record = undefined;
      if (why.exists) {
        nodeRes.refused = `allocation ${why.exists} already exists`;
        return;
      }
    }
  }

  /** The node's verdict on a chunk: its live allocations minus the chunk's stops, plus the placements. */
  private fit(c: Commit, node: string, live: Map<string, AllocView>, chunk: Chunk): Fit {
    const { caches, kinds } = this.deps;
    const cached = caches.of(kinds.node).get(objectKey(kinds.node, undefined, node));
    const none = { usage: { cpu: 0, memoryMB: 0, diskMB: 0 }, ports: [], count: 0 };
    // A refusal for the node's own state tells the worker to catch up with the node, not with allocations.
    if (!cached) {
      c.res.refetch.nodes.push(node);
      return { fits: false, reason: 'node not found', ...none };
    }
    const view = nodeFromApi(cached.obj as Node);
    const state = nodeStateOf(view);
    if (state !== 'ready') {
      c.res.waitFor.nodes = Math.max(c.res.waitFor.nodes ?? 0, cached.rv);
      return { fits: false, reason: `node ${state === 'down' ? 'not ready' : state}`, ...none };
    }
    const stopped = new Set(stopsOn(c, node, chunk));
    const latest = [...live.values()].filter((a) => !stopped.has(a.id));
    const places = chunk.places.map((p) => allocFromApi(p.alloc));
    // checkNodePlan reads only the AllocView part of a planned allocation.
    const verdict = checkNodePlan(view, latest, { place: places as PlannedAlloc[], stop: [] });
    const ports = [...latest, ...places].flatMap((a) => a.ports.map((p) => p.value)).sort((a, b) => a - b);
    return { ...verdict, ports, count: latest.length + places.length };
  }

  private transaction(c: Commit, node: string, chunk: Chunk, record: { rev: number } | undefined, fit: Fit | undefined) {
    const { kinds, caches } = this.deps;
    const compares: Compare[] = [c.fence.compare()];
    const meanings: Meaning[] = [{ fence: true }];
    const ops: TxnOp[] = [];
    const patched: string[] = [];
    if (record && fit) {
      compares.push({ key: usageKey(node), target: 'mod', equals: record.rev });
      meanings.push({ record: true });
      const rec = { node, used: fit.usage, ports: fit.ports, allocs: fit.count, revision: caches.of(kinds.allocation).revision(), evaluation: c.evalName };
      ops.push({ type: 'put', key: usageKey(node), value: encodeUsage(rec) });
    }
    for (const item of [...chunk.patches, ...chunk.places.flatMap((p) => p.linked)]) {
      const cur = c.current.get(item.name);
      if (!cur) continue; // gone meanwhile: nothing left to stop or link
      const next = patchAllocation(kinds.allocation, cur.obj, item.patch, c.evalName, c.now);
      compares.push({ key: c.current.key(item.name), target: 'mod', equals: cur.rev });
      meanings.push({ patch: item.name });
      ops.push({ type: 'put', key: c.current.key(item.name), value: encodeStored(next) });
      patched.push(item.name);
    }
    for (const p of chunk.places) {
      const key = c.current.key(p.alloc.metadata.name);
      compares.push({ key, target: 'create', equals: 0 });
      meanings.push({ create: p.alloc.metadata.name });
      ops.push({ type: 'put', key, value: encodeStored(p.alloc) });
    }
    return { compares, meanings, ops, patched };
  }

  /** Record a committed chunk: the response, the node's live set, and the patched allocations' new state. */
  private committed(c: Commit, node: string, chunk: Chunk, live: Map<string, AllocView>, patched: string[], written: Array<KeyValue | undefined>, rev: number): void {
    for (const name of stopsOn(c, node, chunk)) live.delete(name);
    for (const p of chunk.places) {
      live.set(p.alloc.metadata.name, allocFromApi(p.alloc));
      c.res.placed.push(p.alloc.metadata.name);
    }
    const byKey = new Map(written.filter((kv) => kv !== undefined).map((kv) => [kv!.key, kv!]));
    const items = new Map([...chunk.patches, ...chunk.places.flatMap((p) => p.linked)].map((i) => [i.name, i.patch]));
    for (const name of patched) {
      c.current.set(name, byKey.get(c.current.key(name)));
      const patch = items.get(name)!;
      if (patch.stop) c.res.stopped.push(name);
      else if (patch.jobVersion !== undefined) c.res.updated.push(name);
    }
    observe(c.res, rev);
  }

  /** After a failed transaction: refresh what moved. Throws 409 when the claim is gone. */
  private async lostRace(c: Commit, compares: Compare[], meanings: Meaning[], current: Array<KeyValue | undefined>) {
    const out: { recordMoved: boolean; exists?: string } = { recordMoved: false };
    for (let i = 0; i < compares.length; i++) {
      if (holds(compares[i]!, current[i])) continue;
      const m = meanings[i]!;
      if ('fence' in m) await c.fence.refresh();
      else if ('record' in m) out.recordMoved = true;
      else if ('patch' in m) c.current.set(m.patch, current[i]);
      else out.exists = m.create;
    }
    return out;
  }
}

/** A fit verdict with what the usage record stores. */
type Fit = NodeFitCheck & { ports: number[]; count: number };

/** What each compare of a transaction guards. */
type Meaning = { fence: true } | { record: true } | { patch: string } | { create: string };

/** Names of the allocations on `node` that the chunk stops (its own stops, evicted victims, replaced allocations). */
function stopsOn(c: Commit, node: string, chunk: Chunk): string[] {
  return [...chunk.patches, ...chunk.places.flatMap((p) => p.linked)]
    .filter((i) => i.patch.stop && c.current.get(i.name)?.obj.spec.nodeName === node)
    .map((i) => i.name);
}

function observe(res: PlanResponse, rev: number): void {
  if (rev > res.revision) res.revision = rev;
  if (rev > (res.waitFor.allocations ?? 0)) res.waitFor.allocations = rev;
}

function emptyResponse(): PlanResponse {
  return {
    kind: 'PlanResult', apiVersion: 'drover.dev/v1', nodes: {}, placed: [], stopped: [], updated: [],
    waitFor: {}, refetch: { jobs: [], nodes: [] }, revision: 0, outcomeApplied: false,
  };
}

/** Run `fn` over `items` with at most `n` in flight; the first failure rejects (after the others settle). */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  if (failure !== undefined) throw failure;
}
