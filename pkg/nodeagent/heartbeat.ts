// Node heartbeats: one Lease per node (namespace `drover-node-lease`, named after the node, held by it),
// renewed by compare-and-swap, as the kubelet's node lease. The health controller judges a node by its lease's
// renewTime: a node whose lease has not been renewed for leaseDurationSeconds (+ grace) is down.
// HeartbeatScheduler spreads many nodes' renewals evenly over the interval, so 5,000 hollow nodes cost a steady
// 500 writes/s at a 10 s interval rather than 5,000 writes every 10 s.
import { LEASE_API_VERSION } from '../../api/schemas/misc.ts';
import type { Lease } from '../../api/schemas/index.ts';
import { microTime } from '../../api/schemas/timestamp.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../apierrors/status.ts';
import type { Client, ResourceClient } from '../client/client.ts';
import type { Clock, Timer } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { Limiter } from './limiter.ts';
import { backoffDelay, type BackoffOptions } from '../retry/backoff.ts';
import { ensureNamespace } from '../client/namespaces.ts';
import { NODE_LEASE_NAMESPACE } from '../../api/schemas/well-known.ts';

export { ensureNamespace };

/** Time between renewals of one node's lease. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
/** A lease lives two intervals: one missed renewal is not yet an expiry. */
export const DEFAULT_NODE_LEASE_SECONDS = 20;
/** Retries of a failed renewal: 250 ms doubling, capped by the caller at half an interval. */
export const RENEWAL_RETRY_INITIAL_MS = 250;
/** No retry comes sooner than this after the last one, however close the expiry. */
const RENEWAL_RETRY_MIN_MS = 100;

/**
 * The wait before retrying a renewal after `attempt` consecutive failures (1 = the first retry): exponential
 * backoff, but never more than half the time left until the lease expires, so however long the backoff has grown
 * there is always another try shortly before the expiry (at most RENEWAL_RETRY_MIN_MS·2 before it). Past the
 * expiry the backoff alone decides.
 */
export function renewalRetryDelay(attempt: number, now: number, expiresAt: number | undefined, backoff: BackoffOptions): number {
  const delay = backoffDelay(attempt - 1, backoff);
  if (expiresAt === undefined || now >= expiresAt) return delay;
  return Math.max(RENEWAL_RETRY_MIN_MS, Math.min(delay, (expiresAt - now) / 2));
}

/** The retry backoff of renewals at a heartbeat interval: 250 ms doubling to half an interval. */
export function renewalBackoff(intervalMs: number): BackoffOptions {
  return { initialMs: Math.min(RENEWAL_RETRY_INITIAL_MS, intervalMs / 2), maxMs: intervalMs / 2 };
}

/** Options of a NodeLease. */
export interface NodeLeaseOptions {
  leases: ResourceClient<Lease>;
  nodeName: string;
  clock: Clock;
  /** leaseDurationSeconds written on the lease (default 20). */
  durationSeconds?: number;
  namespace?: string;
}

/** One node's lease: `renew()` creates it the first time and then moves renewTime forward by CAS. */
export class NodeLease {
  private lease?: Lease;
  private renewedAt: number | undefined;
  private readonly namespace: string;
  private readonly durationSeconds: number;

  constructor(private readonly opts: NodeLeaseOptions) {
    this.namespace = opts.namespace ?? NODE_LEASE_NAMESPACE;
    this.durationSeconds = opts.durationSeconds ?? DEFAULT_NODE_LEASE_SECONDS;
  }

  /** The node this lease belongs to. */
  get nodeName(): string {
    return this.opts.nodeName;
  }

  /** The lease as last written (undefined before the first renewal). */
  current(): Lease | undefined {
    return this.lease;
  }

  /** When the lease as last written expires, by our clock (undefined before the first renewal). */
  expiresAt(): number | undefined {
    return this.renewedAt === undefined ? undefined : this.renewedAt + this.durationSeconds * 1000;
  }

  /** Renew the lease once; a lost CAS race re-reads and tries once more, a vanished lease is re-created. */
  async renew(): Promise<Lease> {
    for (let attempt = 1; ; attempt++) {
      try {
        // The renewTime written is taken now, before the request: the expiry must not be later than the server's.
        const at = this.opts.clock.now();
        this.lease = this.lease ? await this.opts.leases.update(this.next(this.lease, at)) : await this.create(at);
        this.renewedAt = at;
        return this.lease;
      } catch (err) {
        if (attempt >= 2 || !(isConflict(err) || isNotFound(err) || isAlreadyExists(err))) throw err;
        this.lease = await this.read();
      }
    }
  }

