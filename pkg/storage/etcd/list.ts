// Range reads in pages. The gRPC client refuses any response over 4 MiB, and etcd has no byte limit on
// a range, so one read of a big prefix can fail however small the caller's limit. Pages are sized from
// the largest key+value seen so far; a refused page is retried smaller. Every page after the first is
// read at the first page's revision, so the pages form one consistent snapshot.
import type { IKeyValue, KVClient } from 'etcd3';
import { isResponseTooLarge, oversizeRatio } from './errors.ts';

/** Bytes a page aims for: half of gRPC's 4 MiB default, leaving room for framing and misjudged sizes. */
const PAGE_BUDGET_BYTES = 2 * 1024 * 1024;
const MAX_PAGE_KEYS = 1000;

/** Page size remembered across reads of one store (values under one prefix tend to be alike). */
export class PageSizer {
  size = 64;

  /** Adjusts the page size from a page's largest entry. */
  observe(kvs: readonly IKeyValue[]): void {
    let largest = 0;
    for (const kv of kvs) largest = Math.max(largest, kv.key.length + kv.value.length + 64);
    if (largest > 0) this.size = clamp(Math.floor(PAGE_BUDGET_BYTES / largest), 1, MAX_PAGE_KEYS);
  }

  /** A page of `tried` keys was refused: shrink, by the reported overshoot when known. */
  refused(tried: number, err: unknown): void {
    const ratio = oversizeRatio(err);
    this.size = clamp(ratio ? Math.floor(tried / (ratio * 2)) : Math.floor(tried / 2), 1, MAX_PAGE_KEYS);
  }
}

/** What to read. */
export interface RangeRequest {
  start: Buffer;
  end: Buffer;
  /** 0 = current (the first page's header revision is then used for every page). */
  revision: number;
  /** 0 = everything. */
  limit: number;
}

/** Reads [start, end) at one revision in pages; `more` is true when keys beyond the limit remain. */
export async function rangePaged(kv: KVClient, req: RangeRequest, sizer: PageSizer): Promise<{ kvs: IKeyValue[]; revision: number; more: boolean }> {
  const kvs: IKeyValue[] = [];
  let revision = req.revision;
  let start = req.start;
  for (;;) {
    const want = req.limit > 0 ? Math.min(sizer.size, req.limit - kvs.length) : sizer.size;
    let res;
    try {
      res = await kv.range({ key: start, range_end: req.end, limit: want, revision });
    } catch (err) {
      if (isResponseTooLarge(err) && want > 1) {
        sizer.refused(want, err);
        continue;
      }
      throw err;
    }
    if (revision === 0) revision = Number(res.header.revision);
    sizer.observe(res.kvs);
    kvs.push(...res.kvs);
    if (!res.more || res.kvs.length === 0) return { kvs, revision, more: false };
    if (req.limit > 0 && kvs.length >= req.limit) return { kvs, revision, more: true };
    start = Buffer.concat([res.kvs[res.kvs.length - 1]!.key, Buffer.from([0])]);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
