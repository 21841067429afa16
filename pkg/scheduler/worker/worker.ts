// One scheduler worker: take a candidate from the broker, claim it, supersede the job's older evaluations,
// process it while renewing the claim, and ack (the outcome written by the plan commit) or nack (redelivered
// after a delay). Past the delivery limit the evaluation fails and a follow-up is created.
import type { Evaluation } from '../../../api/schemas/index.ts';
import { isConflict } from '../../apierrors/status.ts';
import type { Logger } from '../../log/logger.ts';
import type { Timer } from '../../clock/clock.ts';
import type { Candidate, EvalBroker } from './broker.ts';
import { EvalClaims, holds, tokenOf, type ClaimToken } from './claims.ts';
import { failedOutcome } from './outcome.ts';
import { processEval, submitOutcome, type ProcessDeps } from './process.ts';

/** What a worker needs besides its identity. */
export interface WorkerDeps extends Omit<ProcessDeps, 'signal' | 'logger'> {
  broker: EvalBroker;
  claims: EvalClaims;
  logger: Logger;
  /** Aborted when the scheduler stops. */
  stopping: AbortSignal;
}

/** Run one worker until the broker closes. */
export async function runWorker(deps: WorkerDeps, identity: string): Promise<void> {
  const log = deps.logger.child({ worker: identity });
  for (;;) {
    const cand = await deps.broker.next();
    if (!cand) return;
    try {
      await handle(deps, cand, identity, log);
    } catch (err) {
      log.warn('evaluation handling failed', { eval: cand.eval.metadata.name, err });
    } finally {
      deps.broker.done(cand.job);
    }
  }
}

async function handle(deps: WorkerDeps, cand: Candidate, identity: string, log: Logger): Promise<void> {
  const { claims, broker } = deps;
  if (deps.stopping.aborted) return;
  const claimed = await claims.claim(cand.eval, identity);
  // Whatever happens next, the informer's copy is out of date: do not pick it again until it changes.
  broker.lostClaim(cand.eval);
  if (!claimed) return;
  const token = tokenOf(claimed);
  const ours = await takeJob(deps, cand, claimed, log);
  if (!ours) return;
  const run = new ClaimRun(deps, ours, token, log);
  deps.hooks.onProcessStart?.(claimed, identity);
  const result = await run.process();
  deps.hooks.onProcessEnd?.(claimed, identity, result);
  if (result === 'acked') await cancelBlocked(deps, claimed, run.outcomeBlockedEval);
}

/**
 * Make the job ours: every other pending evaluation of the job we know of is written by CAS — canceled when it
 * is due (superseded), touched when it waits for its time. A worker that claimed one of them first makes our
 * write fail: then the job is in flight there and we hand our claim back. Conversely a worker that has not yet
 * seen our claim fails its own claim on them. Finally our claim is renewed, so the plan commit's freshness
 * check (which follows the claim's revision) covers every write another worker made before we took the job.
 */
async function takeJob(deps: WorkerDeps, cand: Candidate, claimed: Evaluation, log: Logger): Promise<Evaluation | undefined> {
  const { claims } = deps;
  const by = claimed.metadata.name;
  const writes = [
    ...cand.superseded.map((e) => () => claims.cancel(e, `superseded by ${by}`)),
    ...cand.deferred.map((e) => () => claims.touch(e, `waiting; job in flight with ${by}`)),
  ];
  if (writes.length === 0) return claimed;
  for (const write of writes) {
    if (await write()) continue;
    log.debug('job already in flight elsewhere, releasing claim', { eval: by });
    await claims.release(claimed, cand.eval);
    return undefined;
  }
  const renewed = await claims.renew(claimed);
  if (!renewed) log.debug('claim moved while taking the job', { eval: by });
  return renewed;
}

/** One claimed evaluation being processed: renewal, then ack / nack / fail. */
class ClaimRun {
  private current: Evaluation;
  private readonly abort = new AbortController();
  private renewTimer?: Timer;
  /** The blocked evaluation the outcome created or kept, if any. */
  outcomeBlockedEval?: string;

