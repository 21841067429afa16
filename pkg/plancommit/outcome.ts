// Writing an evaluation's outcome once its plan is fully committed: the evaluations it creates (blocked,
// follow-ups — deterministic names, so a retried outcome does not create twice), the failed allocations'
// followupEval links, and last the evaluation's own status. Every transaction carries the fence.
import type { Allocation, Evaluation } from '../../api/schemas/index.ts';
import type { KindInfo, OwnerReference } from '../../api/schemas/kind.ts';
import type { KindCaches } from '../apiserver/caches.ts';
import { decodeStored, encodeStored, objectKey } from '../apiserver/codec.ts';
import type { Store, Compare, TxnOp } from '../storage/store.ts';
import type { CurrentAllocs } from './current.ts';
import { holds } from './current.ts';
import type { Fence } from './fence.ts';
import { contention } from './fence.ts';
import { newObject, patchAllocation, withEvalStatus, type Admit } from './objects.ts';
import type { EvalOutcome } from '../scheduler/plan/wire.ts';
import { CHUNK_OPS } from './units.ts';

/** An outcome with its new evaluations built and validated. */
export interface PreparedOutcome {
  status: EvalOutcome['status'];
  create: Evaluation[];
  followups: EvalOutcome['followups'];
}

/** Build, validate and admit the outcome's evaluations (422 on a bad one) before anything is written. */
export async function prepareOutcome(kind: KindInfo, ns: string, o: EvalOutcome, nowMs: number, admit?: Admit, owners?: OwnerReference[]): Promise<PreparedOutcome> {
  // The evaluations a plan creates (follow-ups, blocked) belong to the job as the evaluation being planned does.
  const owned = (e: Evaluation): Evaluation => (owners?.length ? { ...e, metadata: { ...e.metadata, ownerReferences: owners } } : e);
  const create = await Promise.all(o.create.map((e) => newObject(kind, ns, owned(e), nowMs, admit)));
  return { status: o.status, create, followups: o.followups };
}

/** What applyOutcome needs. */
export interface OutcomeDeps {
  store: Store;
  caches: KindCaches;
  kinds: { allocation: KindInfo; evaluation: KindInfo };
}

/** The commit state applyOutcome shares with the plan commit. */
export interface OutcomeCommit {
  ns: string;
  evalName: string;
  now: number;
  fence: Fence;
  current: CurrentAllocs;
}

const MAX_ROUNDS = 16;

type Item = { create: Evaluation } | { followup: { name: string; followupEval: string } };

/** Write the outcome; returns the evaluation as stored. Throws 409 when the claim was lost meanwhile. */
export async function applyOutcome(deps: OutcomeDeps, c: OutcomeCommit, o: PreparedOutcome): Promise<Evaluation> {
  await c.current.load(o.followups.map((f) => f.name));
  let pending: Item[] = [...o.create.map((e) => ({ create: e })), ...o.followups.map((f) => ({ followup: f }))];
  for (let round = 0; pending.length > 0; round++) {
    if (round > MAX_ROUNDS) throw contention(`evaluation ${c.evalName}`);
    const chunk = pending.slice(0, CHUNK_OPS);
    const done = await writeItems(deps, c, chunk);
    pending = [...pending.slice(0, CHUNK_OPS).filter((i) => !done.has(i)), ...pending.slice(CHUNK_OPS)];
  }
  for (let round = 0; ; round++) {
    if (round > MAX_ROUNDS) throw contention(`evaluation ${c.evalName}`);
    const next = withEvalStatus(deps.kinds.evaluation, c.fence.eval, o.status, c.now);
    const res = await deps.store.txn([c.fence.compare()], [{ type: 'put', key: c.fence.key, value: encodeStored(next) }]);
    if (res.succeeded) {
      deps.caches.noteWrite(deps.kinds.evaluation, res.revision);
      return decodeStored(res.written[0]!) as Evaluation;
    }
    await c.fence.refresh();
  }
}

/** One fenced transaction of creates and links; returns the items that are done (written, or already there). */
async function writeItems(deps: OutcomeDeps, c: OutcomeCommit, items: Item[]): Promise<Set<Item>> {
  const compares: Compare[] = [c.fence.compare()];
  const ops: TxnOp[] = [];
  const owners: Array<Item | undefined> = [undefined];
  const done = new Set<Item>();
  for (const item of items) {
    if ('create' in item) {
      const key = objectKey(deps.kinds.evaluation, c.ns, item.create.metadata.name);
      compares.push({ key, target: 'create', equals: 0 });
      ops.push({ type: 'put', key, value: encodeStored(item.create) });
    } else {
      const cur = c.current.get(item.followup.name);
      if (!cur) {
        done.add(item); // the allocation is gone: nothing to link
        continue;
      }
      const next = patchAllocation(deps.kinds.allocation, cur.obj as Allocation, { followupEval: item.followup.followupEval }, c.evalName, c.now);
      compares.push({ key: c.current.key(item.followup.name), target: 'mod', equals: cur.rev });
      ops.push({ type: 'put', key: c.current.key(item.followup.name), value: encodeStored(next) });
    }
    owners.push(item);
  }
  if (ops.length === 0) return done;
  const res = await deps.store.txn(compares, ops);
  if (res.succeeded) {
    // Only kinds written in this transaction: a noted revision is one whose event is sure to arrive.
    if (owners.some((i) => i && 'create' in i)) deps.caches.noteWrite(deps.kinds.evaluation, res.revision);
    if (owners.some((i) => i && 'followup' in i)) deps.caches.noteWrite(deps.kinds.allocation, res.revision);
    for (const i of owners) if (i) done.add(i);
    return done;
  }
  for (let i = 0; i < compares.length; i++) {
    if (holds(compares[i]!, res.current[i])) continue;
    const owner = owners[i];
    if (!owner) await c.fence.refresh();
    else if ('create' in owner) done.add(owner); // created by an earlier attempt of this outcome
    else c.current.set(owner.followup.name, res.current[i]);
  }
  return done;
}
