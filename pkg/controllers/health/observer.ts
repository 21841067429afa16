// Heartbeat expiry judged by our own clock, as client-go's leader election judges a lease: we note WHEN we first
// saw each version of a node's lease (its renewTime), and call the node expired once that version has stayed
// unchanged for ttl + grace on our clock. The remote renewTime is only compared for equality, never with our
// time, so a node (or API server) whose clock is off by minutes is judged correctly.
import type { Lease } from '../../../api/schemas/index.ts';

/** Nomad's default heartbeat TTL, used when a lease does not state its own leaseDurationSeconds. */
export const DEFAULT_TTL_MS = 10_000;
/** Nomad's default heartbeat grace: how long past the TTL a node may stay silent before it is down. */
export const DEFAULT_GRACE_MS = 10_000;

/** How a node's heartbeat looks right now. */
export interface HeartbeatState {
  /** The lease has not changed for ttl + grace by our clock (or never existed for that long). */
  expired: boolean;
  /** When (our clock) it expires if nothing changes. */
  expiresAt: number;
  /** Milliseconds since we first saw the current lease version, less the time the control plane was stalled. */
  silentForMs: number;
  /** The lease changed since the baseline: since we first looked at the node, or since we marked it down. */
  renewedSinceBaseline: boolean;
}

/** What one version of a lease is, for comparison: absent, or a holder's renewTime under one uid. */
export function leaseRecord(lease: Lease | undefined): string {
  if (!lease) return 'absent';
  const spec = lease.spec ?? {};
  // renewTime is what a renewal moves; uid tells a deleted-and-recreated lease from the old one.
  return JSON.stringify([lease.metadata.uid ?? '', spec.holderIdentity ?? '', spec.renewTime ?? '', spec.acquireTime ?? '']);
}

interface Observation {
  record: string;
  /** Our clock when we first saw `record`. */
  at: number;
  /** The control plane's stalled total (progress.ts) when we first saw `record`. */
  stalledAt: number;
  /** The record a renewal must differ from before a node we marked down counts as back. */
  baseline: string;
}

/** Options of a LeaseObserver. */
export interface LeaseObserverOptions {
  /** TTL when the lease carries no leaseDurationSeconds; when `overrideTtl` is set, for every lease. */
  ttlMs?: number;
  /** Ignore the leases' own leaseDurationSeconds and always use ttlMs. */
  overrideTtl?: boolean;
  graceMs?: number;
}

/**
 * Remembers, per node, the last lease version seen and when. Lives for one leadership term: a new leader starts
 * with no observations, so it waits a full ttl + grace before it calls anyone down (as a new client-go
 * candidate waits a full lease duration), and it never treats a lease it merely found as a renewal.
 */
export class LeaseObserver {
  private readonly seen = new Map<string, Observation>();
  private readonly ttlMs: number;
  private readonly graceMs: number;

  constructor(private readonly opts: LeaseObserverOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  }

  /**
   * Record what `nodeName`'s lease looks like at `now` (our clock) and judge it. `sign` is any other sign of life
   * the caller sees (a change of it counts like a renewal). `stalledMs` is the control plane's stalled total so
   * far (progress.ts): time it was stalled does not count as the node's silence.
   */
  observe(nodeName: string, lease: Lease | undefined, now: number, sign = '', stalledMs = 0): HeartbeatState {
    const record = leaseRecord(lease) + sign;
    let o = this.seen.get(nodeName);
    if (!o) this.seen.set(nodeName, (o = { record, at: now, stalledAt: stalledMs, baseline: record }));
    else if (o.record !== record) Object.assign(o, { record, at: now, stalledAt: stalledMs });
    const silentForMs = now - o.at - Math.max(0, stalledMs - o.stalledAt);
    const expiresAt = now + this.ttlOf(lease) + this.graceMs - silentForMs;
    return { expired: now >= expiresAt, expiresAt, silentForMs, renewedSinceBaseline: o.record !== o.baseline };
  }

  /** Note that the node was marked down with its lease as currently observed: only a later renewal brings it back. */
  markDown(nodeName: string): void {
    const o = this.seen.get(nodeName);
    if (o) o.baseline = o.record;
  }

  /** Forget a node (it was deleted). */
  forget(nodeName: string): void {
    this.seen.delete(nodeName);
  }

  private ttlOf(lease: Lease | undefined): number {
    const declared = lease?.spec?.leaseDurationSeconds;
    return this.opts.overrideTtl || !declared ? this.ttlMs : declared * 1000;
  }
}
