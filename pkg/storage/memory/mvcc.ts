// The in-memory multi-version key space: etcd's MVCC model without raft. One global revision counter;
// every key keeps its versions (oldest first) until compaction; every change is also appended to an
// ordered event log that watches read from. A deleted key keeps a tombstone version (version 0) so
// reads at past revisions and watches see the delete.
import { StoreError, type Compare, type KeyValue, type ListOptions, type ListResult, type TxnOp, type WatchEvent } from '../store.ts';
import { KeySet } from './keyset.ts';

/** What one applied transaction changed. */
export interface Applied {
  /** Store revision after the txn (unchanged when nothing changed, as in etcd). */
  revision: number;
  /** Per op: the new state for puts, undefined for deletes. */
  written: Array<KeyValue | undefined>;
  /** The changes in op order (deletes of absent keys produce none). */
  changes: WatchEvent[];
}

/** etcd's key space: versions per key, a global revision, a change log, compaction. */
export class Mvcc {
  /** Revision of the last applied change; an empty store is at 1 like etcd. */
  revision = 1;
  /** Reads below this revision fail with 'Compacted'. */
  compactRevision = 0;
  /** Changes still watchable, ordered by modRevision (several per revision for a txn). */
  readonly events: WatchEvent[] = [];
  private readonly keys = new KeySet();
  private readonly history = new Map<string, KeyValue[]>();
  private pins = 0;
  private trimmedTo = 0;

  /** Live state of `key` after every applied change (tombstones read as absent). */
  latest(key: string): KeyValue | undefined {
    const hist = this.history.get(key);
    const last = hist?.[hist.length - 1];
    return last && last.version > 0 ? last : undefined;
  }

