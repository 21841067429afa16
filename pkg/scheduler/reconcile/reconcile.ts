// The reconciler's entry point: desired (the job) vs existing (its allocations) → buckets of changes.
// Pure: the same input always gives the same result; time comes in as `now`.
import type { ReconcileInput, ReconcileResult } from './types.ts';
import { reconcileGeneric } from './generic.ts';
import { reconcileSystem } from './system.ts';

/** Computes the changes that move the job's allocations toward its spec. */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const t = input.job.type;
  return t === 'system' || t === 'sysbatch' ? reconcileSystem(input) : reconcileGeneric(input);
}

export type { ReconcileInput, ReconcileResult, PlaceRequest, StopRequest, DesiredChanges, DeploymentView, PlaceReason, RescheduleLater } from './types.ts';
export { DESC } from './descriptions.ts';
