// Claiming, renewing, releasing, nacking and canceling evaluations: each one a compare-and-swap through the
// /status subresource (PUT with the resourceVersion the worker last saw; 409 Conflict when it moved). The claim
// is (claimedBy, deliveries): the plan commit fences on it, so a worker whose claim was taken over can no
// longer write.
import type { Evaluation, EvaluationStatus } from '../../../api/schemas/index.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import type { Client, ResourceClient } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';

/** The fencing token of a claim. */
export interface ClaimToken {
  claimedBy: string;
  deliveries: number;
}

/** RFC 3339 with milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Status writes on evaluations for one worker identity. */
export class EvalClaims {
  private readonly evals: ResourceClient<Evaluation>;

  constructor(client: Client, private readonly clock: Clock, private readonly leaseMs: number) {
    this.evals = client.resource<Evaluation>('evaluations');
  }

  /** Claim `e` as `worker` (deliveries + 1); undefined when another writer got there first. */
  async claim(e: Evaluation, worker: string): Promise<Evaluation | undefined> {
    const status: EvaluationStatus = { ...e.status, phase: 'pending', claimedBy: worker, claimExpiresAt: iso(this.clock.now() + this.leaseMs), deliveries: (e.status?.deliveries ?? 0) + 1 };
    return this.write(e, status);
  }

  /** Extend the claim; undefined when the evaluation moved (the caller checks whether it is still ours). */
  renew(e: Evaluation): Promise<Evaluation | undefined> {
    return this.write(e, { ...e.status, claimExpiresAt: iso(this.clock.now() + this.leaseMs) });
  }

  /** Give the claim back without counting a delivery (we could not take the job's other evaluations). */
  release(e: Evaluation, before: Evaluation): Promise<Evaluation | undefined> {
    const status: EvaluationStatus = { ...e.status, deliveries: before.status?.deliveries ?? 0 };
    delete status.claimedBy;
    delete status.claimExpiresAt;
    return this.write(e, status);
  }

  /** Processing failed: keep the claim until `delayMs` from now, then any worker may deliver it again. */
  nack(e: Evaluation, reason: string, delayMs: number): Promise<Evaluation | undefined> {
    return this.write(e, { ...e.status, claimExpiresAt: iso(this.clock.now() + delayMs), statusDescription: `nacked: ${reason}`.slice(0, 1024) });
  }

  /** Cancel `e` (superseded by `by`); false when it moved meanwhile (someone may have claimed it). */
  async cancel(e: Evaluation, description: string): Promise<boolean> {
    const status: EvaluationStatus = { ...e.status, phase: 'canceled', statusDescription: description };
    delete status.claimedBy;
    delete status.claimExpiresAt;
    return (await this.write(e, status)) !== undefined;
  }

  /** Write `e` unchanged but for a note (a CAS on its resourceVersion); false when it moved meanwhile. */
  async touch(e: Evaluation, description: string): Promise<boolean> {
    return (await this.write(e, { ...e.status, phase: 'pending', statusDescription: description })) !== undefined;
  }

  /** The evaluation as the API server has it now (undefined when deleted). */
  async read(e: Evaluation): Promise<Evaluation | undefined> {
    try {
      return await this.evals.get(e.metadata.name, { namespace: e.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async write(e: Evaluation, status: EvaluationStatus): Promise<Evaluation | undefined> {
    try {
      return await this.evals.updateStatus({ ...e, status });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** The claim token an evaluation carries. */
export function tokenOf(e: Evaluation): ClaimToken {
  return { claimedBy: e.status?.claimedBy ?? '', deliveries: e.status?.deliveries ?? 0 };
}

/** Whether `e` still carries `token`. */
export function holds(e: Evaluation | undefined, token: ClaimToken): boolean {
  return !!e && (e.status?.phase ?? 'pending') === 'pending' && e.status?.claimedBy === token.claimedBy && (e.status?.deliveries ?? 0) === token.deliveries;
}
