// Periodic store compaction (etcd keeps every revision forever otherwise). Like kube-apiserver, each round
// compacts to the revision seen one round earlier, so at least one interval of history survives for watches
// and continue tokens; additionally the newest `minRetainedRevisions` revisions are always kept.
import type { Clock, Timer } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { isStoreError, type Store } from '../storage/store.ts';
import type { ApiMetrics } from './metrics.ts';

/** What the compactor needs. */
export interface CompactorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics?: ApiMetrics;
  /** Time between rounds (default 5 minutes). */
  intervalMs?: number;
  /** Never compact the newest this-many revisions (default 10,000). */
  minRetainedRevisions?: number;
}

/** Compacts the store on a timer. */
export class Compactor {
  private timer?: Timer;
  private lastSeen?: number;
  private stopped = true;
  private running?: Promise<unknown>;
  private readonly intervalMs: number;
  private readonly minRetained: number;

  constructor(private readonly opts: CompactorOptions) {
    this.intervalMs = opts.intervalMs ?? 5 * 60_000;
    this.minRetained = opts.minRetainedRevisions ?? 10_000;
  }

  /** Start the rounds; the first one only records the current revision. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stop, waiting for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** Resolves when the round in progress (if any) has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** One round; returns the revision compacted to, if any. */
  async round(): Promise<number | undefined> {
    const { revision, compactRevision } = await this.opts.store.status();
    const previous = this.lastSeen;
    this.lastSeen = revision;
    if (previous === undefined) return undefined;
    const target = Math.min(previous, revision - this.minRetained);
    if (target <= compactRevision) return undefined;
    try {
      await this.opts.store.compact(target);
    } catch (err) {
      // Another API server compacted past us first: nothing to do.
      if (isStoreError(err, 'Compacted')) return undefined;
      throw err;
    }
    this.opts.metrics?.compactions.inc();
    this.opts.metrics?.compactedRevision.set(target);
    this.opts.logger.info('compacted store', { revision: target, current: revision });
    return target;
  }

  private schedule(delay: number): void {
    this.timer = this.opts.clock.setTimeout(() => {
      if (this.stopped) return;
      this.running = this.round()
        .catch((err) => this.opts.logger.warn('store compaction failed', { err }))
        .finally(() => {
          if (!this.stopped) this.schedule(this.intervalMs);
        });
    }, delay);
  }
}
