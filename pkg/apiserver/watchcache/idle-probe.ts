// Proving that an idle kind is current. A store watch reports only changes under its prefix, so after writes to
// other kinds the cache cannot tell "nothing happened here up to revision S" from "an event is still in flight"
// unless the store sends progress notifications. Comparing states cannot settle it (a create and a delete
// cancel out but are still two events a watcher must get), so the probe reads the history itself: a watch on
// the whole key space from the cache's revision + 1 up to the write that made revision S. Watches deliver in
// order without gaps, so once revision S has been seen, every event in between has been, ours included.
import type { Clock } from '../../clock/clock.ts';
import type { Store, Watch, WatchEvent } from '../../storage/store.ts';
import type { CacheState } from './cache-state.ts';

/** What a probe found: the revision the cache may advance to, a revision that does not exist, or events in flight. */
export type ProbeResult = { advanceTo: number } | { future: true } | { behind: true };

/** What a probe reads with. */
export interface ProbeDeps {
  store: Store;
  /** The cache's key prefix. */
  prefix: string;
  clock: Clock;
  /** Give up (as "behind") after this long, e.g. when the write at S was compacted away. */
  timeoutMs: number;
}

/**
 * Whether the cache may advance to the store's revision (>= `target`): one status call, then — only when the
 * cache is behind `target` — the store's history from the cache's revision to the store's. A rare path: the API
 * server waits only for revisions it wrote itself, which arrive by the cache's own watch.
 */
export async function probeIdle(deps: ProbeDeps, state: CacheState, target: number): Promise<ProbeResult> {
  const { revision } = await deps.store.status();
  if (revision < target) return { future: true };
  if (state.rev >= target) return { advanceTo: state.rev };
  return readHistory(deps, state.rev, revision);
}

/**
 * Watch every key from `from` + 1 until revision `to` is reached: were there events under the prefix? At the
 * time limit, a history read only in part still counts up to where it got: with thousands of foreign revisions
 * (nodes and leases of a big cluster) the read can take longer than the limit, and an empty kind has no event of
 * its own to start the next probe from further on — without the partial answer every probe would start from the
 * same revision, time out again, and the kind (allocations, before the first one exists) would never be current.
 */
function readHistory(deps: ProbeDeps, from: number, to: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let ours = false;
    let done = false;
    // Every revision up to here has been read, none under the prefix.
    let clearTo = from;
    let watch: Watch | undefined;
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      watch?.cancel();
      timer.cancel();
      resolve(r);
    };
    const reached = () => finish(ours ? { behind: true } : { advanceTo: to });
    const timer = deps.clock.setTimeout(() => finish(!ours && clearTo > from ? { advanceTo: clearTo } : { behind: true }), deps.timeoutMs);
    const onEvents = (evs: WatchEvent[]) => {
      for (const ev of evs) {
        if (ev.kv.modRevision > to) return reached();
        if (ev.kv.key.startsWith(deps.prefix)) ours = true;
      }
      // A revision's events are never split across deliveries: the last one at `to` completes it.
      if (evs.length > 0 && evs[evs.length - 1].kv.modRevision >= to) return reached();
      if (evs.length > 0 && !ours) clearTo = evs[evs.length - 1].kv.modRevision;
    };
    try {
      watch = deps.store.watch('', from + 1, {
        onEvents,
        onProgress: (rev) => {
          if (rev >= to) return reached();
          if (!ours && rev > clearTo) clearTo = rev;
        },
        onError: () => finish({ behind: true }),
      });
      if (done) watch.cancel();
    } catch {
      finish({ behind: true });
    }
  });
}
