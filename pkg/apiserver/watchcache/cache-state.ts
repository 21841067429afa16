// The cache's data: current objects (a map for get, a sorted index for lists, sharing the same entries), the
// event history, and the revisions that say what both reflect. Mutated only by the reflector, synchronously.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import type { Logger } from '../../log/logger.ts';
import type { KeyValue, WatchEvent } from '../../storage/store.ts';
import { atEventRv, withRv } from './convert.ts';
import { eventRvs } from './event-rv.ts';
import { EventBuffer } from './event-buffer.ts';
import { SortedIndex } from './sorted-index.ts';
import type { CachedObject, CacheEvent } from './types.ts';

/** A relist read: the store's objects at `rev`, decoded only where they differ from the cache. */
export interface RelistSnapshot {
  rev: number;
  /** Every key present at `rev`. */
  keys: Set<string>;
  /** Objects that are new or changed relative to the cache when they were read. */
  changed: CachedObject[];
}

/** Objects, history and revisions of one kind. */
export class CacheState {
  readonly objects = new Map<string, CachedObject>();
  readonly index = new SortedIndex<CachedObject>();
  readonly buffer = new EventBuffer();
  /** Highest store revision reflected (events or progress). */
  rev = 0;
  /** The buffer holds every event with rv > windowStart. */
  windowStart = 0;
  /**
   * The last relist revision (0: none). Events at or below it may be synthetic relist differences, numbered
   * within their revision unlike the store's history: a resume from inside such a revision cannot be trusted.
   */
  relistRev = 0;

  constructor(
    private readonly decode: (kv: KeyValue) => ApiObject,
    private readonly logger: Logger,
  ) {}

  /** An entry for a stored key-value, or undefined (logged) when it does not decode. */
  entry(kv: KeyValue): CachedObject | undefined {
    let obj: ApiObject;
    try {
      obj = this.decode(kv);
    } catch (err) {
      this.logger.error('watch cache: cannot decode stored object, skipping it', { key: kv.key, rv: kv.modRevision, err });
      return undefined;
    }
    return { key: kv.key, obj, rv: kv.modRevision, namespace: obj.metadata?.namespace, name: obj.metadata?.name };
  }

  /** Add one page of the initial list (no events: nobody watches before the cache is synced). */
  load(kvs: KeyValue[]): void {
    for (const kv of kvs) {
      const e = this.entry(kv);
      if (e) this.put(e);
    }
  }

  /** Mark the initial list complete at `rev`: history starts here. */
  loaded(rev: number): void {
    this.rev = rev;
    this.windowStart = rev;
  }

  /**
   * Apply store events in order (whole revisions, as a store watch batch delivers them); returns how many cache
   * events were appended. Events are numbered within their revision over every store event under the prefix, as a
   * direct store read numbers them (event-rv.ts).
   */
  apply(evs: WatchEvent[]): number {
    let n = 0;
    const rvTexts = eventRvs(evs.map((we) => ({ rev: we.kv.modRevision })));
    for (let i = 0; i < evs.length; i++) {
      const we = evs[i];
      const rv = we.kv.modRevision;
      const rvText = rvTexts[i];
      const pos = Number(rvText);
      const old = this.objects.get(we.kv.key);
      if (we.type === 'put') {
        const e = this.entry(we.kv);
        if (e) {
          this.put(e);
          this.buffer.append({ type: old ? 'MODIFIED' : 'ADDED', obj: atEventRv(e.obj, rvText), prev: old?.obj, rv, pos, key: e.key });
          n++;
        } else if (old) {
          // An undecodable new version: drop the stale one rather than serve it as current.
          this.drop(old, rv, rvText);
          n++;
        }
      } else if (old) {
        this.drop(old, rv, rvText);
        n++;
      }
      if (rv > this.rev) this.rev = rv;
    }
    return n;
  }

  /**
   * Replace the state with a relist at `snap.rev` after the cache fell behind a compaction: the differences
   * become synthetic events (changes at their objects' revisions, deletions at the relist revision), and the
   * history is exact only from `snap.rev` on. Returns how many events were appended.
   */
  replace(snap: RelistSnapshot): number {
    const events: Array<{ entry?: CachedObject; old?: CachedObject; rv: number }> = [];
    for (const c of snap.changed) {
      const old = this.objects.get(c.key);
      if (!old || old.rv !== c.rv) events.push({ entry: c, old, rv: c.rv });
    }
    for (const old of this.objects.values()) if (!snap.keys.has(old.key)) events.push({ old, rv: snap.rev });
    events.sort((a, b) => a.rv - b.rv);
    const rvTexts = eventRvs(events.map((ev) => ({ rev: ev.rv })));
    events.forEach((ev, i) => {
      const rvText = rvTexts[i];
      if (ev.entry) {
        this.put(ev.entry);
        this.buffer.append({ type: ev.old ? 'MODIFIED' : 'ADDED', obj: atEventRv(ev.entry.obj, rvText), prev: ev.old?.obj, rv: ev.rv, pos: Number(rvText), key: ev.entry.key });
      } else if (ev.old) {
        this.drop(ev.old, ev.rv, rvText);
      }
    });
    this.rev = Math.max(this.rev, snap.rev);
    this.windowStart = Math.max(this.windowStart, snap.rev);
    this.relistRev = Math.max(this.relistRev, snap.rev);
    return events.length;
  }

  /** Progress: nothing under the prefix changed up to `rev`. Returns true when the revision moved. */
  advance(rev: number): boolean {
    if (rev <= this.rev) return false;
    this.rev = rev;
    return true;
  }

  /** Trim history beyond `keep` events, but only below the store's compacted revision. */
  trim(keep: number, compactRev: number): void {
    const last = this.buffer.trim(keep, compactRev);
    if (last > this.windowStart) this.windowStart = last;
  }

  /** Current entries under `prefix`, in key order (the state for synthetic ADDED events). */
  snapshot(prefix: string): CachedObject[] {
    const out: CachedObject[] = [];
    this.index.walk(prefix, (c) => {
      if (!c.key.startsWith(prefix)) return false;
      out.push(c);
      return true;
    });
    return out;
  }

  private put(e: CachedObject): void {
    this.objects.set(e.key, e);
    this.index.upsert(e);
  }

  private drop(old: CachedObject, rv: number, rvText: string): void {
    this.objects.delete(old.key);
    this.index.remove(old.key);
    this.buffer.append({ type: 'DELETED', obj: withRv(old.obj, rvText), prev: old.obj, rv, pos: Number(rvText), key: old.key } satisfies CacheEvent);
  }
}
