// The update-block fields a job type's rollout does not honour: refused at admission (422 naming the field)
// rather than silently ignored. Service jobs have them all. System jobs have a Deployment (node by node within
// maxParallel, health-gated, progressDeadline, autoRevert) but no canaries: one allocation per node leaves no
// room beside the old one (Nomad 1.11's percentage canaries are not built). Batch and sysbatch jobs have no
// Deployment at all.
import type { StatusCause } from '../../pkg/apierrors/status.ts';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Causes for deployment-only values in one update block at `path` of a job of type `type`. */
export function updateBlockCauses(update: unknown, path: string, type: unknown): StatusCause[] {
  const t = type ?? 'service';
  if (!isObj(update) || t === 'service') return [];
  const causes: StatusCause[] = [];
  const why = t === 'system' ? 'system jobs have no canaries (one allocation per node)' : 'only service and system jobs are rolled out by a deployment (canaries, promotion, revert)';
  const forbid = (field: string, value: unknown) =>
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: ${why}`, field: `${path}.${field}` });
  if (typeof update.canary === 'number' && update.canary > 0) forbid('canary', update.canary);
  if (update.autoPromote === true) forbid('autoPromote', true);
  if (update.autoRevert === true && t !== 'system') forbid('autoRevert', true);
  return causes;
}
