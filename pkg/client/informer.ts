// A list+watch cache of one kind, as client-go's reflector + indexer + shared informer in one small piece:
// list (paginated), then watch from the list's resourceVersion with bookmarks; on a broken stream resume
// after a backoff; on 410 Gone relist and emit the difference, so a delete that happened while disconnected is
// still delivered.
//
// Completed revisions: objects written in one store transaction share a resourceVersion, so the informer does
// not take an event's resourceVersion as "everything up to here is seen" — that holds only once an event of a
// later revision, a bookmark or a list arrives. lastSyncResourceVersion() is that completed revision, a watch
// resumes from it (events of the revision in progress come again and are dropped when the cache already has
// the object at that resourceVersion), and `progress` fires whenever it moves.
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { sameObjectVersion } from '../../api/schemas/resource-version.ts';
import { isGone } from '../apierrors/status.ts';
import type { Clock, Timer } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { Backoff, backoffOptions, CLIENT_BACKOFF, type BackoffOptions } from '../retry/backoff.ts';
import type { Client, ResourceClient } from './client.ts';
import type { WatchEvent, WatchHandle } from './watch.ts';

/** Options of createInformer. */
export interface InformerOptions {
  client: Client;
  kind: KindInfo | string;
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger: Logger;
  clock: Clock;
  /** Re-deliver every cached object as an update this often (0/unset = never). */
  resyncMs?: number;
  /** Reconnect backoff: doubles from initialMs (default 500) up to maxMs (default 30 s). */
  backoff?: Partial<BackoffOptions>;
  /** Server-side lifetime of one watch request (default 300 s); the informer re-watches when it ends. */
  watchTimeoutSeconds?: number;
  /** Items per list page (default 500). */
  pageSize?: number;
}

/** Event callbacks; `update` also fires on resync with old === new. */
export interface InformerHandlers<T> {
  add: (obj: T) => void;
  update: (oldObj: T, newObj: T) => void;
  delete: (obj: T) => void;
  /** The completed revision moved to `resourceVersion` (after the events of it were handled). */
  progress: (resourceVersion: string) => void;
}

/** A running cache of one kind. */
export interface Informer<T extends ApiObject = ApiObject> {
  /** Subscribe; returns an unsubscribe function. Handlers run synchronously, in event order. */
  on<E extends keyof InformerHandlers<T>>(event: E, fn: InformerHandlers<T>[E]): () => void;
  /** Start listing and watching; resolves once the first list is in the cache (or on stop()). */
  start(): Promise<void>;
  /** Stop watching and all timers. The cache keeps its last contents. */
  stop(): void;
  /** True once the first list has been loaded. */
  hasSynced(): boolean;
  /** The cached object, or undefined. Cluster-scoped kinds: namespace undefined or ''. */
  get(namespace: string | undefined, name: string): T | undefined;
  /** Every cached object. */
  list(): T[];
  /** The completed revision: every event up to it is in the cache ('' before the first list). */
  lastSyncResourceVersion(): string;
}

/** Fired when a clean watch end came too fast to be a timeout: treated like a failure so it backs off. */
const MIN_HEALTHY_WATCH_MS = 1000;

