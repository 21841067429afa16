// The core group's write rules, as kube-apiserver's strategies apply them: a Secret's write-only stringData is
// merged into data (base64-encoded, winning over data) and never stored; immutable ConfigMaps and Secrets keep
// their data; a Secret's type never changes. Built into every API server, like the allocation guard.
import type { ApiObject } from '../../api/schemas/kind.ts';
import type { StatusCause } from '../apierrors/status.ts';
import type { AdmissionHook } from './admission.ts';
import { deepEqual } from './codec.ts';

type Flat = ApiObject & Record<string, unknown>;

/** Merges `stringData` into `data` (stringData wins on a shared key) and removes it, as Kubernetes' conversion does. */
export function mergeStringData(secret: Flat): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData === undefined) return;
  const data = { ...((secret.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  secret.data = data;
  delete secret.stringData;
}

const forbidden = (field: string, why: string): StatusCause => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${why}` });

/** Causes for changing an immutable ConfigMap or Secret's payload. */
function immutableCauses(obj: Flat, old: Flat, payload: string[]): StatusCause[] {
  if (old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (obj.immutable !== true) causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of payload) if (!deepEqual(obj[f], old[f])) causes.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return causes;
}

/** The admission hook of ConfigMap and Secret. */
export const coreObjectRules: AdmissionHook = {
  kinds: ['ConfigMap', 'Secret'],
  mutate(_op, obj) {
    if (obj.kind === 'Secret') mergeStringData(obj as Flat);
  },
  validate(op, obj, old) {
    if (op !== 'UPDATE' || !old) return [];
    const o = obj as Flat;
    const prev = old as Flat;
    if (o.kind === 'ConfigMap') return immutableCauses(o, prev, ['data', 'binaryData']);
    const causes = immutableCauses(o, prev, ['data']);
    if (o.type !== prev.type) causes.push({ reason: 'FieldValueInvalid', field: 'type', message: `Invalid value: ${JSON.stringify(o.type)}: field is immutable` });
    return causes;
  },
};
