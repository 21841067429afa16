// Leader election on a Lease by compare-and-swap, after client-go's leaderelection package. A candidate takes
// the lease when it is absent, released, held by itself, or expired; it judges expiry by its OWN clock from the
// moment it first saw the current record (never by the remote renewTime), so clock skew between machines does
// not matter, only clock rate. The leader renews every retryPeriod and steps down when it has not renewed for
// renewDeadline, which is shorter than leaseDuration so it stops before anyone else may start.
import { microTime } from '../../../api/schemas/timestamp.ts';
import { LEASE_API_VERSION } from '../../../api/schemas/misc.ts';
import { isAlreadyExists, isConflict } from '../../apierrors/status.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { Lease, LeaseClient, LeaseSpec } from './leaseclient.ts';

/** Kubernetes' default lease duration. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
/** Kubernetes' default renew deadline. */
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
/** Kubernetes' default retry period. */
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's jitter on acquisition retries. */
export const DEFAULT_JITTER_FACTOR = 1.2;

/** Options of a LeaderElector. */
export interface LeaderElectorOptions {
  /** Name of the Lease object. */
  leaseName: string;
  leaseClient: LeaseClient;
  /** This candidate's unique identity (e.g. hostname + pid + random suffix). */
  identity: string;
  clock: Clock;
  logger: Logger;
  /** How long others wait after the last observed change before taking over (default 15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before stepping down (default 10 s). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
  /** Acquisition retries wait retryPeriod·(1 + random·jitterFactor) so candidates spread out (default 1.2). */
  jitterFactor?: number;
  /** Random source in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
  /**
   * Release the lease (empty holderIdentity) when stopped, so another candidate takes over at its next retry
   * instead of after leaseDuration (default true). Safe because the release waits for onStartedLeading's work.
   */
  releaseOnCancel?: boolean;
  /**
   * Called on becoming leader. `signal` aborts when leadership ends; the work must stop when it does. If it
   * returns a promise, the elector waits for it before releasing the lease and calling onStoppedLeading. If
   * that promise rejects while leading, the elector steps down and releases the lease (then campaigns again).
   */
  onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  /** Called after leadership ended (lost or stopped). */
  onStoppedLeading?: () => void;
  /** Called when a different (non-empty) holder is observed, including this candidate itself. */
  onNewLeader?: (identity: string) => void;
}

/** How a term of leadership ended. */
type TermEnd = 'lost' | 'stopped';

