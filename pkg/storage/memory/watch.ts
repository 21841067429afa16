// Watches over the memory store's event log. Each watch is a cursor (`nextRev`) into one shared, ordered
// log: replaying history and following live writes are the same loop, so there is no hand-over between
// the two where an event could be skipped or repeated. Delivery is asynchronous and batched per tick;
// only durable revisions are delivered, so a watcher never sees a write that a crash could take back.
import type { Logger } from '../../log/logger.ts';
import type { Watch, WatchEvent, WatchHandlers } from '../store.ts';
import { compacted, type Mvcc } from './mvcc.ts';

/** Events per onEvents call (a revision's events are never split). */
const BATCH_EVENTS = 1000;
/** Log entries scanned per turn, so a watch on a quiet prefix cannot hog the event loop. */
const SCAN_PER_TURN = 50_000;

/** All watches of one memory store. */
export class WatchHub {
  private readonly watches = new Set<MemoryWatch>();

  constructor(
    private readonly mvcc: Mvcc,
    /** The highest durable revision: nothing above it is delivered. */
    private readonly visible: () => number,
    private readonly logger: Logger,
  ) {}

  /** Starts a watch; `startRevision` <= 0 means "from the next revision" (etcd's 0). */
  watch(prefix: string, startRevision: number, handlers: WatchHandlers): Watch {
    const start = startRevision > 0 ? startRevision : this.visible() + 1;
    const w = new MemoryWatch(this.mvcc, this.visible, prefix, start, handlers, this.logger, (x) => this.watches.delete(x));
    this.watches.add(w);
    w.schedule();
    return w;
  }

  /** New durable revisions: wake every watch. */
  notify(): void {
    for (const w of this.watches) w.schedule();
  }

  /** Delivers everything durable now (before compaction drops the log entries the watches still need). */
  drainAll(): void {
    for (const w of this.watches) w.drain(Infinity, Infinity);
  }

  /** Stops every watch without further callbacks (store closed). */
  closeAll(): void {
    for (const w of [...this.watches]) w.cancel();
  }
}

class MemoryWatch implements Watch {
  private scheduled = false;
  private cancelled = false;

  constructor(
    private readonly mvcc: Mvcc,
    private readonly visible: () => number,
    private readonly prefix: string,
    private nextRev: number,
    private readonly handlers: WatchHandlers,
    private readonly logger: Logger,
    private readonly remove: (w: MemoryWatch) => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
    this.remove(this);
  }

  schedule(): void {
    if (this.scheduled || this.cancelled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain(BATCH_EVENTS, SCAN_PER_TURN);
    });
  }

  /** Delivers durable events from `nextRev` on; reschedules itself when it stopped early. */
  drain(maxEvents: number, maxScan: number): void {
    if (this.cancelled) return;
    // etcd: a watch may start at the compact revision itself, not below it.
    if (this.nextRev < this.mvcc.compactRevision) return this.fail();
    const upTo = this.visible();
    const log = this.mvcc.events;
    const batch: WatchEvent[] = [];
    let i = this.mvcc.eventIndex(this.nextRev);
    let scanned = 0;
    let stoppedEarly = false;
    for (; i < log.length; i++) {
      const ev = log[i]!;
      const rev = ev.kv.modRevision;
      if (rev > upTo) break;
      const atBoundary = i === 0 || log[i - 1]!.kv.modRevision !== rev;
      if (atBoundary && (batch.length >= maxEvents || scanned >= maxScan)) {
        stoppedEarly = true;
        break;
      }
      scanned++;
      if (ev.kv.key.startsWith(this.prefix)) batch.push(ev);
    }
    const before = this.nextRev;
    this.nextRev = stoppedEarly ? log[i]!.kv.modRevision : Math.max(this.nextRev, upTo + 1);
    if (batch.length > 0) this.deliver(() => this.handlers.onEvents(batch));
    else if (this.nextRev > before && this.handlers.onProgress) this.deliver(() => this.handlers.onProgress!(this.nextRev - 1));
    if (stoppedEarly) this.schedule();
  }

  private fail(): void {
    const err = compacted(this.nextRev, this.mvcc.compactRevision);
    this.cancel();
    this.deliver(() => this.handlers.onError(err));
  }

  // A throwing handler must not break the writer or other watches that share this turn.
  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error('watch handler threw', { err, prefix: this.prefix });
    }
  }
}