  private async create(at: number): Promise<Lease> {
    const now = microTime(at);
    const lease: Lease = {
      apiVersion: LEASE_API_VERSION,
      kind: 'Lease',
      metadata: { name: this.opts.nodeName, namespace: this.namespace },
      spec: { holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
    return this.opts.leases.create(lease);
  }

  private next(lease: Lease, at: number): Lease {
    const spec = lease.spec ?? {};
    return {
      ...lease,
      spec: { ...spec, holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(at) },
    };
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.opts.leases.get(this.opts.nodeName, { namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** Options of a HeartbeatScheduler. */
export interface HeartbeatSchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Time between renewals of each lease (default 10 s). */
  intervalMs?: number;
  /** Renewals in flight at once (default 16). */
  concurrency?: number;
}

/** Counters of a HeartbeatScheduler. */
export interface HeartbeatStats {
  renewals: number;
  failures: number;
  /** Renewals tried again after a failure, before the lease's next regular slot. */
  retries: number;
  /** Renewals skipped because the previous one of the same lease was still in flight. */
  skipped: number;
}

/**
 * Renews many NodeLeases, each every interval, their phases spread evenly over the interval. A failed renewal is
 * retried with backoff before the next slot, never letting the lease expire without another try (renewalRetryDelay).
 */
export class HeartbeatScheduler {
  private readonly intervalMs: number;
  private readonly limiter: Limiter;
  private readonly backoff: BackoffOptions;
  private readonly timers = new Map<NodeLease, { timer: Timer; at: number }>();
  private readonly retries = new Map<NodeLease, Timer>();
  private readonly inFlight = new Set<NodeLease>();
  private readonly counters: HeartbeatStats = { renewals: 0, failures: 0, retries: 0, skipped: 0 };
  private stopped = false;

  constructor(private readonly opts: HeartbeatSchedulerOptions) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.backoff = renewalBackoff(this.intervalMs);
    this.limiter = new Limiter(opts.concurrency ?? 16);
  }

  /** Start renewing `leases`: the i-th of n first renews after i/n of an interval, then every interval. */
  start(leases: NodeLease[]): void {
    leases.forEach((lease, i) => this.arm(lease, Math.floor((i / leases.length) * this.intervalMs)));
  }

  /** Stop every timer; renewals in flight finish on their own. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.timer.cancel();
    for (const t of this.retries.values()) t.cancel();
    this.timers.clear();
    this.retries.clear();
  }

  /** Renewal counters so far. */
  stats(): HeartbeatStats {
    return { ...this.counters };
  }

  private arm(lease: NodeLease, delayMs: number): void {
    if (this.stopped) return;
    this.timers.set(lease, { timer: this.opts.clock.setTimeout(() => this.beat(lease), delayMs), at: this.opts.clock.now() + delayMs });
  }

  private beat(lease: NodeLease): void {
    this.arm(lease, this.intervalMs);
    this.retries.get(lease)?.cancel();
    this.retries.delete(lease);
    // A renewal slower than a whole interval must not pile up behind itself: skip this beat.
    if (this.inFlight.has(lease)) {
      this.counters.skipped++;
      return;
    }
    this.renew(lease, 0);
  }

  private renew(lease: NodeLease, failures: number): void {
    this.inFlight.add(lease);
    void this.limiter
      .run(() => lease.renew())
      .then(
        () => this.counters.renewals++,
        (err) => {
          this.counters.failures++;
          this.opts.logger.warn('node lease renewal failed', { node: lease.nodeName, err, failures: failures + 1 });
          this.retryLater(lease, failures + 1);
        },
      )
      .finally(() => this.inFlight.delete(lease));
  }

  // Try again before the next slot; when the slot comes first, the slot's beat is the retry.
  private retryLater(lease: NodeLease, failures: number): void {
    if (this.stopped) return;
    const now = this.opts.clock.now();
    const delay = renewalRetryDelay(failures, now, lease.expiresAt(), this.backoff);
    const slot = this.timers.get(lease);
    if (slot && now + delay >= slot.at) return;
    this.retries.set(lease, this.opts.clock.setTimeout(() => {
      this.retries.delete(lease);
      if (this.stopped || this.inFlight.has(lease)) return;
      this.counters.retries++;
      this.renew(lease, failures);
    }, delay));
  }
}
