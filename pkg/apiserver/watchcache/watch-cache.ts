// The watch cache of one kind: one store watch fanned out to every client, lists and gets served from memory,
// every event since the cache started kept for resuming watches (Kubernetes' cacher, without its 410s for
// idle kinds). See README.md for the contract.
import { apiError } from '../../apierrors/status.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { KeyValue, Store } from '../../storage/store.ts';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { CacheWatcher, type WatcherHost } from './cache-watcher.ts';
import { CacheState } from './cache-state.ts';
import { probeIdle, type ProbeDeps, type ProbeResult } from './idle-probe.ts';
import { pageAt, pageFromStore, pageNow, type PageRequest } from './list-page.ts';
import { Reflector } from './reflector.ts';
import { prefixEnd } from './sorted-index.ts';
import type { CachedObject, CacheListOptions, CacheListResult, CacheWatch, CacheWatchOptions, WatchCacheDeps } from './types.ts';

const DEFAULTS = {
  bookmarkIntervalMs: 60_000,
  maxBufferEvents: 102_400,
  maxWatcherLag: 10_000,
  waitTimeoutMs: 3_000,
  listPageSize: 2_000,
};

/** How long a waitFor leaves a progress-notifying store to move the cache before proving idleness itself. */
const PROGRESS_GRACE_MS = 100;

/** A pending waitFor. */
interface Waiter {
  rv: number;
  resolve(): void;
  reject(err: Error): void;
  timer: Timer;
}

/** The watch cache of one kind (one key prefix). */
export class WatchCache {
  private readonly store: Store;
  private readonly prefix: string;
  private readonly decode: (kv: KeyValue) => ApiObject;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly cfg: typeof DEFAULTS;
  private readonly state: CacheState;
  private readonly reflector: Reflector;
  private readonly host: WatcherHost;
  private readonly probeDeps: ProbeDeps;
  private readonly watchers = new Set<CacheWatcher>();
  private waiters: Waiter[] = [];
  private noted = 0;
  private started?: Promise<void>;
  private synced = false;
  private stopped = false;
  private bookmarkTimer?: Timer;
  private compactRev = 0; // the store's compacted revision, as last asked
  private compactCheck = { inFlight: false, atSeq: 0 };
  private probe = { running: false, again: false };

  constructor(deps: WatchCacheDeps) {
    if (!deps.prefix.endsWith('/')) throw new Error(`watch cache prefix must end with '/': ${deps.prefix}`);
    this.store = deps.store;
    this.prefix = deps.prefix;
    this.decode = deps.decode;
    this.logger = deps.logger.child({ component: 'watchcache', prefix: deps.prefix });
    this.clock = deps.clock;
    this.cfg = {
      bookmarkIntervalMs: deps.bookmarkIntervalMs ?? DEFAULTS.bookmarkIntervalMs,
      maxBufferEvents: deps.maxBufferEvents ?? DEFAULTS.maxBufferEvents,
      maxWatcherLag: deps.maxWatcherLag ?? DEFAULTS.maxWatcherLag,
      waitTimeoutMs: deps.waitTimeoutMs ?? DEFAULTS.waitTimeoutMs,
      listPageSize: deps.listPageSize ?? DEFAULTS.listPageSize,
    };
    this.state = new CacheState(this.decode, this.logger);
    const { store, prefix, logger } = this;
    this.reflector = new Reflector({ store, prefix, logger, clock: this.clock, pageSize: this.cfg.listPageSize }, this.state, {
      changed: () => this.changed(),
    });
    this.probeDeps = { store, prefix, clock: this.clock, timeoutMs: this.cfg.waitTimeoutMs };
    const state = this.state;
    this.host = {
      buffer: state.buffer,
      store,
      prefix,
      decode: this.decode,
      logger,
      windowStart: () => state.windowStart,
      revision: () => state.rev,
      relistRev: () => state.relistRev,
      detach: (w) => this.watchers.delete(w),
    };
  }

  /** List (paginated) and watch from the list's revision + 1; resolves when synced. Idempotent. */
  start(): Promise<void> {
    this.started ??= this.reflector.sync().then(() => {
      if (this.stopped) throw apiError('ServiceUnavailable', 'watch cache stopped');
      this.synced = true;
      this.scheduleBookmarks();
      this.changed();
    });
    return this.started;
  }

