// managedFields entries: identity, decoding to field sets, canonical order, and the conflict error.
import type { ManagedFieldsEntry } from '../../../api/schemas/kind.ts';
import { apiError, type ApiError, type StatusCause } from '../../apierrors/status.ts';
import { FieldSet, pathToString, type FieldPath } from './fieldset.ts';

/** A managedFields entry with its decoded field set. */
export interface Manager {
  entry: ManagedFieldsEntry;
  fields: FieldSet;
}

/** Decode an object's managedFields. */
export function decodeManagers(entries: ManagedFieldsEntry[] | undefined): Manager[] {
  return (entries ?? []).map((entry) => ({ entry, fields: FieldSet.fromFieldsV1(entry.fieldsV1) }));
}

/**
 * Whether an entry belongs to `manager` writing with `operation` through `subresource`. As in Kubernetes the
 * apiVersion is not part of an applier's identity; Drover serves one version, so it is ignored throughout.
 */
export function isManager(e: ManagedFieldsEntry, manager: string, operation: ManagedFieldsEntry['operation'], subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
}

/** An entry owning `fields`; the original entry object is reused when its fields did not change. */
export function withFields(m: Manager, fields: FieldSet): Manager {
  if (fields.equals(m.fields)) return m;
  return { entry: { ...m.entry, fieldsV1: fields.toFieldsV1() }, fields };
}

/** A new entry. */
export function newEntry(manager: string, operation: ManagedFieldsEntry['operation'], apiVersion: string, time: string, fields: FieldSet, subresource?: string): Manager {
  const entry: ManagedFieldsEntry = { manager, operation, apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: fields.toFieldsV1() };
  if (subresource) entry.subresource = subresource;
  return { entry, fields };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Encode entries in Kubernetes' order (Apply before Update, then time, manager, subresource), dropping empty ones. */
export function encodeManagers(ms: Manager[]): ManagedFieldsEntry[] {
  return ms
    .filter((m) => !m.fields.isEmpty())
    .map((m) => m.entry)
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        cmp(p.time ?? '', q.time ?? '') ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? '', q.subresource ?? ''),
    );
}

/** How Kubernetes names a manager in a conflict: `"kubectl" with subresource "status" using drover.dev/v1`. */
export function describeManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** One field another manager owns and an apply would change. */
export interface Conflict {
  manager: ManagedFieldsEntry;
  path: FieldPath;
}

/** 409 Conflict with a FieldManagerConflict cause per field, worded as Kubernetes' apply conflicts. */
export function conflictError(conflicts: Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathToString(c.path),
  }));
  if (conflicts.length === 1) {
    const [c] = conflicts;
    return apiError('Conflict', `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathToString(c.path)}`, { causes });
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const who = describeManager(c.manager);
    byManager.set(who, [...(byManager.get(who) ?? []), pathToString(c.path)]);
  }
  const lines: string[] = [];
  for (const who of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${who}:`, ...byManager.get(who)!.map((p) => `- ${p}`));
  }
  return apiError('Conflict', `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, { causes });
}

/** The default manager name for a non-apply write: the User-Agent up to its first "/", as Kubernetes does. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const name = (userAgent ?? '').split('/')[0].trim();
  return name === '' ? 'unknown' : name.slice(0, 128);
}

/** Check a request's fieldManager: required for apply, at most 128 characters; 422 Invalid otherwise. */
export function checkFieldManager(manager: string | undefined, apply: boolean): void {
  if (apply && !manager) {
    throw apiError('Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
      causes: [{ reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }],
    });
  }
  if (manager !== undefined && manager.length > 128) {
    throw apiError('Invalid', 'fieldManager: Too long: may not be more than 128 bytes', {
      causes: [{ reason: 'FieldValueTooLong', field: 'fieldManager', message: 'Too long: may not be more than 128 bytes' }],
    });
  }
}
