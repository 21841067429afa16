// Every write the evaluator makes. Evaluations: created (then marked pending through /status), canceled when
// superseded and unblocked, each status change a compare-and-swap on the copy last seen; a lost race re-reads
// and re-checks the rule, so an evaluation a worker has meanwhile claimed is never touched. Per job, the
// check "is an equivalent evaluation already pending?" and the creation run under one lock, so concurrent
// triggers for one job create one evaluation. Annotations (nodes, allocations) and the job's status.evaluatedGeneration record what has been evaluated.
import type { Evaluation, EvaluationSpec, EvaluationStatus } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { EvaluatorCache } from './cache.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { evalPhase, FIELD_MANAGER, isOpenPending } from './model.ts';
import { recordJobVersion } from './versions.ts';
import { recordEvent } from '../health/events.ts';
import type { Job } from '../../../api/schemas/index.ts';
import { recordOwnerRefs } from '../../../api/schemas/owner.ts';

/** What to evaluate: the spec of the evaluation to create (or to find already pending). */
export interface EvalRequest {
  namespace: string;
  jobName: string;
  /** Absent for a deleted job: any pending evaluation then covers it. */
  jobVersion?: number;
  priority: number;
  type: NonNullable<EvaluationSpec['type']>;
  triggeredBy: EvaluationSpec['triggeredBy'];
  nodeName?: string;
}

/** How many times a status compare-and-swap is retried after re-reading. */
const CAS_ATTEMPTS = 3;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Writes evaluations and annotations for the evaluator. */
export class EvalWriter {
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Per job key: the uid and generation this evaluator recorded as evaluated (lives as long as the term). */
  private readonly recorded = new Map<string, { uid: string | undefined; generation: number }>();

  constructor(private readonly deps: { client: Client; cache: EvaluatorCache; clock: Clock; logger: Logger; random: () => number }) {}

  /**
   * Make sure a pending evaluation covers `req`: reuse an unclaimed pending one of the job at the same or a newer
   * version, or create one and cancel the job's older unclaimed pending ones (superseded).
   */
  ensure(req: EvalRequest): Promise<{ eval: Evaluation; created: boolean }> {
    return this.withJob(req.namespace, req.jobName, async () => {
      const now = this.deps.clock.now();
      const open = this.deps.cache.evalsOf(req.namespace, req.jobName).filter((e) => isOpenPending(e, now));
      const equivalent = open.find((e) => (e.spec.jobVersion ?? -1) >= (req.jobVersion ?? -1));
      if (equivalent) return { eval: equivalent, created: false };
      const created = await this.create(req);
      for (const old of open) await this.cancel(old, `superseded by ${created.metadata.name}`);
      return { eval: created, created: true };
    });
  }

  /** Cancel `e` if it is still pending and unclaimed (or, with `phase: 'blocked'`, still blocked). */
  async cancel(e: Evaluation, reason: string, phase: 'pending' | 'blocked' = 'pending'): Promise<boolean> {
    const now = () => this.deps.clock.now();
    const applies = phase === 'pending' ? (x: Evaluation) => isOpenPending(x, now()) : (x: Evaluation) => evalPhase(x) === 'blocked';
    const done = await this.casStatus(e, applies, (s) => ({ ...s, phase: 'canceled', statusDescription: reason }));
    if (done) this.deps.logger.debug('canceled evaluation', { eval: e.metadata.name, reason });
    return done;
  }

  /** Move a blocked evaluation back to pending (deliveries reset), for a worker to retry it. */
  async unblock(e: Evaluation, reason: string): Promise<boolean> {
    const done = await this.casStatus(e, (x) => evalPhase(x) === 'blocked', (s) => {
      const next: EvaluationStatus = { ...s, phase: 'pending', deliveries: 0, statusDescription: reason };
      delete next.claimedBy;
      delete next.claimExpiresAt;
      return next;
    });
    if (done) this.deps.logger.debug('unblocked evaluation', { eval: e.metadata.name, reason });
    return done;
  }