  /** State of `key` as of `revision` (caller checks the revision is retained). */
  at(key: string, revision: number): KeyValue | undefined {
    if (revision >= this.revision) return this.latest(key);
    const hist = this.history.get(key);
    if (!hist) return undefined;
    let lo = 0;
    let hi = hist.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hist[mid]!.modRevision <= revision) lo = mid + 1;
      else hi = mid;
    }
    const kv = hist[lo - 1];
    return kv && kv.version > 0 ? kv : undefined;
  }

  /** True when every compare holds against the latest state. */
  evaluate(compares: readonly Compare[]): boolean {
    return compares.every((c) => {
      const kv = this.latest(c.key);
      const actual = c.target === 'mod' ? (kv?.modRevision ?? 0) : (kv?.createRevision ?? 0);
      return actual === c.equals;
    });
  }

  /** Applies `ops` as one revision (compares already checked); bumps the revision only if something changed. */
  apply(ops: readonly TxnOp[]): Applied {
    const rev = this.revision + 1;
    const written: Array<KeyValue | undefined> = [];
    const changes: WatchEvent[] = [];
    for (const op of ops) {
      const prev = this.latest(op.key);
      if (op.type === 'put') {
        const kv = freezeKv(op.key, op.value, prev ? prev.createRevision : rev, rev, prev ? prev.version + 1 : 1);
        this.record(kv);
        written.push(kv);
        changes.push(prev ? Object.freeze({ type: 'put', kv, prevKv: prev }) : Object.freeze({ type: 'put', kv }));
      } else {
        written.push(undefined);
        if (!prev) continue; // etcd: deleting nothing is not a change
        const kv = freezeKv(op.key, prev.value, prev.createRevision, rev, 0);
        this.record(kv);
        changes.push(Object.freeze({ type: 'delete', kv, prevKv: prev }));
      }
    }
    if (changes.length > 0) {
      this.revision = rev;
      for (const c of changes) this.events.push(c);
    }
    return { revision: this.revision, written, changes };
  }

  /** Range read under `prefix` at `opts.revision` (default `visible`), never above `visible`. */
  range(prefix: string, opts: ListOptions, visible: number): ListResult {
    const rev = opts.revision && opts.revision > 0 ? opts.revision : visible;
    if (rev < this.compactRevision) throw compacted(rev, this.compactRevision);
    if (rev > visible) throw new StoreError('FutureRevision', `required revision ${rev} is a future revision (current ${visible})`);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const kvs: KeyValue[] = [];
    let more = false;
    for (const key of this.keys.range(prefix, opts.startKey ?? prefix)) {
      const kv = this.at(key, rev);
      if (!kv) continue;
      if (kvs.length >= limit) {
        more = true;
        break;
      }
      kvs.push(kv);
    }
    return { kvs, revision: rev, more };
  }

  /** Up to `max` live keys as of `revision`, from `fromKey` on (for snapshots, taken in pages). */
  page(fromKey: string, max: number, revision: number): { kvs: KeyValue[]; next?: string } {
    const keys = this.keys.slice('', fromKey, max);
    const kvs: KeyValue[] = [];
    for (const key of keys) {
      const kv = this.at(key, revision);
      if (kv) kvs.push(kv);
    }
    return { kvs, next: keys.length === max ? keys[keys.length - 1]! + '\u0000' : undefined };
  }

  /** Index of the first event with modRevision >= `revision`. */
  eventIndex(revision: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.kv.modRevision < revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops history before `revision` (caller validated it); deferred while a snapshot pins history. */
  compact(revision: number): void {
    this.compactRevision = Math.max(this.compactRevision, revision);
    if (this.pins === 0) this.trim();
  }

  /** Keeps versions readable until `unpin` (a snapshot reading an older revision page by page). */
  pin(): void {
    this.pins++;
  }

  /** Releases a `pin`, running any deferred compaction. */
  unpin(): void {
    this.pins--;
    if (this.pins === 0 && this.trimmedTo < this.compactRevision) this.trim();
  }

  /** Loads a snapshot entry (restore only: call before any `apply`). */
  restore(kv: KeyValue): void {
    this.record(freezeKv(kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version));
  }

  /**
   * Finishes a restore at `revision`: history before it is gone, so it becomes the compact revision.
   * Like etcd after compaction, the puts made exactly at the compact revision stay watchable.
   */
  restored(revision: number): void {
    this.revision = revision;
    this.compactRevision = revision;
    this.trimmedTo = revision;
    for (const key of this.keys.range('')) {
      const kv = this.latest(key);
      if (kv && kv.modRevision === revision) this.events.push(Object.freeze({ type: 'put', kv }));
    }
  }

  private record(kv: KeyValue): void {
    const hist = this.history.get(kv.key);
    if (hist) hist.push(kv);
    else {
      this.history.set(kv.key, [kv]);
      this.keys.add(kv.key);
    }
  }

  // etcd keeps, per key, the newest version at or below the compact revision unless it is a tombstone;
  // the event log keeps everything from the compact revision on, minus tombstones at it.
  private trim(): void {
    const c = this.compactRevision;
    const end = this.eventIndex(c + 1);
    const touched = new Set<string>();
    let keep = 0;
    for (let i = 0; i < end; i++) {
      const ev = this.events[i]!;
      touched.add(ev.kv.key);
      if (ev.kv.modRevision === c && ev.type === 'put') this.events[keep++] = ev;
    }
    this.events.splice(keep, end - keep);
    for (const key of touched) this.trimKey(key, c);
    this.trimmedTo = c;
  }

  private trimKey(key: string, c: number): void {
    const hist = this.history.get(key);
    if (!hist) return;
    let k = 0;
    while (k + 1 < hist.length && hist[k + 1]!.modRevision <= c) k++;
    if (hist[k]!.modRevision <= c && hist[k]!.version === 0) k++;
    if (k >= hist.length) {
      this.history.delete(key);
      this.keys.delete(key);
    } else if (k > 0) hist.splice(0, k);
  }
}

/** The 'Compacted' error for a read or watch at `revision`. */
export function compacted(revision: number, compactRevision: number): StoreError {
  return new StoreError('Compacted', `required revision ${revision} has been compacted (compact revision ${compactRevision})`);
}

function freezeKv(key: string, value: string, createRevision: number, modRevision: number, version: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision, version });
}
