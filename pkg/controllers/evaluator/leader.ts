// Running the evaluator under leader election: every control-plane process campaigns for the Lease
// `drover-system/drover-evaluator`; only the holder runs an evaluator (one active evaluator in the cluster, so
// two never race to create the same evaluations). A term starts a fresh evaluator over the process's shared
// informers and stops it when leadership ends; the elector hands the lease on only after it has stopped. A
// failed start is retried with backoff (runElected).
import { runElected, type ControllerHost, type Elected, type ElectedOptions } from '../runtime/index.ts';
import { createEvaluator, type EvaluatorOptions } from './evaluator.ts';

/** Name of the evaluator's leader-election Lease (in drover-system). */
export const EVALUATOR_LEASE = 'drover-evaluator';

/** Options of startEvaluator. */
export interface RunEvaluatorOptions extends EvaluatorOptions, ControllerHost {
  /** This candidate's unique identity (e.g. host-pid-random). */
  identity?: string;
  /** Leader election timings (defaults: Kubernetes' 15 s / 10 s / 2 s). */
  timings?: ElectedOptions['timings'];
}

/** A campaigning evaluator: isLeader() says whether this process runs it now. */
export type RunningEvaluator = Elected;

/** Campaign for the evaluator lease and run the evaluator while holding it. */
export function startEvaluator(opts: RunEvaluatorOptions): Promise<RunningEvaluator> {
  const logger = opts.logger.child({ component: 'evaluator', identity: opts.identity });
  return runElected({
    client: opts.client,
    clock: opts.clock,
    logger,
    leaseName: EVALUATOR_LEASE,
    identity: opts.identity,
    timings: opts.timings,
    async start() {
      const evaluator = createEvaluator(opts);
      try {
        await evaluator.start();
      } catch (err) {
        await evaluator.stop();
        throw err;
      }
      return evaluator;
    },
  });
}
