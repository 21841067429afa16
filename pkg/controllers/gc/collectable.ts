// When a dependent may be deleted now. Kubernetes deletes a Pod at once and its kubelet stops it within the
// grace period; Drover's allocations are stopped by the scheduler (a stopping or deleted job's evaluation), so the
// collector waits for that instead of deleting what still runs: an allocation is collected once its agent reports
// it finished (complete, failed, lost), or once stopped if it never started (still pending) — so a foreground
// delete of a job returns when its tasks are gone, not merely asked to stop; an evaluation once finished (the
// job-deregister evaluation that stops the allocations must survive its job), a job version once no live
// allocation runs at it (node agents read the task spec from it). Every other kind goes at once.
import type { Allocation, Evaluation, JobVersion } from '../../../api/schemas/index.ts';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { isClientTerminal, isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';
import type { SharedInformer } from '../../client/shared-informer.ts';
import { ALLOCS_BY_JOB } from '../runtime/indexes.ts';
import { evalPhase, TERMINAL_PHASES } from '../evaluator/model.ts';

/** What the readiness checks read. */
export interface CollectableDeps {
  allocations?: SharedInformer<Allocation>;
}

/** Whether `obj` (of `plural`) may be deleted now; false means wait for its next change. */
export function collectableNow(plural: string, obj: ApiObject, deps: CollectableDeps): boolean {
  switch (plural) {
    case 'allocations': {
      const a = obj as Allocation;
      return isClientTerminal(a.status?.clientStatus) || (!isLive(a) && (a.status?.clientStatus ?? 'pending') === 'pending');
    }
    case 'evaluations':
      return TERMINAL_PHASES.has(evalPhase(obj as Evaluation));
    case 'jobversions': {
      const v = obj as JobVersion;
      const allocs = deps.allocations?.byIndex(ALLOCS_BY_JOB, jobKeyOf(v)) ?? [];
      return !allocs.some((a) => isLive(a) && a.spec.jobVersion === v.spec.version);
    }
    default:
      return true;
  }
}