/** One candidate in a leader election over one Lease. */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly jitterFactor: number;
  private readonly random: () => number;
  private readonly log: Logger;
  /** The last record seen, and when (by our clock) we first saw it; the basis of expiry. */
  private observed?: { record: string; spec: LeaseSpec; at: number };
  /** The lease as we last wrote it (carries the resourceVersion used to release). */
  private held?: Lease;
  /** When (by our clock) the last successful write was sent. */
  private wroteAt = 0;
  private reportedLeader = '';
  private leading = false;
  private running = false;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.leaseDurationMs = opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = opts.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.jitterFactor = opts.jitterFactor ?? DEFAULT_JITTER_FACTOR;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger.child({ lease: opts.leaseName, identity: opts.identity });
    validateTimings(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs, this.jitterFactor);
    if (!opts.identity) throw new TypeError('leader election needs a non-empty identity');
  }

  /** Whether this candidate currently leads. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed on the lease ('' when released or never seen). */
  getLeader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /**
   * Campaign until leading, lead until leadership is lost or `signal` aborts, then return. One term only, as
   * client-go's Run: callers that want to campaign again call run() again (see runUntilStopped).
   */
  async run(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.running) throw new Error(`leader elector ${this.opts.identity} is already running`);
    this.running = true;
    try {
      if (!(await this.acquire(signal))) return;
      await this.lead(signal);
    } finally {
      this.running = false;
    }
  }

  /** Run terms one after the other until `signal` aborts: after losing the lease, campaign for it again. */
  async runUntilStopped(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.run(signal);
      if (!signal.aborted) await this.sleep(this.retryPeriodMs, signal);
    }
  }

  /** One term: start the leader's work, renew until lost or stopped, then wind down in a safe order. */
  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true;
    this.log.info('became leader');
    const term = new AbortController();
    // Work that throws gives the lease up: holding it with nothing running would stall the cluster until this
    // process dies, while another candidate could be doing the work.
    const gaveUp = new AbortController();
    const work = Promise.resolve()
      .then(() => this.opts.onStartedLeading?.(term.signal))
      .catch((err) => {
        this.log.error('leader work failed; giving up the lease', { err });
        gaveUp.abort();
      });
    const end = await this.renewLoop(AbortSignal.any([signal, gaveUp.signal]));
    this.leading = false;
    term.abort();
    this.log.info(end === 'lost' ? 'lost leadership: could not renew within the deadline' : 'stopped leading');
    // The old leader's work must be over before the lease is handed on, or two leaders would act at once.
    await work;
    if (end === 'stopped' && (gaveUp.signal.aborted || this.opts.releaseOnCancel !== false)) await this.release();
    this.callback('onStoppedLeading', () => this.opts.onStoppedLeading?.());
  }

  /** Run a user callback; its failure is logged, never allowed to break the election. */
  private callback(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(`${name} callback failed`, { err });
    }
  }

  /** Try until the lease is ours (true) or `signal` aborts (false). */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.debug('campaigning for the lease');
    for (;;) {
      if (signal.aborted) return false;
      const attempt = this.tryAcquireOrRenew();
      const outcome = await this.raceDeadline(attempt, this.clock.now() + this.renewDeadlineMs, signal);
      if (outcome === true) return true;
      if (signal.aborted) {
        // An attempt still in flight may yet win the lease; hand it straight back rather than sit on it.
        void attempt.then(async (won) => {
          if (won && this.opts.releaseOnCancel !== false) await this.release();
        });
        return false;
      }
      const jittered = this.retryPeriodMs * (1 + this.random() * this.jitterFactor);
      if (!(await this.sleep(jittered, signal))) return false;
    }
  }

  /** Renew every retryPeriod; step down once renewDeadline has passed since the last successful renewal. */
  private async renewLoop(signal: AbortSignal): Promise<TermEnd> {
    // Counted from when the successful write was *sent*: others date their observation after it landed.
    let renewedAt = this.wroteAt;
    for (;;) {
      if (!(await this.sleep(this.retryPeriodMs, signal))) return 'stopped';
      for (;;) {
        const deadline = renewedAt + this.renewDeadlineMs;
        const started = this.clock.now();
        if (started >= deadline) return 'lost';
        const ok = await this.raceDeadline(this.tryAcquireOrRenew(), deadline, signal);
        if (signal.aborted) return 'stopped';
        if (ok === true) {
          renewedAt = this.wroteAt;
          break;
        }
        const left = deadline - this.clock.now();
        if (left <= 0) return 'lost';
        if (!(await this.sleep(Math.min(this.retryPeriodMs, left), signal))) return 'stopped';
      }
    }
  }

  /** One round of client-go's tryAcquireOrRenew: read, decide, write by CAS. True when we hold the lease now. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { leaseClient, leaseName, identity } = this.opts;
    let current: Lease | undefined;
    try {
      current = await leaseClient.get(leaseName);
    } catch (err) {
      this.log.warn('reading the lease failed', { err });
      return false;
    }
    const now = this.clock.now();
    if (!current) return this.write(() => leaseClient.create(this.newLease(now)), now);
    this.observe(current, now);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== identity && !this.expired(spec, now)) return false;
    const next: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: holder === identity ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: holder === identity ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + 1,
    };
    return this.write(() => leaseClient.update({ ...current, spec: next }), now);
  }

  /** Perform a create or CAS update; a lost race is normal and only logged at debug level. */
  private async write(op: () => Promise<Lease>, now: number): Promise<boolean> {
    try {
      const written = await op();
      this.held = written;
      this.wroteAt = now;
      this.observe(written, now);
      return true;
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) this.log.debug('lost a race for the lease', { err });
      else this.log.warn('writing the lease failed', { err });
      return false;
    }
  }

  /** Whether a record held by someone else has gone unchanged for its duration, by our clock. */
  private expired(spec: LeaseSpec, now: number): boolean {
    const durationMs = (spec.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    return this.observed !== undefined && this.observed.at + durationMs <= now;
  }

  /** Remember `lease`'s record, restarting the expiry clock only when the record changed. */
  private observe(lease: Lease, now: number): void {
    const spec = lease.spec ?? {};
    const record = recordKey(spec);
    if (this.observed?.record !== record) this.observed = { record, spec, at: now };
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.callback('onNewLeader', () => this.opts.onNewLeader?.(holder));
    }
  }

  /** Hand the lease back (empty holder) so the next candidate need not wait for expiry. */
  private async release(): Promise<void> {
    const held = this.held;
    if (held?.spec?.holderIdentity !== this.opts.identity) return;
    const now = this.clock.now();
    const spec: LeaseSpec = { ...held.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now) };
    try {
      this.held = await this.opts.leaseClient.update({ ...held, spec });
      this.log.info('released the lease');
    } catch (err) {
      // A conflict means someone else already wrote the lease: there is nothing of ours left to release.
      this.log.debug('could not release the lease', { err });
    }
  }

  private newLease(now: number): Lease {
    const spec: LeaseSpec = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    return { apiVersion: LEASE_API_VERSION, kind: 'Lease', metadata: { name: this.opts.leaseName }, spec };
  }

  private get clock(): Clock {
    return this.opts.clock;
  }

  /** `attempt`'s result, or 'timeout' / 'aborted' if the deadline or the signal comes first. */
  private raceDeadline(attempt: Promise<boolean>, deadline: number, signal: AbortSignal): Promise<boolean | 'timeout' | 'aborted'> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => finish('timeout'), Math.max(0, deadline - this.clock.now()));
      const onAbort = () => finish('aborted');
      const finish = (v: boolean | 'timeout' | 'aborted') => {
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      };
      if (signal.aborted) return finish('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      attempt.then(finish, () => finish(false));
    });
  }

  /** Wait `ms` on the injected clock; false if `signal` aborted first. */
  private sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const onAbort = () => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The fields whose change proves the holder is alive (metadata churn does not). */
function recordKey(spec: LeaseSpec): string {
  return JSON.stringify([spec.holderIdentity ?? '', spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
}

/** client-go's sanity rules: a leader must give up before others may take over, with room for a retry. */
function validateTimings(leaseDuration: number, renewDeadline: number, retryPeriod: number, jitter: number): void {
  if (!(retryPeriod > 0) || !(jitter >= 0)) throw new RangeError('retryPeriod must be > 0 and jitterFactor >= 0');
  if (!(leaseDuration > renewDeadline)) throw new RangeError('leaseDuration must be greater than renewDeadline');
  if (!(renewDeadline > jitter * retryPeriod)) throw new RangeError('renewDeadline must be greater than jitterFactor × retryPeriod');
}
