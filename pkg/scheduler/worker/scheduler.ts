// startScheduler: the scheduler's distributed half in one process — informers (the ClusterView and the
// evaluation broker) shared by `workers` worker loops. Run it in as many processes as you like: claims and
// plan commits are compare-and-swaps on the API server, so nothing needs a leader.
import type { Evaluation } from '../../../api/schemas/index.ts';
import type { Client } from '../../client/client.ts';
import { SharedInformerFactory } from '../../client/shared-informer.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { EvalBroker } from './broker.ts';
import { EvalClaims } from './claims.ts';
import { workerConfig, type WorkerConfig } from './config.ts';
import type { WorkerHooks } from './process.ts';
import { ClusterView, type ViewKind } from './view.ts';
import { runWorker } from './worker.ts';

/** Options of startScheduler. */
export interface SchedulerOptions {
  client: Client;
  logger: Logger;
  clock: Clock;
  /** Worker loops in this process (default 2). */
  workers?: number;
  /** Names this process's claims (`<identity>/<n>` per worker); unique across processes (e.g. host-pid). */
  identity: string;
  config?: Partial<WorkerConfig>;
  /** Observation points for tests. */
  hooks?: WorkerHooks;
  /** The process's shared informers (default: a factory of the scheduler's own, stopped with it). */
  informers?: SharedInformerFactory;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Stop the workers (an evaluation being processed is handed back) and the informers. */
  stop(): Promise<void>;
  /** The revisions this process's informers have reached (tests wait on them; metrics may show them). */
  revisions(): Record<ViewKind | 'evaluations', number>;
}

/** Start informers and workers; resolves once the informers have listed. */
export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  const config = workerConfig(opts.config);
  const logger = opts.logger.child({ component: 'scheduler', identity: opts.identity });
  const informers = opts.informers ?? new SharedInformerFactory({ client: opts.client, logger, clock: opts.clock });
  const view = new ClusterView({ client: opts.client, logger, clock: opts.clock, informers });
  const evals = informers.informer<Evaluation>('evaluations');
  const broker = new EvalBroker(evals, opts.clock);
  const stopping = new AbortController();
  const stopInformers = () => {
    broker.close();
    view.stop();
    if (!opts.informers) informers.stop();
  };
  try {
    await Promise.all([view.start(), evals.start()]);
  } catch (err) {
    stopInformers();
    throw err;
  }
  const claims = new EvalClaims(opts.client, opts.clock, config.claimLeaseMs);
  const deps = { client: opts.client, view, clock: opts.clock, logger, config, hooks: opts.hooks ?? {}, broker, claims, stopping: stopping.signal };
  const n = opts.workers ?? 2;
  const loops = Array.from({ length: n }, (_, i) => runWorker(deps, `${opts.identity}/${i}`));
  logger.info('scheduler started', { workers: n });
  let stopped: Promise<void> | undefined;
  return {
    revisions: () => ({ ...view.revisions(), evaluations: Number(evals.lastSyncResourceVersion() || 0) }),
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        // Informers first: stopping the view also releases workers waiting for it to catch up.
        stopInformers();
        await Promise.all(loops);
        logger.info('scheduler stopped');
      })();
      return stopped;
    },
  };
}
