// When did nodes last change? A synchronous consumer of the node watch cache that remembers the recent
// revisions of node events, so a plan commit can tell whether the worker's node informer had seen every node
// change up to the evaluation's claim (a node that joined, left or went down before the evaluation).
import type { Logger } from '../log/logger.ts';
import type { WatchCache } from '../apiserver/watchcache/index.ts';
import { CacheFollower } from './cache-follower.ts';
import { RevisionLog } from './revision-log.ts';

/** Node events remembered (older ones are summarized conservatively). */
const KEPT = 1024;

/** The recent revisions of node changes. */
export class NodeEvents {
  private log = new RevisionLog(KEPT);
  private readonly follower: CacheFollower;

  constructor(cache: WatchCache, logger: Logger) {
    const reset = () => {
      this.log = new RevisionLog(KEPT);
    };
    this.follower = new CacheFollower(cache, logger, 'plan commit node event log', { reset, apply: (e) => this.log.add(e.rv) });
  }

  /** Subscribe to the cache (again, after a failure); the initial state is applied before return. */
  ensure(): void {
    this.follower.ensure();
  }

  /** Stop following the cache. */
  stop(): void {
    this.follower.stop();
  }

  /** The revision of the last node change at or before `rev` (see RevisionLog). */
  latestAtOrBelow(rev: number): number {
    return this.log.latestAtOrBelow(rev);
  }
}
