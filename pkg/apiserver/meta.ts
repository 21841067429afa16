// Server-owned metadata, as apiserver's BeforeCreate/BeforeUpdate handle it: uid, generation, timestamps and
// deletion fields are the server's; client-supplied values are overwritten. Status is written only through
// /status for kinds that have that subresource.
import { randomInt, randomUUID } from 'node:crypto';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { rfc3339 } from '../../api/schemas/timestamp.ts';
import type { StatusCause } from '../apierrors/status.ts';
import { clone, deepEqual } from './codec.ts';
import { specFinalizers } from './namespace-lifecycle.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Causes for an invalid metadata.name (DNS-1123 subdomain, or a path segment for RBAC kinds; at most 253 characters). */
export function nameCauses(name: string | undefined, kind?: Pick<KindInfo, 'pathSegmentNames'>): StatusCause[] {
  if (name === undefined || name === '') {
    return [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  }
  if (name.length > 253) {
    return [{ reason: 'FieldValueTooLong', field: 'metadata.name', message: 'Too long: may not be more than 253 bytes' }];
  }
  if (kind?.pathSegmentNames) {
    if (name !== '.' && name !== '..' && !/[/%]/.test(name)) return [];
    return [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: may not be '.' or '..' and may not contain '/' or '%'` }];
  }
  if (!DNS_SUBDOMAIN.test(name)) {
    return [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: ${DNS_SUBDOMAIN_MESSAGE}` }];
  }
  return [];
}

// apimachinery's SimpleNameGenerator alphabet: no vowels (no words), no confusable characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` plus five random characters, the base cut to 58 characters as Kubernetes does. */
export function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix.slice(0, 58) + suffix;
}

/** Stamp a new object with server-owned metadata; drop status for kinds that write it only via /status. */
export function prepareForCreate(kind: KindInfo, obj: ApiObject, nowMs: number): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.generation = 1;
  m.creationTimestamp = rfc3339(nowMs);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  if (!m.name && m.generateName) m.name = generatedName(m.generateName);
  if (kind.hasStatus) delete obj.status;
}

/**
 * Merge a client's new version with the stored one: server-owned fields come from `old`; through the main
 * resource status is kept from `old` (hasStatus kinds); through /status only status changes. Returns causes
 * for changes Kubernetes forbids (new finalizers on an object being deleted).
 */
export function prepareForUpdate(kind: KindInfo, old: ApiObject, next: ApiObject, subresource?: string): { obj: ApiObject; causes: StatusCause[] } {
  if (subresource === 'status') {
    const obj = clone(old);
    if (next.status === undefined) delete obj.status;
    else obj.status = next.status;
    if (next.metadata.managedFields !== undefined) obj.metadata.managedFields = next.metadata.managedFields;
    obj.metadata.resourceVersion = next.metadata.resourceVersion;
    return { obj, causes: [] };
  }
  const obj = next;
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation ?? 1;
  setOrDelete(m, 'deletionTimestamp', o.deletionTimestamp);
  setOrDelete(m, 'deletionGracePeriodSeconds', o.deletionGracePeriodSeconds);
  delete m.generateName;
  if (o.generateName !== undefined) m.generateName = o.generateName;
  if (kind.hasStatus) {
    if (old.status === undefined) delete obj.status;
    else obj.status = clone(old.status);
  }
  return { obj, causes: finalizerCauses(old, obj) };
}

/** Bump metadata.generation when the spec changed (run after defaulting, so defaults alone never bump it). */
export function bumpGeneration(old: ApiObject, obj: ApiObject): void {
  const base = old.metadata.generation ?? 1;
  obj.metadata.generation = deepEqual(old.spec, obj.spec) ? base : base + 1;
}

function finalizerCauses(old: ApiObject, next: ApiObject): StatusCause[] {
  if (!old.metadata.deletionTimestamp) return [];
  const had = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !had.has(f));
  return added.length === 0
    ? []
    : [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }];
}

function setOrDelete<K extends keyof ApiObject['metadata']>(m: ApiObject['metadata'], key: K, value: ApiObject['metadata'][K] | undefined): void {
  if (value === undefined) delete m[key];
  else m[key] = value;
}

/** True when the object is marked for deletion and no finalizer holds it (a Namespace's spec.finalizers too). */
export function readyToRemove(obj: ApiObject): boolean {
  return !!obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0 && specFinalizers(obj).length === 0;
}

/**
 * True when writing `next` over `old` would change nothing but managedFields timestamps, so the write is
 * skipped and no new revision is made (apiserver's no-op update).
 */
export function isNoopUpdate(old: ApiObject, next: ApiObject): boolean {
  const strip = (o: ApiObject) => {
    const { resourceVersion: _rv, managedFields, ...meta } = o.metadata;
    return { ...o, metadata: { ...meta, managedFields: managedFields?.map(({ time: _t, ...rest }) => rest) } };
  };
  return deepEqual(strip(old), strip(next));
}
