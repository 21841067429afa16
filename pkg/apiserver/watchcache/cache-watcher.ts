// One client's watch: a cursor into the shared event buffer (no per-client copy of events), optional synthetic
// ADDED events for the initial state, and a catch-up phase that reads the store directly when the client
// starts before the buffer's window. Delivery is synchronous until the consumer returns a promise; then the
// watcher waits for it while the buffer keeps growing, and a watcher that falls too far behind is ended.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { apiError, expired } from '../../apierrors/status.ts';
import type { Logger } from '../../log/logger.ts';
import type { KeyValue, Store, Watch, WatchEvent } from '../../storage/store.ts';
import { isStoreError } from '../../storage/store.ts';
import { forWatcher, fromStoreEvent } from './convert.ts';
import { eventRvs, isInsideRevision } from './event-rv.ts';
import type { EventBuffer } from './event-buffer.ts';
import type { CachedObject, CacheEvent, CacheWatchOptions } from './types.ts';

/** What a watcher needs from its cache. */
export interface WatcherHost {
  readonly buffer: EventBuffer;
  readonly store: Store;
  /** The cache's whole key prefix (direct store watches cover it all; the watcher narrows). */
  readonly prefix: string;
  readonly decode: (kv: KeyValue) => ApiObject;
  readonly logger: Logger;
  /** The buffer holds every event with rv greater than this. */
  windowStart(): number;
  /** The cache's revision: every event up to it is in the buffer (a store batch never splits a revision). */
  revision(): number;
  /** The last relist revision (0: none): positions inside revisions up to it may be synthetic. */
  relistRev(): number;
  /** Stop notifying this watcher. */
  detach(w: CacheWatcher): void;
}

/** Per-watcher settings resolved by the cache. */
export interface WatcherInit {
  opts: CacheWatchOptions;
  /** Absolute key prefix this watcher sees. */
  prefix: string;
  /** Live events this watcher may fall behind before it is ended. */
  maxLag: number;
}

/** The direct store read of a watcher that started before the buffer's window. */
interface DirectPhase {
  watch?: Watch;
  /** Highest store revision received (queued or filtered out); at first the client's start position. */
  rv: number;
  /** Deliver only events past this position (a start inside a revision skips that revision's earlier events). */
  after: number;
  /** Store watch cancelled because the consumer is slow; reopened from `rv` once the queue drains. */
  paused: boolean;
}

/** A client's watch over the cache. */
export class CacheWatcher {
  private cursor = 0; // seq of the next buffer event to look at
  private liveFloor = 0; // seq from which buffered events count as lag
  private lastRv: number; // highest position (event resourceVersion) the client knows it has
  private initial?: { items: CachedObject[]; next: number; rv: number };
  private direct?: DirectPhase;
  // Events read from the store, delivered before anything from the buffer.
  private pending: CacheEvent[] = [];
  private pendingHead = 0;
  private pumping = false;
  private done = false;
  /** Events were delivered since the last bookmark: once caught up, say which revision is complete. */
  private unconfirmed = false;
  private lastBookmark = -1; // a periodic bookmark repeating it says nothing new

  constructor(
    private readonly host: WatcherHost,
    private readonly init: WatcherInit,
  ) {
    this.lastRv = init.opts.fromRv;
  }

  /** Start with synthetic ADDED events for `items` (the state at `rv`), then buffered events after `rv`. */
  startWithState(items: CachedObject[], rv: number): void {
    this.initial = { items, next: 0, rv };
    this.attachBuffer(rv);
    this.pump();
  }

  /** Start at `fromRv`: from the buffer when it reaches back that far, else from the store until caught up. */
  startAt(fromRv: number): void {
    if (isInsideRevision(fromRv) && Math.ceil(fromRv) <= this.host.relistRev()) {
      // The cache relisted over that revision: its in-revision positions were synthetic, resuming inside one could
      // skip or repeat. 410 makes the client list again (always correct).
      this.fail(expired(`too old resource version: ${fromRv} (${this.host.windowStart()})`));
      return;
    }
    if (fromRv >= this.host.windowStart()) this.attachBuffer(fromRv);
    else this.openDirect(fromRv);
    this.pump();
  }

