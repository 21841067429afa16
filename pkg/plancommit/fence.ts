// The evaluation fence: every transaction of a plan commit compares the evaluation's mod revision, so a worker
// whose claim was taken over (expired and redelivered, or the evaluation canceled) cannot commit another byte.
// The worker's own claim renewals also move the revision: then the fence re-reads, sees the claim still held by
// the same delivery, and the transaction is retried.
import type { Evaluation } from '../../api/schemas/index.ts';
import { GROUP } from '../../api/schemas/kind.ts';
import { apiError, conflict, notFound } from '../apierrors/status.ts';
import { decodeStored } from '../apiserver/codec.ts';
import type { Compare, Store } from '../storage/store.ts';
import type { PlanRequest } from '../scheduler/plan/wire.ts';

/** The evaluation a plan is committed for, and the revision its transactions compare. */
export class Fence {
  eval!: Evaluation;
  rev = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly store: Store,
    readonly key: string,
    private readonly name: string,
    private readonly claim: PlanRequest['claim'],
  ) {}

  /** Read the evaluation and check that the claim still holds: 404 when absent, 409 when not ours or finished. */
  async load(): Promise<void> {
    const { kv } = await this.store.get(this.key);
    if (!kv) throw notFound({ group: GROUP, kind: 'evaluations', name: this.name });
    const ev = decodeStored(kv) as Evaluation;
    const phase = ev.status?.phase ?? 'pending';
    if (phase !== 'pending') throw conflict({ group: GROUP, kind: 'evaluations', name: this.name }, `the evaluation is ${phase}`);
    const held = ev.status?.claimedBy;
    if (this.claim) {
      if (held !== this.claim.claimedBy || (ev.status?.deliveries ?? 0) !== this.claim.deliveries) {
        throw conflict({ group: GROUP, kind: 'evaluations', name: this.name }, `the claim of ${this.claim.claimedBy} (delivery ${this.claim.deliveries}) is no longer held`);
      }
    } else if (held) {
      throw conflict({ group: GROUP, kind: 'evaluations', name: this.name }, `the evaluation is claimed by ${held}; submit the plan with that claim`);
    }
    this.eval = ev;
    this.rev = kv.modRevision;
  }

  /** Re-read after a failed compare (concurrent callers share one read). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** The compare every transaction carries. */
  compare(): Compare {
    return { key: this.key, target: 'mod', equals: this.rev };
  }
}

/** A 503 for a commit that kept losing races (the worker retries it). */
export function contention(what: string) {
  return apiError('ServiceUnavailable', `plan commit: too much contention on ${what}`, { retryAfterSeconds: 1 });
}
