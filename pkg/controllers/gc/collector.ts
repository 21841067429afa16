// The garbage collector: Kubernetes' ownerReference semantics over Drover's kinds (see README.md). Level-based:
// each reconcile of an object key re-reads the graph and
//   1. if the object is being deleted with the `orphan` finalizer: strips the references to it from every
//      dependent, then removes the finalizer;
//   2. if being deleted with `foregroundDeletion`: checks every dependent's owners as in 3 (so each is deleted,
//      those that block in the foreground themselves, unless another owner keeps it), and removes the finalizer
//      once no blocking dependent is left;
//   3. for its own ownerReferences: when no owner is left but absent ones or ones waiting for their dependents'
//      deletion, deletes it (once it may go, collectable.ts); when some owners remain, removes the references to
//      absent ones (and to ones waiting for it).
// Every write is a compare-and-swap (update on the cached resourceVersion, delete with a uid precondition); a
// lost race throws and the work queue retries with backoff.
import type { ApiObject, OwnerReference } from '../../../api/schemas/kind.ts';
import type { Allocation } from '../../../api/schemas/index.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import type { Logger } from '../../log/logger.ts';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../apiserver/delete-options.ts';
import { informersOf, startController, type ControllerHost, type SharedInformer, type WorkQueue } from '../runtime/index.ts';
import { ALLOCS_BY_JOB } from '../runtime/indexes.ts';
import { jobVersionName } from '../evaluator/versions.ts';
import { collectableNow } from './collectable.ts';
import { gcKey, OwnershipGraph, splitGcKey, type Watched } from './graph.ts';

/** The component name (logs, work-queue metrics, field manager). */
export const GC_COMPONENT = 'garbage-collector';

/** The kinds collected by default: everything Drover creates for a Job, and Jobs (child jobs of templates). */
export const DEFAULT_GC_KINDS = ['jobs', 'allocations', 'evaluations', 'deployments', 'jobversions'] as const;

/** Options of startGarbageCollector. */
export interface GarbageCollectorOptions extends ControllerHost {
  /** Plurals watched as owners and dependents (default DEFAULT_GC_KINDS). */
  kinds?: readonly string[];
  workers?: number;
  /** Every cached object re-checked this often (default 5 min), so nothing depends on one event. */
  resyncMs?: number;
  signal?: AbortSignal;
}

/** A running collector. */
export interface GarbageCollector {
  readonly queue: WorkQueue<string>;
  /** Reconcile one key (`plural|namespace/name`) now (tests). */
  reconcile(key: string): Promise<void>;
  stop(): Promise<void>;
}

/** Subscribe to the informers of the watched kinds and collect until stopped. */
export async function startGarbageCollector(opts: GarbageCollectorOptions): Promise<GarbageCollector> {
  const log = opts.logger.child({ controller: GC_COMPONENT });
  const { informers, owned } = informersOf(opts);
  const graph = new OwnershipGraph(opts.client, informers, opts.kinds ?? DEFAULT_GC_KINDS);
  const allocations = graph.of('allocations')?.informer as SharedInformer<Allocation> | undefined;
  allocations?.addIndex(ALLOCS_BY_JOB);
  const gc = new Collector(opts, log, graph, allocations);
  const keys = Object.fromEntries(graph.watched.map((w) => [w.plural, (obj: ApiObject, event: string, old?: ApiObject) => gc.keysOf(w, obj, event, old)]));
  const controller = await startController({
    name: GC_COMPONENT,
    clock: opts.clock,
    logger: opts.logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: opts.workers ?? 2,
    informers: Object.fromEntries(graph.watched.map((w) => [w.plural, w.informer])),
    keys,
    resyncMs: Object.fromEntries(graph.watched.map((w) => [w.plural, opts.resyncMs ?? 5 * 60_000])),
    reconcile: (key) => gc.reconcile(key),
  });
  return {
    queue: controller.queue,
    reconcile: (key) => gc.reconcile(key),
    async stop() {
      await controller.stop();
      if (owned) informers.stop();
    },
  };
}

class Collector {
  constructor(
    private readonly opts: GarbageCollectorOptions,
    private readonly log: Logger,
    private readonly graph: OwnershipGraph,
    private readonly allocations: SharedInformer<Allocation> | undefined,
  ) {}

  /** What an event queues: the object, its owners before and after (a foreground owner waits on it, also once
   * the reference to it is removed), and — when it is going — its dependents; an allocation's change also
   * concerns the job version it runs at. */
  keysOf(w: Watched, obj: ApiObject, event: string, old?: ApiObject): string[] {
    const keys = [gcKey(w.plural, obj)];
    for (const ref of [...(obj.metadata.ownerReferences ?? []), ...(old?.metadata.ownerReferences ?? [])]) {
      const owner = this.graph.byUid(ref.uid);
      if (owner) keys.push(gcKey(owner.watched.plural, owner.obj));
    }
    if ((event === 'delete' || obj.metadata.deletionTimestamp) && obj.metadata.uid) {
      for (const d of this.graph.dependentsOf(obj.metadata.uid)) keys.push(gcKey(d.watched.plural, d.obj));
    }
    if (w.plural === 'allocations' && this.graph.of('jobversions')) {
      const a = obj as Allocation;
      keys.push(gcKey('jobversions', { metadata: { namespace: a.metadata.namespace, name: jobVersionName(a.spec.jobName, a.spec.jobVersion ?? 0) } }));
    }
    return keys;
  }

