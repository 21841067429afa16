// The update-block fields Drover accepts in the schema but does not honour yet: refused at admission (422 naming
// the field) rather than silently ignored. Remove a check here when the field is implemented.
import type { StatusCause } from '../../pkg/apierrors/status.ts';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Causes for unsupported values in one update block at `path` (spec.update or spec.groups[i].update). */
export function updateBlockCauses(update: unknown, path: string): StatusCause[] {
  if (!isObj(update)) return [];
  const causes: StatusCause[] = [];
  if (typeof update.canary === 'number' && update.canary > 0) {
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${update.canary}: canary deployments are not supported yet; use 0`, field: `${path}.canary` });
  }
  if (update.autoPromote === true) {
    causes.push({ reason: 'FieldValueNotSupported', message: 'Unsupported value: true: autoPromote needs canaries, which are not supported yet', field: `${path}.autoPromote` });
  }
  return causes;
}