  /** Delete a finished evaluation, unless it changed since `e` was read. */
  async delete(e: Evaluation): Promise<void> {
    const { name, namespace, uid, resourceVersion } = e.metadata;
    try {
      await this.deps.client.resource<Evaluation>('evaluations').delete(name, { namespace, preconditions: { uid, resourceVersion } });
      this.deps.cache.evalIndex.remove(e);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * Record that the job's `generation` has been evaluated: a merge patch of status.evaluatedGeneration through
   * /status (no precondition: the field is the evaluator's alone; the spec, metadata and the job status
   * controller's fields are untouched).
   */
  async recordEvaluated(job: Job, generation: number): Promise<void> {
    const patch = { status: { evaluatedGeneration: generation } };
    try {
      await this.deps.client.resource<Job>('jobs').patch(job.metadata.name, patch, 'merge', { namespace: job.metadata.namespace, subresource: 'status', fieldManager: FIELD_MANAGER });
      this.recorded.set(jobKey(job.metadata.namespace ?? 'default', job.metadata.name), { uid: job.metadata.uid, generation });
    } catch (err) {
      // Gone meanwhile: nothing left to record; its deletion is a trigger of its own.
      if (!isNotFound(err)) throw err;
    }
  }

  /** The generation of `job` (same uid) this evaluator recorded as evaluated, 0 when none. */
  evaluatedInTerm(job: Job): number {
    const r = this.recorded.get(jobKey(job.metadata.namespace ?? 'default', job.metadata.name));
    return r && r.uid === job.metadata.uid ? r.generation : 0;
  }

  /** Forget what was recorded for a job that is gone. */
  forgetJob(namespace: string, name: string): void {
    this.recorded.delete(jobKey(namespace, name));
  }

  /** Record an Event about `job` from the evaluator (best effort: failures are logged, never thrown). */
  jobEvent(job: Job, reason: string, message: string): Promise<void> {
    return recordEvent(this.deps.client, this.deps.logger, { object: job, reason, message, component: FIELD_MANAGER, now: this.deps.clock.now() });
  }

  /** Record the job's current version (JobVersion) and prune versions no live allocation runs. */
  recordVersion(job: Job, liveVersions: number[]): Promise<void> {
    return recordJobVersion({ client: this.deps.client, logger: this.deps.logger }, job, liveVersions);
  }

  /** Set one annotation by merge patch (no precondition: the annotation is the evaluator's alone). */
  async annotate(plural: 'jobs' | 'nodes' | 'allocations', namespace: string | undefined, name: string, key: string, value: string): Promise<void> {
    const patch = { metadata: { annotations: { [key]: value } } };
    try {
      await this.deps.client.resource(plural).patch(name, patch, 'merge', { namespace, fieldManager: FIELD_MANAGER });
    } catch (err) {
      // Gone meanwhile: nothing left to annotate; its deletion is a trigger of its own.
      if (!isNotFound(err)) throw err;
    }
  }

  private async create(req: EvalRequest): Promise<Evaluation> {
    const spec: EvaluationSpec = { jobName: req.jobName, priority: req.priority, type: req.type, triggeredBy: req.triggeredBy };
    if (req.jobVersion !== undefined) spec.jobVersion = req.jobVersion;
    if (req.nodeName) spec.nodeName = req.nodeName;
    const evals = this.deps.client.resource<Evaluation>('evaluations');
    const created = await evals.create({ apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name: this.name(req.jobName), namespace: req.namespace, ownerReferences: recordOwnerRefs(this.deps.cache.job(req.namespace, req.jobName)) }, spec });
    this.deps.cache.evalIndex.upsert(created);
    this.deps.logger.debug('created evaluation', { eval: created.metadata.name, job: req.jobName, triggeredBy: req.triggeredBy });
    // Workers read "no phase" as pending already; the explicit phase is for people listing evaluations. A
    // conflict means a worker claimed it first, which is just as good.
    try {
      const pending = await evals.updateStatus({ ...created, status: { phase: 'pending', deliveries: 0 } });
      this.deps.cache.evalIndex.upsert(pending);
      return pending;
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) this.deps.logger.warn('marking an evaluation pending failed', { eval: created.metadata.name, err });
      return created;
    }
  }

  /** Compare-and-swap the status of `e` while `applies` holds for the freshest copy. */
  private async casStatus(e: Evaluation, applies: (e: Evaluation) => boolean, next: (s: EvaluationStatus) => EvaluationStatus): Promise<boolean> {
    const evals = this.deps.client.resource<Evaluation>('evaluations');
    let current: Evaluation | undefined = this.deps.cache.evalIndex.get(e.metadata.namespace ?? '', e.metadata.name) ?? e;
    for (let attempt = 1; attempt <= CAS_ATTEMPTS && current; attempt++) {
      if (!applies(current)) return false;
      try {
        const written = await evals.updateStatus({ ...current, status: next({ ...current.status }) });
        this.deps.cache.evalIndex.upsert(written);
        return true;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        current = await this.read(e);
        if (current) this.deps.cache.evalIndex.upsert(current);
      }
    }
    return false;
  }

  private async read(e: Evaluation): Promise<Evaluation | undefined> {
    try {
      return await this.deps.client.resource<Evaluation>('evaluations').get(e.metadata.name, { namespace: e.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** `<job>-<10 random characters>`, DNS-1123 safe. */
  private name(jobName: string): string {
    const base = jobName.slice(0, 50).replace(/[^a-z0-9]+$/, '') || 'eval';
    let id = '';
    for (let i = 0; i < 10; i++) id += ID_ALPHABET[Math.floor(this.deps.random() * ID_ALPHABET.length)];
    return `${base}-${id}`;
  }

  /** Run `fn` after every earlier call for the same job has finished (not re-entrant: never nest). */
  async withJob<T>(namespace: string, jobName: string, fn: () => Promise<T>): Promise<T> {
    const key = jobKey(namespace, jobName);
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
