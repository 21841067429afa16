// A Store watch over etcd3 that never skips or repeats an event.
//
// etcd3's Watcher reconnects by itself, but resumes from the last *header* revision it saw, not from the
// last event: a 'created' response carries the current revision while the replay of older events is
// still to come, so a cut at that moment silently loses them. We therefore never let it resume: on any
// disconnect the etcd3 watcher is dropped and a new one is created from (last delivered revision + 1).
// Responses are requested fragmented (etcd 3.4 splits big responses) so a replay of many large values
// never exceeds the client's 4 MiB message limit; fragments are joined before delivery, so a revision
// is delivered whole or not at all.
import type { Etcd3, IEvent, IWatchResponse, Watcher } from 'etcd3';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Backoff } from '../../retry/backoff.ts';
import { StoreError, type Watch, type WatchEvent, type WatchHandlers } from '../store.ts';
import type { KeySpace } from './keys.ts';

/** Reconnect delays: 50 ms doubling to 2 s (a cut connection usually comes back at once). */
const RECONNECT_BACKOFF = { initialMs: 50, maxMs: 2000 };

/** What a watch needs from its store. */
export interface EtcdWatchDeps {
  client: Etcd3;
  keys: KeySpace;
  clock: Clock;
  logger: Logger;
}

/** One Store watch; re-creates its etcd watcher from the last delivered revision after any failure. */
export class EtcdWatch implements Watch {
  /** Last revision delivered (-1 until known for a "from now" watch). */
  private lastRev: number;
  private watcher: Watcher | undefined;
  private fragments: IEvent[] = [];
  private retry: Timer | undefined;
  private readonly backoff = new Backoff(RECONNECT_BACKOFF);
  private done = false;

  constructor(
    private readonly deps: EtcdWatchDeps,
    private readonly prefix: string,
    startRevision: number,
    private readonly handlers: WatchHandlers,
    private readonly onDone: (w: EtcdWatch) => void,
  ) {
    this.lastRev = startRevision > 0 ? startRevision - 1 : -1;
    this.connect();
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.retry?.cancel();
    this.drop();
    this.onDone(this);
  }

  private connect(): void {
    const { start, end } = this.deps.keys.range(this.prefix);
    const builder = this.deps.client.watch().inRange({ start, end }).withPreviousKV();
    if (this.lastRev >= 0) builder.startRevision(String(this.lastRev + 1));
    // etcd3 has no builder method for fragment; its request object is sent as is.
    (builder as unknown as { request: { fragment?: boolean } }).request.fragment = true;
    const w = builder.watcher();
    this.watcher = w;
    this.fragments = [];
    w.on('error', (err) => this.onWatchError(w, err)); // also keeps EventEmitter from throwing on 'error'
    w.on('connected', (res: IWatchResponse) => {
      if (w !== this.watcher) return;
      this.backoff.reset();
      if (this.lastRev < 0) this.lastRev = Number(res.header.revision); // "from now": after the creation revision
    });
    w.on('data', (res: IWatchResponse) => this.onData(w, res));
    w.on('disconnected', (err: Error) => {
      if (w !== this.watcher) return;
      this.deps.logger.debug('etcd watch disconnected; resuming from last delivered revision', { prefix: this.prefix, from: this.lastRev + 1, err });
      this.reconnectLater();
    });
  }

  private onData(w: Watcher, res: IWatchResponse): void {
    if (w !== this.watcher || this.done) return;
    if (res.fragment) {
      this.fragments.push(...res.events);
      return;
    }
    const raw = this.fragments.length > 0 ? [...this.fragments, ...res.events] : res.events;
    this.fragments = [];
    if (raw.length === 0) {
      const rev = Number(res.header.revision);
      if (rev > this.lastRev && this.handlers.onProgress) this.call(() => this.handlers.onProgress!(rev));
      return;
    }
    const events: WatchEvent[] = [];
    for (const ev of raw) {
      const rev = Number(ev.kv.mod_revision);
      if (rev > this.lastRev) events.push(this.toEvent(ev, rev)); // belt and braces: never repeat
    }
    if (events.length === 0) return;
    this.lastRev = events[events.length - 1]!.kv.modRevision;
    this.call(() => this.handlers.onEvents(events));
  }

  private toEvent(ev: IEvent, rev: number): WatchEvent {
    const keys = this.deps.keys;
    const prevKv = ev.prev_kv ? keys.kv(ev.prev_kv) : undefined;
    if (String(ev.type).toLowerCase() === 'delete') return withPrev({ type: 'delete', kv: keys.deleted(ev.prev_kv, ev.kv.key, rev) }, prevKv);
    return withPrev({ type: 'put', kv: keys.kv(ev.kv) }, prevKv);
  }

  private onWatchError(w: Watcher, err: Error): void {
    if (w !== this.watcher || this.done) return;
    this.watcher = undefined; // etcd3 already removed a canceled watcher; cancelling it again would hang
    // etcd cancels a watch below the compact revision with compact_revision set and no reason;
    // etcd3 surfaces that as "Watcher canceled: " with nothing after it.
    if (/Watcher canceled:\s*$/.test(err.message) || err.message.includes('compacted')) {
      const gone = new StoreError('Compacted', `watch from revision ${this.lastRev + 1} is below the compact revision`);
      this.cancel();
      this.call(() => this.handlers.onError(gone));
      return;
    }
    this.deps.logger.warn('etcd watch canceled by the server; re-creating it', { prefix: this.prefix, err });
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.drop();
    this.retry = this.deps.clock.setTimeout(() => {
      if (!this.done) this.connect();
    }, this.backoff.next());
  }

  // Detach the etcd3 watcher for good; late callbacks from it are ignored by the identity checks.
  private drop(): void {
    const w = this.watcher;
    this.watcher = undefined;
    this.fragments = [];
    if (w) w.cancel().catch(() => undefined);
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error('watch handler threw', { err, prefix: this.prefix });
    }
  }
}

function withPrev(ev: WatchEvent, prevKv: WatchEvent['prevKv']): WatchEvent {
  return prevKv ? { ...ev, prevKv } : ev;
}
