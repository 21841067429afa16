// Node heartbeats: one Lease per node (namespace `drover-node-lease`, named after the node, held by it),
// renewed by compare-and-swap, as the kubelet's node lease. The health controller judges a node by its lease's
// renewTime: a node whose lease has not been renewed for leaseDurationSeconds (+ grace) is down.
// HeartbeatScheduler spreads many nodes' renewals evenly over the interval, so 5,000 hollow nodes cost a steady
// 500 writes/s at a 10 s interval rather than 5,000 writes every 10 s.
import { API_VERSION } from '../../api/schemas/kind.ts';
import type { Lease } from '../../api/schemas/index.ts';
import { microTime } from '../../api/schemas/timestamp.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../apierrors/status.ts';
import type { Client, ResourceClient } from '../client/client.ts';
import type { Clock, Timer } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { Limiter } from './limiter.ts';
import { ensureNamespace } from '../client/namespaces.ts';
import { NODE_LEASE_NAMESPACE } from '../../api/schemas/well-known.ts';

export { ensureNamespace };

/** Time between renewals of one node's lease. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
/** A lease lives two intervals: one missed renewal is not yet an expiry. */
export const DEFAULT_NODE_LEASE_SECONDS = 20;

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

  /** Renew the lease once; a lost CAS race re-reads and tries once more, a vanished lease is re-created. */
  async renew(): Promise<Lease> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.lease = this.lease ? await this.opts.leases.update(this.next(this.lease)) : await this.create();
        return this.lease;
      } catch (err) {
        if (attempt >= 2 || !(isConflict(err) || isNotFound(err) || isAlreadyExists(err))) throw err;
        this.lease = await this.read();
      }
    }
  }

  private async create(): Promise<Lease> {
    const now = microTime(this.opts.clock.now());
    const lease: Lease = {
      apiVersion: API_VERSION,
      kind: 'Lease',
      metadata: { name: this.opts.nodeName, namespace: this.namespace },
      spec: { holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
    return this.opts.leases.create(lease);
  }

  private next(lease: Lease): Lease {
    const spec = lease.spec ?? {};
    return {
      ...lease,
      spec: { ...spec, holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(this.opts.clock.now()) },
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
  /** Renewals skipped because the previous one of the same lease was still in flight. */
  skipped: number;
}

/** Renews many NodeLeases, each every interval, their phases spread evenly over the interval. */
export class HeartbeatScheduler {
  private readonly intervalMs: number;
  private readonly limiter: Limiter;
  private readonly timers = new Map<NodeLease, Timer>();
  private readonly inFlight = new Set<NodeLease>();
  private readonly counters: HeartbeatStats = { renewals: 0, failures: 0, skipped: 0 };
  private stopped = false;

  constructor(private readonly opts: HeartbeatSchedulerOptions) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.limiter = new Limiter(opts.concurrency ?? 16);
  }

  /** Start renewing `leases`: the i-th of n first renews after i/n of an interval, then every interval. */
  start(leases: NodeLease[]): void {
    leases.forEach((lease, i) => this.arm(lease, Math.floor((i / leases.length) * this.intervalMs)));
  }

  /** Stop every timer; renewals in flight finish on their own. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** Renewal counters so far. */
  stats(): HeartbeatStats {
    return { ...this.counters };
  }

  private arm(lease: NodeLease, delayMs: number): void {
    if (this.stopped) return;
    this.timers.set(lease, this.opts.clock.setTimeout(() => this.beat(lease), delayMs));
  }

  private beat(lease: NodeLease): void {
    this.arm(lease, this.intervalMs);
    // A renewal slower than a whole interval must not pile up behind itself: skip this beat.
    if (this.inFlight.has(lease)) {
      this.counters.skipped++;
      return;
    }
    this.inFlight.add(lease);
    void this.limiter
      .run(() => lease.renew())
      .then(
        () => this.counters.renewals++,
        (err) => {
          this.counters.failures++;
          this.opts.logger.warn('node lease renewal failed', { node: lease.nodeName, err });
        },
      )
      .finally(() => this.inFlight.delete(lease));
  }
}
