// The ownerReferences Drover puts on what it creates for a Job, so the garbage collector (pkg/controllers/gc)
// collects them when the Job goes. Every one names the Job as its `controller` (one controller per object, as in
// Kubernetes). `blockOwnerDeletion` is set where the Job's foreground deletion must wait for the dependent — what
// runs (allocations), what rolls it out (deployments) and what it launched (child jobs) — and left off for its
// records (evaluations, job versions), which never hold the Job back.
import type { ApiObject, OwnerReference } from './kind.ts';
import { API_VERSION } from './kind.ts';

/** The controller ownerReference to `owner` (a Drover kind). */
export function controllerRef(owner: Pick<ApiObject, 'kind' | 'metadata'>, opts: { blockOwnerDeletion: boolean }): OwnerReference {
  const ref: OwnerReference = { apiVersion: API_VERSION, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true };
  if (opts.blockOwnerDeletion) ref.blockOwnerDeletion = true;
  return ref;
}

/** The ownerReferences of a record (evaluation, job version) of `job`: none when the job has no uid (never stored). */
export function recordOwnerRefs(job: Pick<ApiObject, 'kind' | 'metadata'> | undefined): OwnerReference[] | undefined {
  return job?.metadata.uid ? [controllerRef(job, { blockOwnerDeletion: false })] : undefined;
}

/** The controller reference of `obj`, if any. */
export function controllerOf(obj: Pick<ApiObject, 'metadata'>): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}
