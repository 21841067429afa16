// Server-side apply (`application/apply-patch+yaml`): merge a manager's configuration into the live object,
// drop what it stopped stating, detect conflicts with other managers, and record its ownership.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { assertSafeKeys } from '../patch/safe-keys.ts';
import { jsonEqual } from '../patch/merge-patch.ts';
import { FieldSet } from './fieldset.ts';
import { DEFAULT_LIST_RULES, type ListRules } from './lists.ts';
import { conflictError, decodeManagers, encodeManagers, isManager, newEntry, withFields, type Conflict, type Manager } from './managers.ts';
import { dropNulls, mergeApplied, removeFields } from './merge.ts';
import { compareObjects, fieldsOf, UNOWNED_META } from './walk.ts';

/** Input of applyPatch. */
export interface ApplyRequest {
  /** The stored object; absent when the apply creates it. */
  live?: ApiObject;
  /** The manager's configuration (the request body). */
  applied: ApiObject;
  /** The fieldManager query parameter. */
  manager: string;
  /** `force=true`: take conflicting fields from other managers instead of failing. */
  force: boolean;
  /** Timestamp for the manager's entry (RFC 3339). */
  now: string;
  /** `status` when applying through /status. */
  subresource?: string;
  /**
   * Top-level fields of `applied` to ignore, like Kubernetes' ResetFieldsStrategy: the caller passes
   * `['status']` for the main resource of a kind with a /status subresource. Default: `['spec']` through
   * /status, none otherwise.
   */
  resetFields?: string[];
  /** List merge rules; default DEFAULT_LIST_RULES. */
  listRules?: ListRules;
}

// The configuration as owned: no server-owned metadata, no reset fields. Name and namespace stay (they are
// set, just not owned) along with apiVersion and kind.
function configOf(applied: ApiObject, reset: string[]): Record<string, unknown> {
  const config = structuredClone(applied) as unknown as Record<string, unknown>;
  for (const f of reset) delete config[f];
  const meta = config.metadata as Record<string, unknown> | undefined;
  if (meta) for (const f of UNOWNED_META) if (f !== 'name' && f !== 'namespace') delete meta[f];
  return config;
}

function withoutManagedFields(obj: ApiObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const copy = structuredClone(obj) as unknown as Record<string, unknown>;
  delete (copy.metadata as Record<string, unknown> | undefined)?.managedFields;
  return copy;
}

/**
 * Apply `applied` for `manager` and return the resulting object with its managedFields. Throws 409 Conflict
 * (causes of reason FieldManagerConflict) when another manager owns a field the configuration changes, unless
 * `force`; 400 BadRequest for a `__proto__` key. Re-applying an unchanged configuration returns an object
 * deep-equal to `live`, so the caller can skip the write.
 */
export function applyPatch(req: ApplyRequest): ApiObject {
  assertSafeKeys(req.applied, 'applied configuration');
  const rules = req.listRules ?? DEFAULT_LIST_RULES;
  const config = configOf(req.applied, req.resetFields ?? (req.subresource === 'status' ? ['spec'] : []));
  const live = withoutManagedFields(req.live);
  const managers = decodeManagers(req.live?.metadata.managedFields);
  const self = managers.find((m) => isManager(m.entry, req.manager, 'Apply', req.subresource));
  const others = managers.filter((m) => m !== self);
  const appliedSet = fieldsOf(config, rules);

  const merged = mergeApplied(live, config, undefined, rules) as Record<string, unknown>;
  const lastSet = self?.fields ?? new FieldSet();
  const keep = others.reduce((acc, m) => acc.union(m.fields), appliedSet);
  removeFields(merged, lastSet.difference(appliedSet), keep, rules);

  // Conflicts are fields others own that this apply adds or changes; an equal value is shared ownership.
  const cmp = compareObjects(live, merged, rules);
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  const taken = new Map<Manager, FieldSet>();
  for (const m of others) {
    const lost = m.fields.intersection(changed);
    if (lost.isEmpty()) continue;
    taken.set(m, lost);
    for (const path of lost.paths()) conflicts.push({ manager: m.entry, path });
  }
  if (conflicts.length > 0 && !req.force) throw conflictError(conflicts);

  dropNulls(merged);
  const changedObject = !jsonEqual(live, merged);
  const updatedOthers = others.map((m) => withFields(m, m.fields.difference(taken.get(m) ?? new FieldSet()).difference(cmp.removed)));
  // The entry's time moves only when something happened, so an unchanged re-apply is a true no-op.
  const keepTime = self !== undefined && !changedObject && self.fields.equals(appliedSet);
  const mine = keepTime ? self : newEntry(req.manager, 'Apply', req.applied.apiVersion, req.now, appliedSet, req.subresource);

  const result = merged as unknown as ApiObject;
  const managedFields = encodeManagers([mine, ...updatedOthers]);
  if (managedFields.length > 0) result.metadata.managedFields = managedFields;
  else delete result.metadata.managedFields;
  return result;
}
