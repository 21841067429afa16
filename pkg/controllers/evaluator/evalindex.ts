// The evaluations the evaluator knows, indexed by job, fed by the evaluation informer AND by the evaluator's
// own writes (write-through). Without the write-through, two triggers for one job in quick succession would
// both miss the evaluation the first just created (the informer has not delivered it yet) and create two.
// Whichever copy has the higher resourceVersion wins; a deletion leaves a tombstone so a late write-through
// cannot bring a deleted evaluation back.
import type { Evaluation } from '../../../api/schemas/index.ts';
import { jobKeyOf } from '../../../api/schemas/job-key.ts';
import { evalPhase, rvOf } from './model.ts';

const keyOf = (e: Evaluation) => `${e.metadata.namespace ?? ''}/${e.metadata.name}`;

/** Evaluations by key and by job, plus the set of blocked ones. */
export class EvalIndex {
  private readonly byKey = new Map<string, Evaluation>();
  private readonly byJob = new Map<string, Set<string>>();
  private readonly blockedKeys = new Set<string>();
  private readonly tombstones = new Map<string, number>();

  /** Record `e` unless a newer copy (or its deletion) is already known. */
  upsert(e: Evaluation): void {
    const key = keyOf(e);
    const known = this.byKey.get(key);
    if (known && rvOf(known) > rvOf(e)) return;
    const deletedAt = this.tombstones.get(key);
    if (deletedAt !== undefined && deletedAt >= rvOf(e)) return;
    this.byKey.set(key, e);
    const jk = jobKeyOf(e);
    let set = this.byJob.get(jk);
    if (!set) this.byJob.set(jk, (set = new Set()));
    set.add(key);
    if (evalPhase(e) === 'blocked') this.blockedKeys.add(key);
    else this.blockedKeys.delete(key);
  }

  /** Forget `e` (deleted at or after its resourceVersion). */
  remove(e: Evaluation): void {
    const key = keyOf(e);
    this.tombstones.set(key, Math.max(rvOf(e), rvOf(this.byKey.get(key) ?? e)));
    this.byKey.delete(key);
    this.blockedKeys.delete(key);
    const jk = jobKeyOf(e);
    const set = this.byJob.get(jk);
    set?.delete(key);
    if (set?.size === 0) this.byJob.delete(jk);
  }

  /** The evaluation `namespace/name`. */
  get(namespace: string, name: string): Evaluation | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  /** Every evaluation of the job `namespace/name`. */
  ofJob(jobKey: string): Evaluation[] {
    return [...(this.byJob.get(jobKey) ?? [])].map((k) => this.byKey.get(k)!);
  }

  /** Keys (`namespace/name`) of the blocked evaluations. */
  blocked(): string[] {
    return [...this.blockedKeys];
  }

  /** Every evaluation. */
  all(): Evaluation[] {
    return [...this.byKey.values()];
  }

  /** Drop tombstones (they only matter for writes in flight around a deletion). */
  pruneTombstones(): void {
    this.tombstones.clear();
  }
}
