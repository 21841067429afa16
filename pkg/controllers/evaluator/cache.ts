// The evaluator's view of the cluster: informers over jobs, nodes, allocations and evaluations, plus the indexes
// its reconcilers ask (allocations by node and by job, evaluations by job, system jobs, capacity revisions).
// Indexes are derived from the informers' caches only, so they hold nothing the informers do not.
import type { Allocation, Evaluation, Job, Node } from '../../../api/schemas/index.ts';
import { ALLOCS_BY_JOB, ALLOCS_BY_NODE, JOBS_BY_DEPENDENCY, type SharedInformer, type SharedInformerFactory } from '../runtime/index.ts';
import { CapacityTracker } from './capacity.ts';
import { EvalIndex } from './evalindex.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';
import { affectedByNode, rvOf } from './model.ts';

/** What the evaluator remembers of a job after it is deleted (for its deregistration evaluation). */
export interface JobFacts {
  type: NonNullable<Job['spec']['type']>;
  priority: number;
}

type Listener = (node: string) => void;

/**
 * The process's shared informers and the evaluator's own derived state. Handlers registered in the constructor
 * see every cached object (a shared informer replays its cache to a late subscriber); stop() unsubscribes.
 */
export class EvaluatorCache {
  readonly jobs: SharedInformer<Job>;
  readonly nodes: SharedInformer<Node>;
  readonly allocs: SharedInformer<Allocation>;
  readonly evals: SharedInformer<Evaluation>;
  readonly evalIndex = new EvalIndex();
  readonly capacity: CapacityTracker;
  private readonly systemJobKeys = new Set<string>();
  private readonly facts = new Map<string, JobFacts>();
  private readonly capacityListeners: Listener[] = [];
  private readonly unsubscribe: Array<() => void> = [];

  constructor(informers: SharedInformerFactory) {
    this.jobs = informers.informer<Job>('jobs');
    this.nodes = informers.informer<Node>('nodes');
    this.allocs = informers.informer<Allocation>('allocations');
    this.evals = informers.informer<Evaluation>('evaluations');
    this.allocs.addIndex(ALLOCS_BY_NODE);
    this.allocs.addIndex(ALLOCS_BY_JOB);
    this.jobs.addIndex(JOBS_BY_DEPENDENCY);
    this.capacity = new CapacityTracker((node) => this.allocs.byIndex(ALLOCS_BY_NODE, node));
    this.indexJobs();
    this.indexNodes();
    this.indexAllocs();
    this.unsubscribe.push(
      this.evals.addEventHandler({
        add: (e) => this.evalIndex.upsert(e),
        update: (_o, e) => this.evalIndex.upsert(e),
        delete: (e) => this.evalIndex.remove(e),
      }),
    );
  }

  /** Start the informers (shared: a no-op for those already running); resolves once all have listed. */
  async start(): Promise<void> {
    await Promise.all([this.jobs.start(), this.nodes.start(), this.allocs.start(), this.evals.start()]);
  }

  /** Unsubscribe from the informers (they belong to the process and keep running). */
  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
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
    return this.allocs.byIndex(ALLOCS_BY_NODE, node).filter(affectedByNode);
  }

  /** Allocations of the job that hold resources. */
  liveAllocsOf(namespace: string, name: string): Allocation[] {
    return this.allocs.byIndex(ALLOCS_BY_JOB, jobKey(namespace, name)).filter(isLive);
  }

  /** Every allocation of the job the informer holds, terminal ones included. */
  allocsOf(namespace: string, name: string): Allocation[] {
    return this.allocs.byIndex(ALLOCS_BY_JOB, jobKey(namespace, name));
  }

  /** Jobs whose spec.dependsOn names the job. */
  dependentsOf(namespace: string, name: string): Job[] {
    return this.jobs.byIndex(JOBS_BY_DEPENDENCY, jobKey(namespace, name));
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
    this.unsubscribe.push(
      this.jobs.addEventHandler({
        add: put,
        update: (_o, j) => put(j),
        delete: (j) => void this.systemJobKeys.delete(jobKey(j.metadata.namespace ?? 'default', j.metadata.name)),
      }),
    );
  }

  private indexNodes(): void {
    const emit = (name: string) => this.capacityListeners.forEach((fn) => fn(name));
    this.unsubscribe.push(
      this.nodes.addEventHandler({
        add: (n) => void (this.capacity.nodeChanged(n) && emit(n.metadata.name)),
        update: (o, n) => void (this.capacity.nodeChanged(n, o) && emit(n.metadata.name)),
        delete: (n) => this.capacity.nodeDeleted(n.metadata.name),
      }),
    );
  }

  private indexAllocs(): void {
    const emit = (name: string) => this.capacityListeners.forEach((fn) => fn(name));
    // The by-node and by-job indexes are the shared informer's; only capacity events are the evaluator's.
    this.unsubscribe.push(
      this.allocs.addEventHandler({
        add: (a) => void (this.capacity.allocChanged(a) && emit(a.spec.nodeName)),
        update: (o, a) => void (this.capacity.allocChanged(a, o) && emit(a.spec.nodeName)),
        delete: (a) => {
          // A watched deletion carries its own revision; after a relist the last revision seen is the best bound.
          const at = Math.max(rvOf(a), Number(this.allocs.lastSyncResourceVersion() || 0));
          if (this.capacity.allocChanged(a, undefined, at)) emit(a.spec.nodeName);
        },
      }),
    );
  }
}