/** A list+watch informer over `opts.client` for `opts.kind`. */
export function createInformer<T extends ApiObject = ApiObject>(opts: InformerOptions): Informer<T> {
  const rc = opts.client.resource<T>(opts.kind);
  const log = opts.logger.child({ informer: rc.kind.plural, namespace: opts.namespace });
  const { clock } = opts;
  const backoff = new Backoff(backoffOptions(CLIENT_BACKOFF, opts.backoff));
  const watchTimeout = opts.watchTimeoutSeconds ?? 300;

  const cache = new Map<string, T>();
  const handlers: { [E in keyof InformerHandlers<T>]: Set<InformerHandlers<T>[E]> } = { add: new Set(), update: new Set(), delete: new Set(), progress: new Set() };
  const revisions = new RevisionTracker();
  let lastRV = ''; // the completed revision
  let synced = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let markSynced: () => void = () => {};
  const syncedP = new Promise<void>((resolve) => (markSynced = resolve));
  let currentWatch: WatchHandle | undefined;
  let sleeping: { timer: Timer; wake: () => void } | undefined;
  let resyncTimer: Timer | undefined;

  const emit = <E extends keyof InformerHandlers<T>>(event: E, ...args: Parameters<InformerHandlers<T>[E]>) => {
    for (const fn of handlers[event]) {
      try {
        (fn as (...a: unknown[]) => void)(...args);
      } catch (err) {
        // A handler's bug must not stop the cache from following the server.
        log.error('informer handler failed', { event, err });
      }
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        sleeping = undefined;
        resolve();
      };
      sleeping = { timer: clock.setTimeout(wake, ms), wake };
    });

  // Replace the cache with a fresh list, emitting the difference. A changed uid under the same name is a
  // delete and a re-create, never an update.
  const relist = async () => {
    const list = await listAll(rc, opts);
    const fresh = new Map(list.items.map((o) => [keyOf(o), o]));
    for (const [key, old] of cache) {
      const now = fresh.get(key);
      if (!now || now.metadata.uid !== old.metadata.uid) {
        cache.delete(key);
        emit('delete', old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = cache.get(key);
      cache.set(key, obj);
      if (!old) emit('add', obj);
      // The same version may have come as a watch event's in-revision position ("48.1") and now lists as "49".
      else if (!sameObjectVersion(old.metadata.resourceVersion ?? '', obj.metadata.resourceVersion)) emit('update', old, obj);
    }
    revisions.reset();
    lastRV = list.metadata.resourceVersion;
    emit('progress', lastRV);
    log.debug('listed', { count: fresh.size, resourceVersion: lastRV });
  };

  const apply = (ev: WatchEvent<T>) => {
    const rv = ev.object?.metadata?.resourceVersion;
    // Events before handlers: a revision completed by this event is reported once its predecessor is applied.
    const completed = ev.type === 'BOOKMARK' ? revisions.bookmark(rv) : revisions.event(rv);
    if (ev.type !== 'BOOKMARK') {
      const key = keyOf(ev.object);
      const old = cache.get(key);
      if (ev.type === 'DELETED') {
        cache.delete(key);
        if (old) emit('delete', ev.object);
      } else if (!old || old.metadata.resourceVersion !== rv || old.metadata.uid !== ev.object.metadata.uid) {
        cache.set(key, ev.object);
        if (old) emit('update', old, ev.object);
        else emit('add', ev.object);
      } // else: the same object again (a resumed watch repeats the revision in progress)
    }
    if (completed !== undefined && completed !== lastRV) {
      lastRV = completed;
      emit('progress', lastRV);
    }
  };

  // One watch request from lastRV. Resolves on a clean end (server timeout), throws on failure.
  const watchOnce = async (): Promise<number> => {
    let events = 0;
    const handle = rc.watch(
      { namespace: opts.namespace, resourceVersion: lastRV, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, allowWatchBookmarks: true, timeoutSeconds: watchTimeout },
      (ev) => {
        events++;
        apply(ev);
      },
    );
    currentWatch = handle;
    // A half-open connection never ends by itself; give the server its timeout plus grace, then start over.
    const watchdog = clock.setTimeout(() => handle.cancel(), (watchTimeout + 30) * 1000);
    try {
      await handle.done;
    } finally {
      watchdog.cancel();
      currentWatch = undefined;
    }
    return events;
  };

  const run = async () => {
    let needList = true;
    while (!stopped) {
      const began = clock.now();
      try {
        if (needList) {
          await relist();
          needList = false;
          if (!synced) {
            synced = true;
            markSynced();
          }
        }
        const events = await watchOnce();
        if (stopped) break;
        if (events > 0 || clock.now() - began >= MIN_HEALTHY_WATCH_MS) {
          backoff.reset();
          continue;
        }
        log.debug('watch ended early', { resourceVersion: lastRV });
      } catch (err) {
        if (stopped) break;
        if (isGone(err)) {
          // History we needed is gone: relist now; the diff stands in for the events we missed.
          log.info('resourceVersion expired, relisting', { resourceVersion: lastRV });
          needList = true;
          continue;
        }
        log.warn(needList ? 'list failed' : 'watch failed', { err, resourceVersion: lastRV, attempt: backoff.attempts() + 1 });
      }
      await sleep(backoff.next());
    }
  };

  const scheduleResync = () => {
    if (!opts.resyncMs || stopped) return;
    resyncTimer = clock.setTimeout(() => {
      for (const obj of cache.values()) emit('update', obj, obj);
      scheduleResync();
    }, opts.resyncMs);
  };

  return {
    on(event, fn) {
      handlers[event].add(fn as never);
      return () => void handlers[event].delete(fn as never);
    },
    start() {
      if (!running && !stopped) {
        running = run().catch((err) => log.error('informer loop crashed', { err }));
        scheduleResync();
      }
      return Promise.race([syncedP, running ?? Promise.resolve()]);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      currentWatch?.cancel();
      if (sleeping) {
        sleeping.timer.cancel();
        sleeping.wake();
      }
      resyncTimer?.cancel();
      markSynced();
    },
    hasSynced: () => synced,
    get: (namespace, name) => cache.get(`${namespace ?? ''}/${name}`),
    list: () => [...cache.values()],
    lastSyncResourceVersion: () => lastRV,
  };
}

function keyOf(obj: ApiObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function listAll<T extends ApiObject>(rc: ResourceClient<T>, opts: InformerOptions) {
  return rc.listAll({ namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, pageSize: opts.pageSize });
}

/**
 * Which revision is complete, from the resourceVersions of a watch's events in order: an event's revision is
 * complete once an event of a later one arrives, or a bookmark at or past it. Non-numeric resourceVersions
 * (a server that is not Drover) count as complete at once, as before. A Drover server numbers the events of a
 * multi-object revision before its last one with positions between two revisions ("48.1", "48.2", then "49"):
 * such a position is complete by itself (a watch resumed from it delivers exactly what follows), and completes
 * the revision before it.
 */
class RevisionTracker {
  private open = 0; // the revision whose events are arriving (maybe not all yet); 0: none

  /** A list: nothing is open. */
  reset(): void {
    this.open = 0;
  }

  /** An event at `rv`: the revision completed by it, if any. */
  event(rv: string | undefined): string | undefined {
    if (!rv) return undefined;
    const n = Number(rv);
    if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) return rv;
    if (!Number.isInteger(n)) {
      if (n < this.open) return undefined; // not past what is open (cannot happen with one server)
      this.open = 0;
      return rv;
    }
    const done = this.open > 0 && n > this.open ? String(this.open) : undefined;
    if (n > this.open) this.open = n;
    return done;
  }

  /** A bookmark at `rv`: everything up to it is complete. */
  bookmark(rv: string | undefined): string | undefined {
    if (!rv) return undefined;
    const n = Number(rv);
    if (Number.isSafeInteger(n) && n < this.open) return undefined; // an old bookmark: not past what is open
    this.open = 0;
    return rv;
  }
}