  constructor(private readonly deps: WorkerDeps, ev: Evaluation, private readonly token: ClaimToken, private readonly log: Logger) {
    this.current = ev;
  }

  async process(): Promise<'acked' | 'nacked' | 'failed' | 'lost'> {
    const { config } = this.deps;
    const onStop = () => this.abort.abort(new Error('scheduler stopping'));
    this.deps.stopping.addEventListener('abort', onStop, { once: true });
    const pdeps: ProcessDeps = { ...this.deps, logger: this.log, signal: this.abort.signal };
    try {
      if (this.token.deliveries > config.deliveryLimit) return await this.fail(pdeps, `delivery limit of ${config.deliveryLimit} reached`);
      this.scheduleRenew();
      const res = await processEval(pdeps, this.current, this.token);
      const ev = res.evaluation;
      this.outcomeBlockedEval = ev?.status?.phase === 'blocked' ? ev.metadata.name : ev?.status?.blockedEval;
      return ev?.status?.phase === 'failed' ? 'failed' : 'acked';
    } catch (err) {
      if (this.abort.signal.aborted && this.deps.stopping.aborted) {
        // Shutting down: hand the evaluation back at once (if this fails, the claim simply expires).
        await this.deps.claims.nack(this.current, 'scheduler stopping', 0).catch(() => undefined);
        return 'lost';
      }
      if (isConflict(err) || this.abort.signal.aborted) {
        this.log.info('claim lost while processing', { eval: this.current.metadata.name, err });
        return 'lost';
      }
      this.log.warn('processing failed', { eval: this.current.metadata.name, deliveries: this.token.deliveries, err });
      if (this.token.deliveries >= config.deliveryLimit) return await this.fail(pdeps, `processing failed ${this.token.deliveries} times: ${(err as Error).message}`);
      await this.deps.claims.nack(this.current, (err as Error).message ?? String(err), config.nackDelayMs);
      return 'nacked';
    } finally {
      this.renewTimer?.cancel();
      this.deps.stopping.removeEventListener('abort', onStop);
    }
  }

  /** Fail the evaluation with a follow-up, through the plan commit (atomic with the claim fence). */
  private async fail(pdeps: ProcessDeps, reason: string): Promise<'failed' | 'lost'> {
    const outcome = failedOutcome(this.current, this.token, reason, 'failed-follow-up', this.deps.clock.now(), this.deps.config.failedFollowupDelayMs);
    try {
      await submitOutcome(pdeps, this.current, this.token, outcome);
      return 'failed';
    } catch (err) {
      if (isConflict(err)) return 'lost';
      throw err;
    }
  }

  private scheduleRenew(): void {
    this.renewTimer = this.deps.clock.setTimeout(() => void this.renew(), this.deps.config.renewIntervalMs);
  }

  private async renew(): Promise<void> {
    if (this.abort.signal.aborted) return;
    try {
      let next = await this.deps.claims.renew(this.current);
      if (!next) {
        // Moved: by our own plan commit's outcome, or by someone taking the claim over.
        const fresh = await this.deps.claims.read(this.current);
        if (!holds(fresh, this.token)) return void this.abort.abort(new Error('claim lost'));
        next = await this.deps.claims.renew(fresh!);
      }
      if (next) this.current = next;
      this.scheduleRenew();
    } catch (err) {
      this.log.warn('claim renewal failed', { eval: this.current.metadata.name, err });
      this.scheduleRenew();
    }
  }
}

/** After an ack, older blocked evaluations of the job are redundant (best effort: a failed cancel is harmless). */
async function cancelBlocked(deps: WorkerDeps, ev: Evaluation, keep: string | undefined): Promise<void> {
  for (const b of deps.broker.blocked(ev.metadata.namespace ?? 'default', ev.spec.jobName)) {
    if (b.metadata.name === keep || b.metadata.name === ev.metadata.name) continue;
    await deps.claims.cancel(b, `superseded by ${ev.metadata.name}`).catch(() => false);
  }
}
