// Running a controller only while this process leads: a LeaderElector on a Lease in `drover-system` starts the
// controller at the start of each term and stops it (and waits for it) at the end, so two processes never run
// the same controller at once. Shared by the health and drain components.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isAlreadyExists, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { ensureNamespace } from '../../client/namespaces.ts';
import { LeaderElector, clientLeaseClient, type LeaderElectorOptions } from '../runtime/index.ts';

export { ensureNamespace };

/** Namespace of the controllers' leader-election Leases. */
export const SYSTEM_NAMESPACE = 'drover-system';


/** A unique identity for one candidate: host, pid and a random suffix (two runs on one host differ). */
export function candidateIdentity(component: string): string {
  return `${hostname()}-${process.pid}-${component}-${randomUUID().slice(0, 8)}`;
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
  /** Lead: run until `signal` aborts, then return once everything is stopped. */
  lead(signal: AbortSignal): Promise<void>;
}

/** A started election loop. */
export interface Elected {
  isLeader(): boolean;
  /** Stop campaigning; resolves once the current term's work has returned and the lease is released. */
  stop(): Promise<void>;
}

/** Campaign for `leaseName` until stopped, running `lead` during each term won. */
export async function runElected(opts: ElectedOptions): Promise<Elected> {
  await ensureNamespace(opts.client, SYSTEM_NAMESPACE);
  const stopping = new AbortController();
  const elector = new LeaderElector({
    leaseName: opts.leaseName,
    leaseClient: clientLeaseClient(opts.client, SYSTEM_NAMESPACE),
    identity: opts.identity ?? candidateIdentity(opts.leaseName),
    clock: opts.clock,
    logger: opts.logger,
    ...opts.timings,
    // The elector logs becoming and ceasing to be leader itself.
    onStartedLeading: async (signal) => {
      try {
        await opts.lead(signal);
      } catch (err) {
        opts.logger.error('leader work failed', { lease: opts.leaseName, err: err instanceof Error ? err.message : err });
      }
    },
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

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
