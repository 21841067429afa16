// Running work only while this process leads: a LeaderElector on a Lease in `drover-system` starts the work at
// the start of each term and stops it (and waits for it) at the end, so two processes never run it at once.
// A start that fails is retried with backoff while the lease is held; work that fails after starting gives the
// lease up, so another candidate (or this one, on its next campaign) starts it afresh. Used by every
// leader-elected controller (evaluator, health, drain, and the controllers to come).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '../../client/client.ts';
import { ensureNamespace } from '../../client/namespaces.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Backoff, type BackoffOptions } from '../../retry/backoff.ts';
import { LeaderElector, type LeaderElectorOptions } from './leaderelection.ts';
import { clientLeaseClient, type LeaseClient } from './leaseclient.ts';

/** Namespace of the control plane's leader-election Leases. */
export const SYSTEM_NAMESPACE = 'drover-system';

/** Retries of a failed start: 500 ms doubling up to 30 s. */
export const DEFAULT_START_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/** A unique identity for one candidate: host, pid and a random suffix (two runs on one host differ). */
export function candidateIdentity(component: string): string {
  return `${hostname()}-${process.pid}-${component}-${randomUUID().slice(0, 8)}`;
}

/** What a term's start() returns: a way to stop the work, and optionally a promise that settles if it ends by itself. */
export interface ElectedWork {
  /** Stop the work; resolves when it has stopped. */
  stop(): Promise<void>;
  /** Settles only if the work ends on its own (a crash): the term then gives the lease up. */
  done?: Promise<unknown>;
}

/** Options of runElected. */
export interface ElectedOptions {
  client: Client;
  clock: Clock;
  logger: Logger;
  /** Lease name, e.g. `health-controller`. */
  leaseName: string;
  identity?: string;
  /** Elector timings (defaults: Kubernetes' 15 s / 10 s / 2 s). */
  timings?: Pick<LeaderElectorOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>;
  /** Start the work of one term; `signal` aborts when the term ends (also during a slow start). */
  start(signal: AbortSignal): Promise<ElectedWork>;
  /** Retry delays of a failed start (default 500 ms doubling to 30 s). */
  startBackoff?: BackoffOptions;
  /** The lease store (default: Leases in drover-system through `client`). */
  leaseClient?: LeaseClient;
}

/** A started election loop. */
export interface Elected {
  isLeader(): boolean;
  /** Stop campaigning; resolves once the current term's work has stopped and the lease is released. */
  stop(): Promise<void>;
}

/** Campaign for `leaseName` until stopped, running the work during each term won. */
export async function runElected(opts: ElectedOptions): Promise<Elected> {
  if (!opts.leaseClient) await ensureNamespace(opts.client, SYSTEM_NAMESPACE);
  const log = opts.logger.child({ lease: opts.leaseName });
  const stopping = new AbortController();
  const elector = new LeaderElector({
    leaseName: opts.leaseName,
    leaseClient: opts.leaseClient ?? clientLeaseClient(opts.client, SYSTEM_NAMESPACE),
    identity: opts.identity ?? candidateIdentity(opts.leaseName),
    clock: opts.clock,
    logger: log,
    ...opts.timings,
    // The elector logs becoming and ceasing to be leader, and gives the lease up when this throws.
    onStartedLeading: (signal) => term(opts, log, signal),
  });
  const done = elector.runUntilStopped(stopping.signal);
  return {
    isLeader: () => elector.isLeader(),
    async stop() {
      stopping.abort();
      await done;
    },
  };
}

/** One term: start (retrying with backoff), then run until the term ends or the work ends by itself. */
async function term(opts: ElectedOptions, log: Logger, signal: AbortSignal): Promise<void> {
  const backoff = new Backoff(opts.startBackoff ?? DEFAULT_START_BACKOFF);
  while (!signal.aborted) {
    let work: ElectedWork;
    try {
      work = await opts.start(signal);
    } catch (err) {
      if (signal.aborted) return;
      const retryInMs = backoff.next();
      log.warn('starting the leader work failed; retrying', { err, attempt: backoff.attempts(), retryInMs });
      await sleep(opts.clock, retryInMs, signal);
      continue;
    }
    let failure: unknown;
    const ended = work.done?.then(
      () => new Error('the leader work ended by itself'),
      (err: unknown) => err ?? new Error('the leader work failed'),
    );
    const outcome = await Promise.race([untilAborted(signal).then(() => undefined), ended ?? new Promise<undefined>(() => {})]);
    if (outcome !== undefined) failure = outcome;
    await work.stop();
    if (failure !== undefined) throw failure;
    return;
  }
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Wait `ms` on `clock`, or less if `signal` aborts first. */
function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(done, ms);
    function done() {
      timer.cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
