// A synchronous consumer of one watch cache, from its whole state: the plan commit's allocation index and node
// event log are both built this way. Subscribing replays the cache's state before it returns, and each event is
// applied in the tick the cache takes it, so "the cache has reached R" means "the consumer reflects every event
// up to R". A consumer that lost its watch (the cache stopped or dropped it) starts over on the next ensure().
import type { Logger } from '../log/logger.ts';
import type { CacheEvent, CacheWatch, WatchCache } from '../apiserver/watchcache/index.ts';

/** What a follower feeds: forget everything, then take events in order. */
export interface CacheConsumer {
  reset(): void;
  apply(e: CacheEvent): void;
}

/** Keeps one consumer subscribed to one watch cache. */
export class CacheFollower {
  private watch?: CacheWatch;
  private broken = false;

  /** `what` names the consumer in the warning logged when it loses its watch. */
  constructor(private readonly cache: WatchCache, private readonly logger: Logger, private readonly what: string, private readonly consumer: CacheConsumer) {}

  /** Subscribe (again, after a failure); the cache's state is applied before this returns. */
  ensure(): void {
    if (this.watch && !this.broken) return;
    this.watch?.cancel();
    this.consumer.reset();
    this.broken = false;
    this.watch = this.cache.watch({
      fromRv: 0,
      sendInitialEvents: true,
      onEvent: (e) => this.consumer.apply(e),
      onError: (err) => {
        this.broken = true;
        this.logger.warn(`${this.what} lost its watch`, { err });
      },
    });
  }

  /** Stop following the cache. */
  stop(): void {
    this.watch?.cancel();
    this.watch = undefined;
  }
}
