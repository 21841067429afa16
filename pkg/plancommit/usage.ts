// The node usage record: one small key per node that every placement on the node compare-and-swaps. It is the
// serialization point of plan commits (two commits touching one node cannot both succeed from the same
// revision); its totals are what the last commit computed, kept for operators and debugging — the truth is
// recomputed from the node's live allocations at every commit (see README.md).
import { REGISTRY_ROOT } from '../apiserver/codec.ts';
import type { Resources } from '../scheduler/structs.ts';

/** Key prefix of the usage records. */
export const USAGE_PREFIX = `${REGISTRY_ROOT}nodeusage/`;

/** The store key of a node's usage record. */
export function usageKey(node: string): string {
  return USAGE_PREFIX + node;
}

/** The stored record. */
export interface UsageRecord {
  node: string;
  /** Resources held by the node's live allocations after the last commit. */
  used: Resources;
  /** Host ports held, ascending. */
  ports: number[];
  /** Live allocations after the last commit. */
  allocs: number;
  /** The allocation revision the totals were computed at. */
  revision: number;
  /** The evaluation whose plan wrote the record last. */
  evaluation: string;
}

/** Serialize a record. */
export function encodeUsage(r: UsageRecord): string {
  return JSON.stringify(r);
}

/** Parse a record (undefined for a value that is not one). */
export function decodeUsage(value: string): UsageRecord | undefined {
  try {
    const r = JSON.parse(value) as UsageRecord;
    return typeof r === 'object' && r !== null && typeof r.node === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}
