// Running the evaluator under leader election: every control-plane process campaigns for the Lease
// `drover-system/drover-evaluator`; only the holder runs an evaluator (one active evaluator in the cluster, so
// two never race to create the same evaluations). A term starts a fresh evaluator (informers listed anew) and
// stops it when leadership ends; the elector hands the lease on only after it has stopped.
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isAlreadyExists, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import { ensureNamespace } from '../../client/namespaces.ts';
import { LeaderElector } from '../runtime/leaderelection.ts';
import { clientLeaseClient } from '../runtime/leaseclient.ts';
import { createEvaluator, type EvaluatorOptions } from './evaluator.ts';

/** Namespace of the control plane's leases. */
export const CONTROL_PLANE_NAMESPACE = 'drover-system';
/** Name of the evaluator's leader-election Lease. */
export const EVALUATOR_LEASE = 'drover-evaluator';

/** Options of startEvaluator. */
export interface RunEvaluatorOptions extends EvaluatorOptions {
  /** This candidate's unique identity (e.g. host-pid-random). */
  identity: string;
  /** Leader election timings (defaults: Kubernetes' 15 s / 10 s / 2 s). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** A campaigning evaluator. */
export interface RunningEvaluator {
  /** Whether this process currently runs the evaluator. */
  isLeader(): boolean;
  /** Stop campaigning; if leading, stop the evaluator and release the lease. */
  stop(): Promise<void>;
}

/** Campaign for the evaluator lease and run the evaluator while holding it. */
export async function startEvaluator(opts: RunEvaluatorOptions): Promise<RunningEvaluator> {
  await ensureNamespace(opts.client, CONTROL_PLANE_NAMESPACE);
  const logger = opts.logger.child({ component: 'evaluator', identity: opts.identity });
  const elector = new LeaderElector({
    leaseName: EVALUATOR_LEASE,
    leaseClient: clientLeaseClient(opts.client, CONTROL_PLANE_NAMESPACE),
    identity: opts.identity,
    clock: opts.clock,
    logger,
    leaseDurationMs: opts.leaseDurationMs,
    renewDeadlineMs: opts.renewDeadlineMs,
    retryPeriodMs: opts.retryPeriodMs,
    onStartedLeading: (signal) => lead(opts, signal),
  });
  const campaign = new AbortController();
  const done = elector.runUntilStopped(campaign.signal);
  return {
    isLeader: () => elector.isLeader(),
    async stop() {
      campaign.abort();
      await done;
    },
  };
}

/** One term: run an evaluator until `signal` aborts; a failed start is retried with backoff meanwhile. */
async function lead(opts: RunEvaluatorOptions, signal: AbortSignal): Promise<void> {
  let backoffMs = 500;
  while (!signal.aborted) {
    const evaluator = createEvaluator(opts);
    try {
      await evaluator.start();
    } catch (err) {
      opts.logger.warn('starting the evaluator failed; retrying', { err, backoffMs });
      await evaluator.stop();
      await sleep(opts, backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, 30_000);
      continue;
    }
    await sleep(opts, Number.POSITIVE_INFINITY, signal);
    await evaluator.stop();
  }
}

function sleep(opts: RunEvaluatorOptions, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? opts.clock.setTimeout(done, ms) : undefined;
    function done() {
      timer?.cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

