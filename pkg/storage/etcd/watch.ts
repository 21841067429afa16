// A Store watch over etcd that never skips or repeats an event, and whose stream faults stay inside it.
//
// Each Store watch owns one gRPC Watch stream (etcd3's WatchClient, below its WatchManager). etcd3's WatchManager
// multiplexes every watcher over one stream and *throws* from the stream's 'data' handler when a response names a
// watch id it no longer knows ("Failed to find watcher for IWatchResponse") or a create response finds no
// pending watcher — which happens when a stream error resets its ids while responses already received are still
// being delivered (an overloaded process, a compaction-driven relist cancelling and creating watches at once).
// Thrown inside grpc-js's stream callbacks nothing can catch it, and the process dies. Here no callback throws:
// a response from a stream we dropped is ignored, one we cannot place makes us re-create our own stream.
//
// etcd3's Watcher also resumes from the last *header* revision rather than the last event (a cut while a replay
// is under way loses events). We never resume a stream: on any fault the stream is dropped and a new one is
// created from (last delivered revision + 1). Responses are requested fragmented (etcd 3.4 splits big responses)
// so a replay of many large values never exceeds the client's 4 MiB message limit; fragments are joined before
// delivery, so a revision is delivered whole or not at all.
import type { Etcd3, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
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

/** The gRPC Watch stream as etcd3's WatchClient returns it. */
type WatchStream = Awaited<ReturnType<Etcd3['watchClient']['watch']>>;

/** One Store watch; re-creates its etcd watch stream from the last delivered revision after any fault. */
export class EtcdWatch implements Watch {
  /** Last revision delivered (-1 until known for a "from now" watch). */
  private lastRev: number;
  private stream: WatchStream | undefined;
  /** etcd's id of our watch on the current stream, once created. */
  private watchId: string | undefined;
  private fragments: IEvent[] = [];
  private retry: Timer | undefined;
  private readonly backoff = new Backoff(RECONNECT_BACKOFF);
  private done = false;
  /** Streams opened so far (tests and logs). */
  streams = 0;

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
    this.retry = undefined;
    this.deps.client.watchClient.watch().then(
      (stream) => this.attach(stream),
      (err: unknown) => this.fault('opening the etcd watch stream failed', err),
    );
  }

  private attach(stream: WatchStream): void {
    if (this.done || this.retry) {
      stream.cancel();
      return;
    }
    this.streams++;
    this.stream = stream;
    this.watchId = undefined;
    this.fragments = [];
    // Every callback checks that its stream is still ours: a dropped stream may go on delivering what it had.
    stream.on('data', (res: IWatchResponse) => this.guard(stream, () => this.onResponse(res)));
    stream.on('error', (err: Error) => this.guard(stream, () => this.fault('etcd watch stream failed', err)));
    stream.on('end', () => this.guard(stream, () => this.fault('etcd watch stream ended', undefined)));
    const { start, end } = this.deps.keys.range(this.prefix);
    const create: IWatchRequest['create_request'] & { fragment?: boolean } = { key: start, range_end: end, prev_kv: true, fragment: true };
    if (this.lastRev >= 0) create.start_revision = String(this.lastRev + 1);
    stream.write({ create_request: create });
  }

  // A fault inside one response (a handler bug, a response we cannot parse) must not escape into grpc-js.
  private guard(stream: WatchStream, fn: () => void): void {
    if (stream !== this.stream || this.done) return;
    try {
      fn();
    } catch (err) {
      this.fault('handling an etcd watch response failed', err);
    }
  }

  private onResponse(res: IWatchResponse): void {
    if (res.created) {
      if (this.watchId !== undefined) return this.fault(`etcd created a second watch (${res.watch_id}) on our stream`, undefined);
      if (res.canceled) return this.onCanceled(res);
      this.watchId = String(res.watch_id);
      this.backoff.reset();
      if (this.lastRev < 0) this.lastRev = Number(res.header.revision); // "from now": after the creation revision
      return;
    }
    if (this.watchId === undefined || String(res.watch_id) !== this.watchId) {
      // etcd3's WatchManager throws here; for us it only means this stream is not trustworthy any more.
      return this.fault(`etcd sent a response for watch ${res.watch_id}, not ours (${this.watchId ?? 'none yet'})`, undefined);
    }
    if (res.canceled) return this.onCanceled(res);
    this.onData(res);
  }

  private onData(res: IWatchResponse): void {
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

  // etcd cancels a watch below the compact revision with compact_revision set (and no reason): that is terminal.
  // Any other cancel (etcd restarting the watch, a duplicate id) is a fault to recover from.
  private onCanceled(res: IWatchResponse): void {
    if (Number(res.compact_revision ?? 0) > 0 || String(res.cancel_reason ?? '').includes('compacted')) {
      const gone = new StoreError('Compacted', `watch from revision ${this.lastRev + 1} is below the compact revision ${res.compact_revision}`);
      this.cancel();
      this.call(() => this.handlers.onError(gone));
      return;
    }
    this.deps.logger.warn('etcd watch canceled by the server; re-creating it', { prefix: this.prefix, reason: res.cancel_reason });
    this.reconnectLater();
  }

  private fault(what: string, err: unknown): void {
    if (this.done) return;
    this.deps.logger.debug(`${what}; resuming from last delivered revision`, { prefix: this.prefix, from: this.lastRev + 1, err });
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.drop();
    if (this.done || this.retry) return;
    this.retry = this.deps.clock.setTimeout(() => {
      if (!this.done) this.connect();
    }, this.backoff.next());
  }

  // Abandon the stream for good; its late callbacks are ignored by guard().
  private drop(): void {
    const s = this.stream;
    this.stream = undefined;
    this.watchId = undefined;
    this.fragments = [];
    if (!s) return;
    try {
      // end() first: etcd3 marks the whole host failed (resetting every channel) when a stream that is still
      // writable errors, and cancelling errors it with CANCELLED. A cancel alone stops etcd sending at once.
      s.end();
      s.cancel();
    } catch {
      // already gone
    }
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
