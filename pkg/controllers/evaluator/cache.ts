// The evaluator's view of the cluster: informers over jobs, nodes, allocations and evaluations, plus the indexes
// its reconcilers ask (allocations by node and by job, evaluations by job, system jobs, capacity revisions).
// Indexes are derived from the informers' caches only, so they hold nothing the informers do not.
import type { Allocation, Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import type { Client } from '../../client/client.ts';
import { createInformer, type Informer } from '../../client/informer.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { CapacityTracker } from './capacity.ts';
import { EvalIndex } from './evalindex.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKey, jobKeyOf } from '../../../api/schemas/job-key.ts';
import { affectedByNode, rvOf } from './model.ts';

/** What the evaluator remembers of a job after it is deleted (for its deregistration evaluation). */
export interface JobFacts {
  type: NonNullable<Job['spec']['type']>;
  priority: number;
}

type Listener = (node: string) => void;

/** A multi-map from a string key to objects keyed by `namespace/name`. */
class MultiIndex<T extends { metadata: { namespace?: string; name: string } }> {
  private readonly map = new Map<string, Map<string, T>>();
  set(key: string, obj: T): void {
    let m = this.map.get(key);
    if (!m) this.map.set(key, (m = new Map()));
    m.set(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj);
  }
  delete(key: string, obj: T): void {
    const m = this.map.get(key);
    m?.delete(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    if (m?.size === 0) this.map.delete(key);
  }
  get(key: string): Iterable<T> {
    return this.map.get(key)?.values() ?? [];
  }
}

/** Informers and indexes. Register handlers (via the informers) before start(). */
export class EvaluatorCache {
  readonly jobs: Informer<Job>;
  readonly nodes: Informer<Node>;
  readonly allocs: Informer<Allocation>;
  readonly evals: Informer<Evaluation>;
  readonly evalIndex = new EvalIndex();
  readonly capacity: CapacityTracker;
  private readonly allocsByNode = new MultiIndex<Allocation>();
  private readonly allocsByJob = new MultiIndex<Allocation>();
  private readonly systemJobKeys = new Set<string>();
  private readonly facts = new Map<string, JobFacts>();
  private readonly capacityListeners: Listener[] = [];

  constructor(opts: { client: Client; clock: Clock; logger: Logger; resyncMs?: number }) {
    const inf = <T extends Job | Node | Allocation | Evaluation>(kind: string, resyncMs?: number) =>
      createInformer<T>({ client: opts.client, kind, logger: opts.logger, clock: opts.clock, resyncMs });
    this.jobs = inf<Job>('jobs', opts.resyncMs);
    this.nodes = inf<Node>('nodes', opts.resyncMs);
    // No resync for allocations: there may be a million, and every trigger they carry is also level-checked.
    this.allocs = inf<Allocation>('allocations');
    this.evals = inf<Evaluation>('evaluations', opts.resyncMs);
    this.capacity = new CapacityTracker((node) => this.allocsByNode.get(node));
    this.indexJobs();
    this.indexNodes();
    this.indexAllocs();
    this.evals.on('add', (e) => this.evalIndex.upsert(e));
    this.evals.on('update', (_o, e) => this.evalIndex.upsert(e));
    this.evals.on('delete', (e) => this.evalIndex.remove(e));
  }

  /** Start every informer; resolves once all have listed. */
  async start(): Promise<void> {
    await Promise.all([this.jobs.start(), this.nodes.start(), this.allocs.start(), this.evals.start()]);
  }

  /** Stop every informer. */
  stop(): void {
    for (const i of [this.jobs, this.nodes, this.allocs, this.evals]) i.stop();
  }

  /** Call `fn(node)` on every capacity event (see CapacityTracker). */
  onCapacity(fn: Listener): void {
    this.capacityListeners.push(fn);
  }

  /** The job, or undefined. */
  job(namespace: string, name: string): Job | undefined {
    return this.jobs.get(namespace, name);
  }

  /** Type and priority of a job, remembered after its deletion. */
  jobFacts(namespace: string, name: string): JobFacts | undefined {
    return this.facts.get(jobKey(namespace, name));
  }

  /** Every system and sysbatch job. */
  systemJobs(): Job[] {
    return [...this.systemJobKeys].map((k) => {
      const i = k.indexOf('/');
      return this.jobs.get(k.slice(0, i), k.slice(i + 1))!;
    }).filter(Boolean);
  }

  /** The node, or undefined. */
  node(name: string): Node | undefined {
    return this.nodes.get(undefined, name);
  }

  /** The allocation, or undefined. */
  alloc(namespace: string, name: string): Allocation | undefined {
    return this.allocs.get(namespace, name);
  }

  /** Allocations on `node` that a change of the node concerns (see affectedByNode). */
  affectedAllocsOn(node: string): Allocation[] {
    return [...this.allocsByNode.get(node)].filter(affectedByNode);
  }

  /** Allocations of the job that hold resources. */
  liveAllocsOf(namespace: string, name: string): Allocation[] {
    return [...this.allocsByJob.get(jobKey(namespace, name))].filter(isLive);
  }

  /** Every known evaluation of the job (informer and own writes). */
  evalsOf(namespace: string, name: string): Evaluation[] {
    return this.evalIndex.ofJob(jobKey(namespace, name));
  }

  private indexJobs(): void {
    const put = (j: Job) => {
      const key = jobKey(j.metadata.namespace ?? 'default', j.metadata.name);
      this.facts.set(key, { type: j.spec.type ?? 'service', priority: j.spec.priority ?? 50 });
      if (j.spec.type === 'system' || j.spec.type === 'sysbatch') this.systemJobKeys.add(key);
      else this.systemJobKeys.delete(key);
    };
    this.jobs.on('add', put);
    this.jobs.on('update', (_o, j) => put(j));
    this.jobs.on('delete', (j) => this.systemJobKeys.delete(jobKey(j.metadata.namespace ?? 'default', j.metadata.name)));
  }

  private indexNodes(): void {
    const emit = (name: string) => this.capacityListeners.forEach((fn) => fn(name));
    this.nodes.on('add', (n) => this.capacity.nodeChanged(n) && emit(n.metadata.name));
    this.nodes.on('update', (o, n) => this.capacity.nodeChanged(n, o) && emit(n.metadata.name));
    this.nodes.on('delete', (n) => this.capacity.nodeDeleted(n.metadata.name));
  }

  private indexAllocs(): void {
    const emit = (name: string) => this.capacityListeners.forEach((fn) => fn(name));
    const put = (a: Allocation) => {
      this.allocsByNode.set(a.spec.nodeName, a);
      this.allocsByJob.set(jobKeyOf(a), a);
    };
    this.allocs.on('add', (a) => {
      put(a);
      if (this.capacity.allocChanged(a)) emit(a.spec.nodeName);
    });
    this.allocs.on('update', (o, a) => {
      // nodeName and jobName never change on a live allocation, but re-index defensively.
      this.allocsByNode.delete(o.spec.nodeName, o);
      this.allocsByJob.delete(jobKeyOf(o), o);
      put(a);
      if (this.capacity.allocChanged(a, o)) emit(a.spec.nodeName);
    });
    this.allocs.on('delete', (a) => {
      this.allocsByNode.delete(a.spec.nodeName, a);
      this.allocsByJob.delete(jobKeyOf(a), a);
      // A watched deletion carries its own revision; after a relist the last revision seen is the best bound.
      const at = Math.max(rvOf(a), Number(this.allocs.lastSyncResourceVersion() || 0));
      if (this.capacity.allocChanged(a, undefined, at)) emit(a.spec.nodeName);
    });
  }
}