  /** True once start() has listed and the store watch runs (for /readyz). */
  isSynced(): boolean {
    return this.synced && !this.stopped;
  }

  /** Stop following the store; pending waits and running watches end with 503 ServiceUnavailable. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reflector.stop();
    this.bookmarkTimer?.cancel();
    const err = () => apiError('ServiceUnavailable', 'watch cache is stopping', { retryAfterSeconds: 1 });
    for (const w of this.waiters) {
      w.timer.cancel();
      w.reject(err());
    }
    this.waiters = [];
    for (const w of [...this.watchers]) w.fail(err());
  }

  /** Highest store revision the cache has seen (events or progress). */
  revision(): number {
    return this.state.rev;
  }

  /** Record a revision this API server wrote under the prefix: its event will arrive, no need to probe for it. */
  noteRevision(rv: number): void {
    if (rv > this.noted) this.noted = rv;
  }

  /**
   * Resolve once revision() >= rv (read-your-writes). For a revision not noted by noteRevision (e.g. one read
   * from another kind), the cache proves it is idle up to it by reading the store's history (see idle-probe.ts).
   * Rejects with 504 Timeout "Too large resource version" after `timeoutMs`.
   */
  waitFor(rv: number, timeoutMs = this.cfg.waitTimeoutMs): Promise<void> {
    if (rv <= this.state.rev) return Promise.resolve();
    if (this.stopped) return Promise.reject(apiError('ServiceUnavailable', 'watch cache is stopping', { retryAfterSeconds: 1 }));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { rv, resolve, reject, timer: undefined as unknown as Timer };
      w.timer = this.clock.setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          apiError('Timeout', `Too large resource version: ${rv}, current: ${this.state.rev}`, {
            retryAfterSeconds: 1,
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          }),
        );
      }, timeoutMs);
      this.waiters.push(w);
      if (rv > this.noted) void this.runProbe();
    });
  }

  /** The cached object at `key` (full store key, or relative to the prefix such as `default/web`). */
  get(key: string): CachedObject | undefined {
    return this.state.objects.get(this.absolute(key));
  }

  /** Objects cached now (flow control's work estimate of a list). */
  size(): number {
    return this.state.objects.size;
  }

  /** A page of the current state, at revision(). */
  list(opts: CacheListOptions = {}): CacheListResult {
    this.assertSynced();
    return pageNow(this.state, this.pageRequest(opts));
  }

  /**
   * A page of the state at exactly `rv` (continue tokens, resourceVersionMatch=Exact): rebuilt from the event
   * buffer inside its window, else read from the store at `rv` (410 Expired once compacted). An `rv` the cache
   * has not reached yet is waited for first (504 Timeout if it never comes).
   */
  async listAt(rv: number, opts: CacheListOptions = {}): Promise<CacheListResult> {
    this.assertSynced();
    const req = this.pageRequest(opts);
    if (rv > this.state.rev) await this.waitFor(rv);
    if (rv === this.state.rev) return pageNow(this.state, req);
    if (rv >= this.state.windowStart) return pageAt(this.state, rv, req);
    return pageFromStore(this.store, this.decode, rv, req, this.cfg.listPageSize);
  }

  /** Watch changes after `opts.fromRv` (see CacheWatchOptions). Errors arrive through onError, never thrown. */
  watch(opts: CacheWatchOptions): CacheWatch {
    this.assertSynced();
    const prefix = this.absolute(opts.prefix ?? '');
    const w = new CacheWatcher(this.host, { opts, prefix, maxLag: this.cfg.maxWatcherLag });
    this.watchers.add(w);
    const initial = opts.sendInitialEvents ?? opts.fromRv === 0;
    if (initial) w.startWithState(this.state.snapshot(prefix), this.state.rev);
    else w.startAt(opts.fromRv === 0 ? this.state.rev : opts.fromRv);
    return { cancel: () => w.cancel() };
  }

  /** Called by the reflector after every change: wake waiters, trim history, feed watchers. */
  private changed(): void {
    const rev = this.state.rev;
    if (this.waiters.some((w) => w.rv <= rev)) {
      const [due, rest] = partition(this.waiters, (w) => w.rv <= rev);
      this.waiters = rest;
      for (const w of due) {
        w.timer.cancel();
        w.resolve();
      }
    }
    if (this.probe.again && this.unprovenTarget() > 0) {
      this.probe.again = false;
      void this.runProbe();
    }
    this.maybeTrim();
    for (const w of this.watchers) w.notify();
  }

  /** Prove the kind idle up to the highest revision waited for that no own write will bring (one probe at a time). */
  private async runProbe(): Promise<void> {
    if (this.probe.running) return;
    this.probe.running = true;
    let res: ProbeResult | undefined;
    let startRev = this.state.rev;
    try {
      // A store that sends progress notifications usually settles it by itself: give it a moment first.
      if (this.reflector.progressSeen) await this.clock.sleep(PROGRESS_GRACE_MS);
      startRev = this.state.rev;
      const target = this.unprovenTarget();
      if (target > 0 && !this.stopped) res = await probeIdle(this.probeDeps, this.state, target);
    } catch (err) {
      this.logger.warn('watch cache: idle probe failed', { err });
    } finally {
      this.probe.running = false;
    }
    if (this.stopped || !res || 'future' in res) return; // a revision that does not exist yet: let the wait time out
    if ('advanceTo' in res && this.state.advance(res.advanceTo)) this.changed();
    // Events were in flight: once the cache has moved, look again (now, if it already moved during the probe).
    if ('behind' in res && this.state.rev === startRev) this.probe.again = true;
    else if (this.unprovenTarget() > 0) void this.runProbe();
  }

  /** The highest revision a waiter wants beyond the cache and beyond this server's own writes (0: none). */
  private unprovenTarget(): number {
    let t = 0;
    for (const w of this.waiters) if (w.rv > this.state.rev && w.rv > this.noted && w.rv > t) t = w.rv;
    return t;
  }

  /** Keep the buffer near maxBufferEvents, dropping only events the store has compacted away too. */
  private maybeTrim(): void {
    const buf = this.state.buffer;
    const max = this.cfg.maxBufferEvents;
    if (buf.length <= max) return;
    this.state.trim(max, this.compactRev);
    const check = this.compactCheck;
    if (buf.length <= max || check.inFlight || buf.endSeq - check.atSeq < Math.max(1, max >> 4)) return;
    check.inFlight = true;
    check.atSeq = buf.endSeq;
    this.store.status().then(
      (s) => {
        check.inFlight = false;
        if (s.compactRevision > this.compactRev) this.compactRev = s.compactRevision;
        if (!this.stopped) this.changed();
      },
      (err) => {
        check.inFlight = false;
        this.logger.warn('watch cache: store status failed', { err });
      },
    );
  }

  private scheduleBookmarks(): void {
    this.bookmarkTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      const rv = this.state.rev;
      for (const w of this.watchers) w.bookmark(rv);
      this.scheduleBookmarks();
    }, this.cfg.bookmarkIntervalMs);
  }

  private pageRequest(opts: CacheListOptions): PageRequest {
    const prefix = this.absolute(opts.prefix ?? '');
    const cont = opts.continueKey ? this.absolute(opts.continueKey) : '';
    return { prefix, start: cont > prefix ? cont : prefix, end: prefixEnd(prefix), filter: opts.filter, limit: opts.limit ?? 0 };
  }

  /** A key or prefix as a full store key: relative ones (`default/web`) are taken under the cache's prefix. */
  private absolute(k: string): string {
    if (k.startsWith(this.prefix)) return k;
    if (k.startsWith('/')) throw new Error(`key ${k} is outside the watch cache prefix ${this.prefix}`);
    return this.prefix + k;
  }

  private assertSynced(): void {
    if (this.stopped) throw apiError('ServiceUnavailable', 'watch cache is stopping', { retryAfterSeconds: 1 });
    if (!this.synced) throw apiError('ServiceUnavailable', 'watch cache is not synced yet', { retryAfterSeconds: 1 });
  }
}

function partition<T>(xs: T[], pred: (x: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const x of xs) (pred(x) ? yes : no).push(x);
  return [yes, no];
}
