// Ownership for ordinary writes (create, update, json/merge patch): the writer takes every field it changed.
import type { ApiObject, ManagedFieldsEntry } from '../../../api/schemas/kind.ts';
import { DEFAULT_LIST_RULES, type ListRules } from './lists.ts';
import { decodeManagers, encodeManagers, isManager, newEntry, withFields, type Manager } from './managers.ts';
import { compareObjects } from './walk.ts';

/** Input of recordUpdate. */
export interface UpdateRequest {
  /** The stored object; absent on create. Its managedFields are the starting point. */
  live?: ApiObject;
  /** The object about to be stored (after defaulting and status/spec resets). */
  updated: ApiObject;
  /** The fieldManager query parameter, or managerFromUserAgent(User-Agent). */
  manager: string;
  /** Timestamp for the manager's entry (RFC 3339). */
  now: string;
  /** `status` when writing through /status. */
  subresource?: string;
  /** List merge rules; default DEFAULT_LIST_RULES. */
  listRules?: ListRules;
}

/**
 * The managedFields to store with `updated`: `manager` gets an Update entry owning the fields this write
 * added or changed (merged with what it owned before), every other entry loses them and the removed fields,
 * and entries left empty are dropped. A write that changes nothing returns the entries unchanged.
 */
export function recordUpdate(req: UpdateRequest): ManagedFieldsEntry[] {
  const rules = req.listRules ?? DEFAULT_LIST_RULES;
  const cmp = compareObjects(req.live ?? {}, req.updated, rules);
  const taken = cmp.modified.union(cmp.added);
  const managers = decodeManagers(req.live?.metadata.managedFields);
  // As in Kubernetes the writer's own earlier entry is treated like any other, then reunited with this write.
  const reduced = managers.map((m) => withFields(m, m.fields.difference(taken).difference(cmp.removed)));
  const selfIndex = managers.findIndex((m) => isManager(m.entry, req.manager, 'Update', req.subresource));
  if (taken.isEmpty()) return encodeManagers(reduced);
  const previous = selfIndex >= 0 ? reduced[selfIndex].fields : undefined;
  const mine: Manager = newEntry(req.manager, 'Update', req.updated.apiVersion, req.now, previous ? previous.union(taken) : taken, req.subresource);
  return encodeManagers([...reduced.filter((_, i) => i !== selfIndex), mine]);
}
