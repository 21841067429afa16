// When did nodes last change? A synchronous consumer of the node watch cache that remembers the recent
// revisions of node events, so a plan commit can tell whether the worker's node informer had seen every node
// change up to the evaluation's claim (a node that joined, left or went down before the evaluation).
import type { Logger } from '../log/logger.ts';
import type { CacheWatch, WatchCache } from '../apiserver/watchcache/index.ts';
import { RevisionLog } from './revision-log.ts';

/** Node events remembered (older ones are summarized conservatively). */
const KEPT = 1024;

/** The recent revisions of node changes. */
export class NodeEvents {
  private log = new RevisionLog(KEPT);
  private watch?: CacheWatch;
  private broken = false;

  constructor(private readonly cache: WatchCache, private readonly logger: Logger) {}

  /** Subscribe to the cache (again, after a failure); the initial state is applied before return. */
  ensure(): void {
    if (this.watch && !this.broken) return;
    this.watch?.cancel();
    this.log = new RevisionLog(KEPT);
    this.broken = false;
    this.watch = this.cache.watch({
      fromRv: 0,
      sendInitialEvents: true,
      onEvent: (e) => this.log.add(e.rv),
      onError: (err) => {
        this.broken = true;
        this.logger.warn('plan commit node event log lost its watch', { err });
      },
    });
  }

  /** Stop following the cache. */
  stop(): void {
    this.watch?.cancel();
    this.watch = undefined;
  }

  /** The revision of the last node change at or before `rev` (see RevisionLog). */
  latestAtOrBelow(rev: number): number {
    return this.log.latestAtOrBelow(rev);
  }
}
