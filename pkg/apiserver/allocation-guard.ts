// The admission rule that keeps the usage record a sufficient serialization point: no write through the REST
// API may add to what a node holds. Allocations that hold resources are created only by plan commits (which
// compare-and-swap the node's usage record); an update may release an allocation's resources (stop, evict,
// complete, fail, lose it) but never take them back, move it to another node, or change what it holds.
import type { Allocation } from '../../api/schemas/index.ts';
import { GROUP, type ApiObject } from '../../api/schemas/kind.ts';
import { apiError, type StatusCause } from '../apierrors/status.ts';
import type { AdmissionHook } from './admission.ts';
import { deepEqual } from './codec.ts';
import { isLive } from '../../api/schemas/allocation-state.ts';

/** Fields of a live allocation that decide what its node holds. */
const IMMUTABLE: Array<keyof Allocation['spec']> = ['nodeName', 'resources'];

/** The Allocation admission hook, built into every API server (createApiServer installs it; it cannot be left out). */
export const allocationUsageGuard: AdmissionHook = {
  kinds: ['Allocation'],
  validate(op, obj, old, ctx) {
    const next = obj as unknown as Allocation;
    // The plan commit's own creates: they compare-and-swap the node's usage record.
    if (ctx.subresource === 'plan') return [];
    if (op === 'CREATE' && isLive(next)) {
      throw apiError(
        'Forbidden',
        `allocations.${GROUP} "${next.metadata.name}" is forbidden: allocations that hold resources are placed by the scheduler ` +
          `(POST evaluations/{name}/plan); create it with spec.desiredStatus stop or evict, or submit a plan`,
        { group: GROUP, kind: 'allocations', name: next.metadata.name },
      );
    }
    if (op !== 'UPDATE' || !old) return [];
    return updateCauses(old, next);
  },
};

function updateCauses(oldObj: ApiObject, next: Allocation): StatusCause[] {
  const old = oldObj as unknown as Allocation;
  if (!isLive(next)) return [];
  if (!isLive(old)) {
    return [{
      reason: 'FieldValueForbidden',
      field: 'spec.desiredStatus',
      message: 'Forbidden: a stopped or finished allocation cannot run again; the scheduler places a new one',
    }];
  }
  return IMMUTABLE.filter((f) => !deepEqual(old.spec[f], next.spec[f])).map((f) => ({
    reason: 'FieldValueForbidden',
    field: `spec.${f}`,
    message: 'Forbidden: field is immutable while the allocation holds resources',
  }));
}
