// Serving one page of a list: from the current state, from the state at a past revision rebuilt by undoing
// buffered events, or from the store at that revision when the buffer does not reach back that far.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { apiError, expired } from '../../apierrors/status.ts';
import type { KeyValue, Store } from '../../storage/store.ts';
import { isStoreError } from '../../storage/store.ts';
import type { CacheState } from './cache-state.ts';
import { keyAfter } from './sorted-index.ts';
import type { CacheListResult } from './types.ts';

/** A list request with its key range resolved: keys in [start, end) under `prefix`. */
export interface PageRequest {
  prefix: string;
  start: string;
  end: string;
  filter?: (o: ApiObject) => boolean;
  limit: number;
}

/** Collects matching objects in key order until the page is full and one more key proves there is more. */
class PageCollector {
  readonly items: ApiObject[] = [];
  nextKey?: string;
  private lastKey = '';

  constructor(private readonly req: PageRequest) {}

  /** Offer the object at `key`; false when the page is complete. */
  visit(key: string, obj: ApiObject): boolean {
    if (this.req.limit > 0 && this.items.length >= this.req.limit) {
      this.nextKey = keyAfter(this.lastKey);
      return false;
    }
    if (!this.req.filter || this.req.filter(obj)) {
      this.items.push(obj);
      this.lastKey = key;
    }
    return true;
  }
}

/** A page of the current state. O(page) without a filter: the index seeks to `start` and counts the rest. */
export function pageNow(state: CacheState, req: PageRequest): CacheListResult {
  const page = new PageCollector(req);
  state.index.walk(req.start, (c) => c.key < req.end && page.visit(c.key, c.obj));
  const out: CacheListResult = { items: page.items, rv: state.rev };
  if (page.nextKey !== undefined) {
    out.nextKey = page.nextKey;
    if (!req.filter) out.remaining = state.index.countRange(page.nextKey, req.end);
  }
  return out;
}

/**
 * A page of the state at `rv` (windowStart <= rv <= state.rev): the current state with every buffered change
 * after `rv` in the range undone. Costs O(events since rv + page).
 */
export function pageAt(state: CacheState, rv: number, req: PageRequest): CacheListResult {
  const undo = new Map<string, ApiObject | null>(); // key → state at rv (null = absent)
  const buf = state.buffer;
  for (let seq = buf.seqAfter(rv); seq < buf.endSeq; seq++) {
    const e = buf.at(seq)!;
    if (e.key < req.start || e.key >= req.end || undo.has(e.key)) continue;
    undo.set(e.key, e.type === 'ADDED' ? null : (e.prev ?? null));
  }
  const undoKeys = [...undo.keys()].sort();
  const page = new PageCollector(req);
  let u = 0;
  // Offers undone keys sorting before `key`; false once the page is complete.
  const flushBefore = (key: string | undefined): boolean => {
    for (; u < undoKeys.length && (key === undefined || undoKeys[u] < key); u++) {
      const o = undo.get(undoKeys[u]);
      if (o && !page.visit(undoKeys[u], o)) return false;
    }
    return true;
  };
  let open = true;
  state.index.walk(req.start, (c) => {
    if (c.key >= req.end) return false;
    open = flushBefore(c.key);
    if (!open) return false;
    if (undoKeys[u] === c.key) {
      const o = undo.get(undoKeys[u++]);
      open = o ? page.visit(c.key, o) : true;
    } else {
      open = page.visit(c.key, c.obj);
    }
    return open;
  });
  if (open) flushBefore(undefined);
  const out: CacheListResult = { items: page.items, rv };
  if (page.nextKey !== undefined) {
    out.nextKey = page.nextKey;
    if (!req.filter) out.remaining = remainingAt(state, undo, page.nextKey, req.end);
  }
  return out;
}

/** Keys in [from, to) at the rewound revision: the current count corrected by the undone changes. */
function remainingAt(state: CacheState, undo: Map<string, ApiObject | null>, from: string, to: string): number {
  let n = state.index.countRange(from, to);
  for (const [key, o] of undo) {
    if (key < from || key >= to) continue;
    n += (o ? 1 : 0) - (state.objects.has(key) ? 1 : 0);
  }
  return n;
}

/** A page read from the store at `rv` (for revisions older than the buffer): 410 Expired once compacted. */
export async function pageFromStore(
  store: Store,
  decode: (kv: KeyValue) => ApiObject,
  rv: number,
  req: PageRequest,
  pageSize: number,
): Promise<CacheListResult> {
  const page = new PageCollector(req);
  let startKey = req.start;
  try {
    for (;;) {
      const res = await store.list(req.prefix, { revision: rv, limit: pageSize, startKey });
      let open = true;
      for (const kv of res.kvs) {
        if (kv.key < req.start || kv.key >= req.end) continue;
        if (!(open = page.visit(kv.key, decode(kv)))) break;
      }
      if (!open || !res.more || res.kvs.length === 0) break;
      startKey = keyAfter(res.kvs[res.kvs.length - 1].key);
    }
  } catch (err) {
    if (isStoreError(err, 'Compacted')) throw expired(`too old resource version: ${rv}`);
    if (isStoreError(err, 'FutureRevision')) throw apiError('Timeout', `Too large resource version: ${rv}`, { retryAfterSeconds: 1 });
    throw err;
  }
  const out: CacheListResult = { items: page.items, rv };
  if (page.nextKey !== undefined) out.nextKey = page.nextKey;
  return out;
}
