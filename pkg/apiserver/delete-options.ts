// DeleteOptions from the body (kubectl and client-go send one) and the query string, validated strictly.
import { badRequest, invalid, type StatusCause } from '../apierrors/status.ts';
import { decodeObjectBody } from './content.ts';
import { queryParam, queryParams, type RawQuery } from './options.ts';

/** How the dependents (ownerReferences) of a deleted object are treated. */
export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** The finalizers through which the garbage collector carries out Foreground and Orphan deletes (Kubernetes' names). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The DeleteOptions Drover honours. */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  /**
   * Orphan | Background | Foreground (from propagationPolicy, or the legacy orphanDependents). Foreground and Orphan
   * mark the object with the `foregroundDeletion` / `orphan` finalizer, which the garbage collector
   * (pkg/controllers/gc) honours; undefined is Background unless the object is already marked.
   */
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  dryRun: boolean;
}

const FIELDS = new Set(['kind', 'apiVersion', 'gracePeriodSeconds', 'preconditions', 'orphanDependents', 'propagationPolicy', 'dryRun', 'ignoreStoreReadErrorWithClusterBreakingPotential']);
const POLICIES = ['Orphan', 'Background', 'Foreground'];

/** Parse the DeleteOptions of a DELETE request. */
export function parseDeleteOptions(body: unknown, contentType: string | undefined, q: RawQuery): DeleteOptions {
  const raw = (decodeObjectBody(body, contentType) ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('DeleteOptions must be a JSON object');
  for (const k of Object.keys(raw)) if (!FIELDS.has(k)) throw badRequest(`strict decoding error: unknown field "${k}" in DeleteOptions`);
  if (raw.kind !== undefined && raw.kind !== 'DeleteOptions') throw badRequest(`the kind in the data (${String(raw.kind)}) does not match the expected kind (DeleteOptions)`);
  const causes: StatusCause[] = [];
  const pre = raw.preconditions as Record<string, unknown> | undefined | null;
  if (pre !== undefined && pre !== null && (typeof pre !== 'object' || Object.keys(pre).some((k) => k !== 'uid' && k !== 'resourceVersion'))) {
    causes.push({ reason: 'FieldValueInvalid', field: 'preconditions', message: 'Invalid value: must be an object with uid and/or resourceVersion' });
  }
  const policy = (raw.propagationPolicy as string | undefined) ?? queryParam(q, 'propagationPolicy');
  if (policy !== undefined && !POLICIES.includes(policy)) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Orphan", "Background", "Foreground"` });
  }
  const orphanRaw = raw.orphanDependents ?? queryParam(q, 'orphanDependents');
  const orphan = orphanRaw === undefined || orphanRaw === null ? undefined : orphanRaw === true || orphanRaw === 'true' ? true : orphanRaw === false || orphanRaw === 'false' ? false : orphanRaw;
  if (orphan !== undefined && typeof orphan !== 'boolean') {
    causes.push({ reason: 'FieldValueInvalid', field: 'orphanDependents', message: `Invalid value: ${JSON.stringify(orphanRaw)}: must be a boolean` });
  } else if (orphan !== undefined && policy !== undefined) {
    causes.push({ reason: 'FieldValueInvalid', field: 'orphanDependents', message: 'Invalid value: orphanDependents and propagationPolicy cannot both be set' });
  }
  const graceRaw = raw.gracePeriodSeconds ?? queryParam(q, 'gracePeriodSeconds');
  const grace = graceRaw === undefined ? undefined : Number(graceRaw);
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
    causes.push({ reason: 'FieldValueInvalid', field: 'gracePeriodSeconds', message: `Invalid value: ${JSON.stringify(graceRaw)}: must be a non-negative integer` });
  }
  const dryRun = [...(Array.isArray(raw.dryRun) ? (raw.dryRun as unknown[]) : raw.dryRun === undefined ? [] : [raw.dryRun]), ...queryParams(q, 'dryRun')];
  dryRun.forEach((v, i) => {
    if (v !== 'All') causes.push({ reason: 'FieldValueNotSupported', field: `dryRun[${i}]`, message: `Unsupported value: ${JSON.stringify(v)}: supported values: "All"` });
  });
  if (causes.length > 0) throw invalid({ kindName: 'DeleteOptions', group: 'meta.k8s.io', name: '' }, causes);
  const preconditions = pre ? { uid: pre.uid as string | undefined, resourceVersion: pre.resourceVersion as string | undefined } : undefined;
  const propagationPolicy = (policy as PropagationPolicy | undefined) ?? (orphan === true ? 'Orphan' : orphan === false ? 'Background' : undefined);
  return { preconditions, propagationPolicy, gracePeriodSeconds: grace, dryRun: dryRun.length > 0 };
}
