// Reports one allocation's status through the /status subresource: bursts of task events are coalesced into one
// write, each write is a compare-and-swap on the resourceVersion (re-read and retried on conflict), and while
// the API server is away the latest status waits and is written once it is back (no history is replayed: the
// status is a level, not a log).
import type { Allocation, AllocationStatus } from '../../../api/schemas/index.ts';
import { withAllocationConditions } from '../../../api/schemas/allocation-conditions.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import type { ResourceClient } from '../../client/client.ts';
import { isNetworkError } from '../../client/errors.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Backoff, backoffOptions, CLIENT_BACKOFF, type BackoffOptions } from '../../retry/backoff.ts';

/**
 * The status fields the agent owns (the health controller owns `lost`; nobody else writes these). Of
 * `conditions` the agent owns only the types it reports; others' conditions are kept.
 */
export type OwnedStatus = Pick<AllocationStatus, 'clientStatus' | 'clientDescription' | 'taskStates' | 'deploymentStatus' | 'conditions'>;

/** Dependencies of a StatusWriter. */
export interface StatusWriterDeps {
  allocs: ResourceClient<Allocation>;
  /** The informer's copy of the allocation (saves a GET before the first write). */
  cached(): Allocation | undefined;
  clock: Clock;
  logger: Logger;
  /** Wait this long after a change before writing, so a burst becomes one write (default 20 ms). */
  coalesceMs?: number;
  /** Retry delays while the API server is unreachable (default 500 ms doubling to 30 s). */
  backoff?: Partial<BackoffOptions>;
}

const MAX_CONFLICT_RETRIES = 10;

/** The status reporter of one allocation. */
export class StatusWriter {
  private want: OwnedStatus | undefined;
  private timer: Timer | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private readonly backoff: Backoff;
  private idleWaiters: Array<() => void> = [];
  /** What our last write returned: newer than the informer's copy until the watch catches up. */
  private lastWritten: Allocation | undefined;

  constructor(
    private readonly deps: StatusWriterDeps,
    private readonly namespace: string,
    private readonly name: string,
    private readonly uid: string | undefined,
  ) {
    this.backoff = new Backoff(backoffOptions(CLIENT_BACKOFF, deps.backoff));
  }

  /** Record the latest status; it is written soon (coalesced with other changes). */
  report(status: OwnedStatus): void {
    if (this.stopped) return;
    this.want = status;
    this.dirty = true;
    this.schedule(this.deps.coalesceMs ?? 20);
  }

  /** Resolves once everything reported so far has been written (or given up on); for shutdown and tests. */
  idle(): Promise<void> {
    if (!this.dirty && !this.writing && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop writing (the allocation is gone, or the agent stops). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.dirty = false;
    this.wakeIdle();
  }

  private schedule(ms: number): void {
    if (this.timer || this.writing) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.writing = this.flush().finally(() => {
        this.writing = undefined;
        if (this.dirty && !this.stopped) this.schedule(this.deps.coalesceMs ?? 20);
        else this.wakeIdle();
      });
    }, ms);
  }

  private async flush(): Promise<void> {
    if (!this.dirty || !this.want || this.stopped) return;
    this.dirty = false;
    const want = this.want;
    try {
      await this.write(want);
      this.backoff.reset();
    } catch (err) {
      if (isNetworkError(err)) {
        // The API server is away: keep the latest status and try again later.
        this.dirty = true;
        this.deps.logger.debug('status write failed, will retry', { alloc: this.name, err });
        const wait = this.backoff.next();
        await new Promise<void>((resolve) => {
          this.timer = this.deps.clock.setTimeout(() => {
            this.timer = undefined;
            resolve();
          }, wait);
        });
        return;
      }
      this.deps.logger.error('status write failed', { alloc: this.name, err });
    }
  }

  private async write(want: OwnedStatus): Promise<void> {
    let current = newest(this.deps.cached(), this.lastWritten);
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES && !this.stopped; attempt++) {
      if (!current) current = await this.get();
      if (!current) return;
      // The allocation was deleted and re-created under the same name: its status is not ours to write.
      if (this.uid && current.metadata.uid !== this.uid) return;
      // Ready / Reconciling / Stalled follow from what is written, the spec included (a stop the plan asked for).
      const status = withAllocationConditions({ ...current, status: mergeOwned(current.status ?? {}, want) }, this.deps.clock.now());
      if (sameJson(status, current.status ?? {})) return;
      try {
        this.lastWritten = await this.deps.allocs.updateStatus({ ...current, status });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        current = undefined;
      }
    }
  }

  private async get(): Promise<Allocation | undefined> {
    try {
      return await this.deps.allocs.get(this.name, { namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * The stored status with the agent's fields replaced (fields the agent leaves undefined are kept). A `lost`
 * client status is the cluster's verdict and final: the agent still reports its tasks, never over the verdict
 * (an agent back from the dead may report what it ran before it learns the allocation was replaced).
 */
export function mergeOwned(current: AllocationStatus, want: OwnedStatus): AllocationStatus {
  const out: AllocationStatus = { ...current };
  for (const [k, v] of Object.entries(want) as Array<[keyof OwnedStatus, unknown]>) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (current.clientStatus === 'lost') {
    out.clientStatus = 'lost';
    out.clientDescription = current.clientDescription;
  }
  if (want.conditions) {
    const ours = new Set(want.conditions.map((c) => c.type));
    out.conditions = [...(current.conditions ?? []).filter((c) => !ours.has(c.type)), ...want.conditions];
  }
  return out;
}

function newest(a: Allocation | undefined, b: Allocation | undefined): Allocation | undefined {
  if (!a || !b) return a ?? b;
  if (a.metadata.uid !== b.metadata.uid) return a;
  return Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion) ? b : a;
}

function sameJson(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
}
