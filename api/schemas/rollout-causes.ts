// The update-block fields only service-job deployments honour: refused on other job types at admission (422
// naming the field) rather than silently ignored. System jobs roll out node by node within maxParallel, without
// a Deployment (pkg/controllers/deployment), so canaries and revert do not apply to them yet.
import type { StatusCause } from '../../pkg/apierrors/status.ts';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Causes for deployment-only values in one update block at `path` of a job of type `type`. */
export function updateBlockCauses(update: unknown, path: string, type: unknown): StatusCause[] {
  if (!isObj(update) || (type ?? 'service') === 'service') return [];
  const causes: StatusCause[] = [];
  const forbid = (field: string, value: unknown) =>
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: only service jobs are rolled out by a deployment (canaries, promotion, revert)`, field: `${path}.${field}` });
  if (typeof update.canary === 'number' && update.canary > 0) forbid('canary', update.canary);
  if (update.autoPromote === true) forbid('autoPromote', true);
  if (update.autoRevert === true) forbid('autoRevert', true);
  return causes;
}
