// Objects the plan commit writes straight to the store, stamped exactly as the API server stamps them on its
// own writes: server-owned metadata (uid, generation, creationTimestamp), schema defaults and validation, and
// managedFields for the scheduler's field manager — so a written Allocation or Evaluation is indistinguishable
// from one created through the REST API.
import type { Allocation, Evaluation, EvaluationStatus } from '../../api/schemas/index.ts';
import { API_VERSION, GROUP, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import { validateObject } from '../../api/schemas/validate.ts';
import { withAllocationConditions } from '../../api/schemas/allocation-conditions.ts';
import { invalid, type StatusCause } from '../apierrors/status.ts';
import { clone } from '../apiserver/codec.ts';
import { recordUpdate } from '../apiserver/fieldmanager/index.ts';
import { rfc3339 } from '../../api/schemas/timestamp.ts';
import { bumpGeneration, nameCauses, prepareForCreate } from '../apiserver/meta.ts';
import { SCHEDULER_MANAGER, type PlanStop } from '../scheduler/plan/wire.ts';

/** Throws 422 Invalid when `causes` is not empty. */
function check(kind: KindInfo, name: string | undefined, causes: StatusCause[]): void {
  if (causes.length > 0) throw invalid({ kindName: kind.kind, group: GROUP, name }, causes);
}

/** Record the scheduler's ownership of what changed from `live` to `updated` (through /status for `status`). */
function owned(live: ApiObject | undefined, updated: ApiObject, nowMs: number, subresource?: string): void {
  updated.metadata.managedFields = recordUpdate({ live, updated, manager: SCHEDULER_MANAGER, now: rfc3339(nowMs), subresource });
}

/** Runs the API server's admission chain on a new object (the plan commit's writes are creates like any other). */
export type Admit = (obj: ApiObject) => Promise<void>;

/**
 * A new object of `kind` from `draft` (metadata.name, labels, annotations, ownerReferences, spec, optional status): stamped, defaulted, validated,
 * admitted (without its status, as a REST create would be), then given its status as through /status.
 */
export async function newObject<T extends ApiObject>(kind: KindInfo, namespace: string, draft: T, nowMs: number, admit?: Admit): Promise<T> {
  const obj = {
    apiVersion: API_VERSION,
    kind: kind.kind,
    metadata: { name: draft.metadata?.name, namespace, ...(draft.metadata?.labels ? { labels: draft.metadata.labels } : {}), ...(draft.metadata?.annotations ? { annotations: draft.metadata.annotations } : {}), ...(draft.metadata?.ownerReferences ? { ownerReferences: clone(draft.metadata.ownerReferences) } : {}) },
    spec: clone(draft.spec),
  } as unknown as T;
  prepareForCreate(kind, obj, nowMs);
  check(kind, obj.metadata.name, [...nameCauses(obj.metadata.name), ...validateObject(kind, obj)]);
  if (admit) {
    await admit(obj);
    check(kind, obj.metadata.name, validateObject(kind, obj));
  }
  owned(undefined, obj, nowMs);
  if (draft.status !== undefined) {
    const withStatus = clone(obj);
    withStatus.status = clone(draft.status);
    check(kind, obj.metadata.name, validateObject(kind, withStatus));
    owned(obj, withStatus, nowMs, 'status');
    return withStatus;
  }
  return obj;
}

/** A change to an existing allocation: desired-status change, job version, reschedule links. */
export interface AllocPatch {
  stop?: PlanStop;
  jobVersion?: number;
  nextAllocation?: string;
  followupEval?: string;
}

/** `current` with `patch` applied (spec through the main resource, the lost status through /status). */
export function patchAllocation(kind: KindInfo, current: Allocation, patch: AllocPatch, evalName: string, nowMs: number): Allocation {
  const next = clone(current);
  const spec = next.spec;
  if (patch.stop) {
    spec.desiredStatus = patch.stop.desiredStatus;
    spec.desiredDescription = patch.stop.description;
    if (patch.stop.preemptedBy) spec.preemptedBy = patch.stop.preemptedBy;
  }
  if (patch.jobVersion !== undefined) spec.jobVersion = patch.jobVersion;
  if (patch.nextAllocation !== undefined) spec.nextAllocation = patch.nextAllocation;
  if (patch.followupEval !== undefined) spec.followupEval = patch.followupEval;
  if (patch.stop || patch.jobVersion !== undefined) spec.evalName = evalName;
  check(kind, current.metadata.name, validateObject(kind, next));
  bumpGeneration(current, next);
  owned(current, next, nowMs);
  if (!patch.stop?.lost) return next;
  const lost = clone(next);
  lost.status = withAllocationConditions({ ...lost, status: { ...(lost.status ?? {}), clientStatus: 'lost', clientDescription: patch.stop.description } }, nowMs);
  owned(next, lost, nowMs, 'status');
  return lost;
}

/** `current` with its status replaced by `status` (written as through /status). */
export function withEvalStatus(kind: KindInfo, current: Evaluation, status: EvaluationStatus, nowMs: number): Evaluation {
  const next = clone(current);
  next.status = clone(status);
  check(kind, current.metadata.name, validateObject(kind, next));
  owned(current, next, nowMs, 'status');
  return next;
}