  async reconcile(key: string): Promise<void> {
    const { plural, namespace, name } = splitGcKey(key);
    const w = this.graph.of(plural);
    const obj = w?.informer.get(namespace, name);
    if (!w || !obj) return;
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && finalizers.includes(ORPHAN_FINALIZER)) return this.orphan(w, obj);
    if (obj.metadata.deletionTimestamp && finalizers.includes(FOREGROUND_FINALIZER)) await this.foreground(w, obj);
    await this.checkOwners(w, obj);
  }

  /** Orphan propagation: no dependent keeps a reference to `obj`, then its `orphan` finalizer goes. */
  private async orphan(w: Watched, obj: ApiObject): Promise<void> {
    const uid = obj.metadata.uid!;
    for (const d of this.graph.dependentsOf(uid)) {
      await this.setOwners(d.watched, d.obj, (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid));
    }
    await this.removeFinalizer(w, obj, ORPHAN_FINALIZER);
    this.log.info('orphaned dependents', { kind: w.info.kind, name: obj.metadata.name, namespace: obj.metadata.namespace });
  }

  /**
   * Foreground propagation: each dependent is checked against its owners, this one now waiting — one with no
   * other solid owner is deleted (in the foreground when it blocks), one with another loses the reference to
   * this one —; the owner goes once no dependent that blocks is left.
   */
  private async foreground(w: Watched, obj: ApiObject): Promise<void> {
    const uid = obj.metadata.uid!;
    for (const d of this.graph.dependentsOf(uid)) await this.checkOwners(d.watched, d.obj);
    const blocking = this.graph.dependentsOf(uid).filter((d) => refTo(d.obj, uid)?.blockOwnerDeletion === true);
    if (blocking.length === 0) await this.removeFinalizer(w, obj, FOREGROUND_FINALIZER);
  }

  /** Background collection of `obj` itself when its owners are gone (or waiting for it). */
  private async checkOwners(w: Watched, obj: ApiObject): Promise<void> {
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const s = await this.graph.resolve(ref, obj.metadata.namespace);
      if (s.state === 'absent') dangling.push(ref);
      else if (s.state === 'present' && s.owner?.metadata.deletionTimestamp && (s.owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length === refs.length) return;
    if (solid.length > 0) return this.setOwners(w, obj, solid);
    if (obj.metadata.deletionTimestamp || !this.collectable(w, obj)) return;
    // Owners waiting for their dependents want this one gone first in turn when it blocks them.
    await this.delete(w, obj, waiting.some((r) => r.blockOwnerDeletion) ? 'Foreground' : 'Background');
  }

  private collectable(w: Watched, obj: ApiObject): boolean {
    return collectableNow(w.plural, obj, { allocations: this.allocations });
  }

  private async delete(w: Watched, obj: ApiObject, propagationPolicy: 'Foreground' | 'Background'): Promise<void> {
    try {
      await this.opts.client.resource(w.plural).delete(obj.metadata.name, { namespace: obj.metadata.namespace, preconditions: { uid: obj.metadata.uid }, propagationPolicy });
      this.log.info('collected', { kind: w.info.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, propagationPolicy });
    } catch (err) {
      // Gone already, or another object of the name (uid precondition): nothing of ours left to delete.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Compare-and-swap the object's ownerReferences to `refs` (no write when unchanged). */
  private async setOwners(w: Watched, obj: ApiObject, refs: OwnerReference[]): Promise<void> {
    if (refs.length === (obj.metadata.ownerReferences ?? []).length) return;
    const next = { ...obj, metadata: { ...obj.metadata } };
    if (refs.length > 0) next.metadata.ownerReferences = refs;
    else delete next.metadata.ownerReferences;
    await this.update(w, next);
  }

  private async removeFinalizer(w: Watched, obj: ApiObject, finalizer: string): Promise<void> {
    const next = { ...obj, metadata: { ...obj.metadata, finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer) } };
    await this.update(w, next);
  }

  private async update(w: Watched, next: ApiObject): Promise<void> {
    try {
      await this.opts.client.resource(w.plural).update(next);
    } catch (err) {
      if (!isNotFound(err)) throw err; // a conflict is retried from a fresh cache by the work queue
    }
  }
}

function refTo(obj: ApiObject, uid: string): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
}