  /** New events were appended to the buffer. */
  notify(): void {
    if (this.done || this.direct) return;
    if (this.cursor < this.host.buffer.firstSeq) {
      this.fail(expired(`too old resource version: ${this.lastRv} (${this.host.windowStart()})`));
      return;
    }
    this.pump();
    const lag = this.host.buffer.endSeq - Math.max(this.cursor, this.liveFloor);
    if (!this.done && lag > this.init.maxLag) {
      this.fail(apiError('TooManyRequests', `watch consumer too slow: ${lag} events behind, re-watch from the last resourceVersion`, { retryAfterSeconds: 1 }));
    }
  }

  /** Send a bookmark at `rv` if this watcher asked for them and has seen everything up to it. */
  bookmark(rv: number): void {
    const onBookmark = this.init.opts.onBookmark;
    if (!onBookmark || this.done || this.pumping || this.direct || this.initial) return;
    if (this.pendingHead < this.pending.length) return;
    if (this.cursor < this.host.buffer.endSeq || rv < this.lastRv || rv === this.lastBookmark) return;
    this.lastRv = rv;
    this.lastBookmark = rv;
    this.unconfirmed = false;
    try {
      onBookmark(rv);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** End the watch without a callback (the client went away). */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.direct?.watch?.cancel();
    this.host.detach(this);
  }

  /** End the watch with `err` delivered to onError. */
  fail(err: Error): void {
    if (this.done) return;
    this.cancel();
    try {
      this.init.opts.onError(err);
    } catch (e) {
      this.host.logger.warn('watch onError handler threw', { err: e });
    }
  }

  private attachBuffer(afterRv: number): void {
    this.cursor = this.host.buffer.seqAfter(afterRv);
    this.liveFloor = this.host.buffer.endSeq;
  }

  /** Deliver until caught up, or until the consumer hands back a promise (resumed when it settles). */
  private pump(): void {
    if (this.pumping || this.done) return;
    this.pumping = true;
    try {
      for (;;) {
        const e = this.next();
        if (e === undefined || this.done) break;
        this.lastRv = Math.max(this.lastRv, e.pos);
        this.unconfirmed = true;
        const r = this.init.opts.onEvent(e);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).then(
            () => this.resume(),
            (err: Error) => this.fail(err),
          );
          return; // stays `pumping` until the consumer is ready
        }
      }
    } catch (err) {
      this.fail(err as Error);
    }
    this.pumping = false;
    this.confirm();
  }

  /**
   * After a batch of events, a bookmark at the cache's revision (to watchers that take bookmarks): several
   * objects written in one transaction share a revision, and only this tells a client that it has all of them.
   * Sent only after events, so a watcher that the batch's events filtered out gets no extra line.
   */
  private confirm(): void {
    if (!this.unconfirmed || this.done || this.pumping || this.direct || this.initial) return;
    if (this.pendingHead < this.pending.length || this.cursor < this.host.buffer.endSeq) return;
    this.unconfirmed = false;
    this.bookmark(this.host.revision());
  }

  private resume(): void {
    this.pumping = false;
    this.pump();
    if (!this.pumping) this.notify(); // caught up again: re-check lag and trimming
  }

  /** The next event for this client, skipping what its prefix and filter exclude. */
  private next(): CacheEvent | undefined {
    const { prefix, opts } = this.init;
    while (this.initial) {
      const init = this.initial;
      if (init.next >= init.items.length) {
        this.initial = undefined;
        this.lastRv = Math.max(this.lastRv, init.rv);
        opts.onInitialEventsEnd?.(init.rv);
        break;
      }
      const c = init.items[init.next++];
      if (!opts.filter || opts.filter(c.obj)) return { type: 'ADDED', obj: c.obj, rv: c.rv, pos: c.rv, key: c.key };
    }
    if (this.pendingHead < this.pending.length) return this.shiftPending();
    if (this.direct?.paused) this.openDirect(this.direct.rv); // drained: read the store again
    if (this.pendingHead < this.pending.length) return this.shiftPending();
    if (this.direct) return undefined;
    const buffer = this.host.buffer;
    while (this.cursor < buffer.endSeq) {
      const e = buffer.at(this.cursor);
      if (e === undefined) return undefined; // trimmed under us: notify() ends the watch
      this.cursor++;
      const out = forWatcher(e, prefix, opts.filter);
      if (out) return out;
    }
    return undefined;
  }

  private shiftPending(): CacheEvent {
    const e = this.pending[this.pendingHead++];
    if (this.pendingHead === this.pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    }
    return e;
  }

  /**
   * Read the store after position `fromRv` until the buffer's window is reached, then switch to the buffer. A
   * position inside a revision reads that whole revision and skips its events up to the position.
   */
  private openDirect(fromRv: number): void {
    if (fromRv >= this.host.windowStart()) {
      this.direct = undefined;
      this.attachBuffer(fromRv);
      return;
    }
    const d: DirectPhase = { rv: fromRv, after: fromRv, paused: false };
    this.direct = d;
    const onError = (err: Error) => {
      if (this.direct !== d || d.paused) return;
      this.fail(
        isStoreError(err, 'Compacted')
          ? expired(`too old resource version: ${fromRv} (${this.host.windowStart()})`)
          : apiError('ServiceUnavailable', `watch from the store failed: ${err.message}`, { retryAfterSeconds: 1 }),
      );
    };
    try {
      d.watch = this.host.store.watch(this.host.prefix, Math.floor(fromRv) + 1, {
        onEvents: (evs) => this.onDirectEvents(d, evs),
        onProgress: (rev) => this.onDirectProgress(d, rev),
        onError,
      });
      // The store may deliver (and we may hand over or pause) before watch() returns.
      if (this.direct !== d || d.paused || this.done) d.watch.cancel();
    } catch (err) {
      onError(err as Error);
    }
  }

  private onDirectEvents(d: DirectPhase, evs: WatchEvent[]): void {
    if (this.done || this.direct !== d || d.paused) return;
    // Numbered within each revision as the cache numbers the events it follows (a batch holds whole revisions).
    const rvTexts = eventRvs(evs.map((we) => ({ rev: we.kv.modRevision })));
    for (let i = 0; i < evs.length; i++) {
      const we = evs[i];
      if (we.kv.modRevision > this.host.windowStart()) {
        this.handOver(d);
        break;
      }
      d.rv = we.kv.modRevision;
      if (Number(rvTexts[i]) <= d.after) continue; // the client has it (a resume inside this revision)
      try {
        const out = forWatcher(fromStoreEvent(we, this.host.decode, rvTexts[i]), this.init.prefix, this.init.opts.filter);
        if (out) this.pending.push(out);
      } catch (err) {
        return this.fail(err as Error);
      }
    }
    if (this.direct === d && this.pending.length - this.pendingHead > this.init.maxLag) {
      // Flow control instead of termination: stop reading the store until the consumer drains the queue.
      d.paused = true;
      d.watch?.cancel();
    }
    this.pump();
  }

  private onDirectProgress(d: DirectPhase, rev: number): void {
    if (this.done || this.direct !== d || d.paused || rev < this.host.windowStart()) return;
    this.handOver(d);
    this.pump();
  }

  /** The store has nothing more before the window: continue from the buffer after what was received. */
  private handOver(d: DirectPhase): void {
    d.watch?.cancel();
    this.direct = undefined;
    // No real event lies between d.rv and the window start, so events the buffer holds at or below the start
    // (synthetic relist diffs) describe changes this client already received from the store.
    this.attachBuffer(Math.max(d.rv, this.host.windowStart()));
  }
}
