// A process's view of the cluster for its workers: the process's shared informers on nodes, allocations, jobs and job versions,
// folded into one ClusterSnapshot (kept current event by event) and a job index. Every worker of the process
// shares it; computePlan reads it synchronously, so each plan sees one consistent state. When a plan commit
// says the view is stale, the view waits for its informers to reach a revision or re-reads single objects.
import type { Allocation, Deployment, Job, JobVersion, Lease, Node } from '../../../api/schemas/index.ts';
import { NODE_LEASE_NAMESPACE } from '../../../api/schemas/well-known.ts';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import { SharedInformerFactory, type SharedInformer } from '../../client/shared-informer.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { allocFromApi, jobFromSpec, nodeFromApi, DEFAULT_PRIORITY } from '../adapters.ts';
import { ClusterSnapshot } from '../cluster.ts';
import type { JobView, NodeView } from '../structs.ts';
import { LeaseDeadlines } from './lease-deadlines.ts';
import { jobKey } from '../../../api/schemas/job-key.ts';

/** The informed plurals whose revisions a plan's basis reports. */
export type ViewKind = 'jobs' | 'allocations' | 'nodes';

/** Dependencies of a ClusterView. */
export interface ClusterViewDeps {
  client: Client;
  logger: Logger;
  clock: Clock;
  /** The process's shared informers (a private factory, stopped with the view, when absent). */
  informers?: SharedInformerFactory;
}

/** How often node leases are looked at for falling overdue. */
const LEASE_SWEEP_MS = 1000;

/** Safety net for waits on informer revisions (progress events announce them). */
const WAIT_POLL_MS = 1000;

/** The scheduler's informed view of the cluster. */
export class ClusterView {
  /** Nodes and allocations, indexed for computePlan. */
  readonly snapshot = new ClusterSnapshot();
  private readonly jobs = new Map<string, Job>();
  private readonly versions = new Map<string, Map<number, JobVersion>>();
  /** Last resourceVersion applied per object key, so a re-read object is not overwritten by an older event. */
  private readonly seen = new Map<string, number>();
  /** Keys re-read as deleted: events at or below the revision we had are ignored until the informer's delete. */
  private readonly tombstones = new Map<string, number>();
  private readonly informers: Record<ViewKind, SharedInformer> & { jobversions: SharedInformer; deployments: SharedInformer<Deployment> };
  private readonly factory: SharedInformerFactory;
  private readonly ownsFactory: boolean;
  private readonly unsubscribe: Array<() => void> = [];
  private waiters: Array<{ kind: ViewKind; rv: number; resolve: () => void }> = [];
  private allocWaiters: Array<{ missing: Set<string>; rv: number; resolve: () => void }> = [];
  private poll?: Timer;
  private waking = false;
  private readonly leases: SharedInformer<Lease>;
  private readonly deadlines = new LeaseDeadlines();
  /** Nodes whose view says leaseOverdue. */
  private readonly overdue = new Set<string>();
  private sweep?: Timer;
  private stopped = false;

  constructor(private readonly deps: ClusterViewDeps) {
    this.ownsFactory = !deps.informers;
    this.factory = deps.informers ?? new SharedInformerFactory({ client: deps.client, logger: deps.logger, clock: deps.clock });
    const mk = (kind: string) => this.factory.informer(kind);
    this.informers = { nodes: mk('nodes'), allocations: mk('allocations'), jobs: mk('jobs'), jobversions: mk('jobversions'), deployments: this.factory.informer<Deployment>('deployments') };
    this.follow<Node>('nodes', (n) => this.snapshot.upsertNode(this.nodeView(n)), (n) => this.snapshot.removeNode(n.metadata.name));
    this.leases = this.factory.informer<Lease>('leases', { namespace: NODE_LEASE_NAMESPACE });
    this.unsubscribe.push(
      this.leases.addEventHandler({
        add: (l) => this.leaseChanged(l.metadata.name, l),
        update: (_old, l) => this.leaseChanged(l.metadata.name, l),
        delete: (l) => this.leaseChanged(l.metadata.name, undefined),
      }),
    );
    this.follow<Allocation>('allocations', (a) => this.snapshot.upsertAlloc(allocFromApi(a, { jobPriority: this.priorityOf(a) })), (a) => this.snapshot.removeAlloc(a.metadata.name));
    this.follow<Job>('jobs', (j) => this.jobs.set(jobKey(j.metadata.namespace ?? '', j.metadata.name), j), (j) => this.jobs.delete(jobKey(j.metadata.namespace ?? '', j.metadata.name)));
    this.follow<JobVersion>('jobversions', (v) => this.versionMap(v).set(v.spec.version, v), (v) => this.versionMap(v).delete(v.spec.version));
  }

  /** Start every informer; resolves once all have listed. */
  async start(): Promise<void> {
    await Promise.all([...Object.values(this.informers), this.leases].map((i) => i.start()));
    this.schedulePoll();
    this.sweepLeases();
  }

  /** The scheduler's view of a Node, with its lease judged now. */
  private nodeView(n: Node): NodeView {
    const v = nodeFromApi(n);
    if (this.deadlines.overdue(n.metadata.name, this.deps.clock.now())) {
      v.leaseOverdue = true;
      this.overdue.add(n.metadata.name);
    } else this.overdue.delete(n.metadata.name);
    return v;
  }

  private leaseChanged(name: string, lease: Lease | undefined): void {
    if (lease) this.deadlines.observe(lease, this.deps.clock.now());
    else this.deadlines.forget(name);
    this.refreshNode(name);
  }

  /** Rebuild a node's view when its lease judgement changed. */
  private refreshNode(name: string): void {
    const node = this.informers.nodes.get(undefined, name) as Node | undefined;
    if (!node || this.deadlines.overdue(name, this.deps.clock.now()) === this.overdue.has(name)) return;
    this.snapshot.upsertNode(this.nodeView(node));
  }

  /** Every second: nodes whose lease fell overdue (or came back) since. */
  private sweepLeases(): void {
    if (this.stopped) return;
    for (const name of new Set([...this.deadlines.nodes(), ...this.overdue])) this.refreshNode(name);
    this.sweep = this.deps.clock.setTimeout(() => this.sweepLeases(), LEASE_SWEEP_MS);
  }

  /** Unsubscribe from the informers (stopping them too if the view owns them). */
  stop(): void {
    this.stopped = true;
    this.sweep?.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.ownsFactory) this.factory.stop();
    this.poll?.cancel();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    for (const w of this.allocWaiters) w.resolve();
    this.allocWaiters = [];
  }

  /** The job as last seen, or undefined (deleted or never seen). */
  job(namespace: string, name: string): Job | undefined {
    return this.jobs.get(jobKey(namespace, name));
  }

  /** A Deployment as last seen (the rollout's pause, failure), or undefined. */
  deployment(namespace: string, name: string): Deployment | undefined {
    return this.informers.deployments.get(namespace, name);
  }

  /** Earlier versions of a job (JobVersion objects), as views. */
  jobVersions(namespace: string, name: string): Map<number, JobView> {
    const out = new Map<number, JobView>();
    for (const [v, jv] of this.versions.get(jobKey(namespace, name)) ?? []) out.set(v, jobFromSpec(namespace, name, v, jv.spec.jobSpec));
    return out;
  }

  /**
   * The revision each informer has completed (everything up to it is in the view). Not the revision of the
   * last event: one transaction's objects share a revision, and a view that has applied some of them has not
   * reached it (a plan from it would see an allocation stopped and not its replacement).
   */
  revisions(): Record<ViewKind, number> {
    const rv = (k: ViewKind) => Number(this.informers[k].lastSyncResourceVersion() || 0);
    return { jobs: rv('jobs'), allocations: rv('allocations'), nodes: rv('nodes') };
  }

  /** Resolve once the informer of `kind` has reached `rv` (or the view is stopped). */
  waitFor(kind: ViewKind, rv: number): Promise<void> {
    if (this.revisions()[kind] >= rv) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ kind, rv, resolve }));
  }

  /**
   * Resolve once every allocation named in `names` (namespace `namespace`) is in the view, or the allocation
   * informer has completed `rv` (whatever is still missing was deleted since). After one's own plan commit the
   * names usually arrive before the revision is confirmed complete.
   */
  waitForAllocations(namespace: string, names: readonly string[], rv: number): Promise<void> {
    const missing = new Set(names.map((n) => `allocations/${namespace}/${n}`));
    return new Promise((resolve) => {
      this.allocWaiters.push({ missing, rv, resolve });
      this.resolveDue();
    });
  }

  /** Re-read a job straight from the API server (after a plan commit said it changed). */
  refetchJob(namespace: string, name: string): Promise<void> {
    return this.refetch('jobs', namespace, name, (j: Job) => this.jobs.set(jobKey(namespace, name), j), () => this.jobs.delete(jobKey(namespace, name)));
  }

  /** Re-read an allocation straight from the API server. */
  refetchAlloc(namespace: string, name: string): Promise<void> {
    return this.refetch('allocations', namespace, name, (a: Allocation) => this.snapshot.upsertAlloc(allocFromApi(a, { jobPriority: this.priorityOf(a) })), () => this.snapshot.removeAlloc(name));
  }

  /** Re-read a node straight from the API server. */
  refetchNode(name: string): Promise<void> {
    return this.refetch('nodes', undefined, name, (n: Node) => this.snapshot.upsertNode(this.nodeView(n)), () => this.snapshot.removeNode(name));
  }

  private async refetch<T extends ApiObject>(kind: ViewKind, namespace: string | undefined, name: string, put: (o: T) => void, drop: () => void): Promise<void> {
    const key = `${kind}/${namespace ?? ''}/${name}`;
    try {
      const obj = await this.deps.client.resource<T>(kind).get(name, { namespace });
      if (this.apply(key, Number(obj.metadata.resourceVersion))) put(obj);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.tombstones.set(key, this.seen.get(key) ?? 0);
      this.seen.delete(key);
      drop();
    }
  }

  private follow<T extends ApiObject>(kind: ViewKind | 'jobversions', put: (o: T) => void, drop: (o: T) => void): void {
    const inf = this.informers[kind] as unknown as SharedInformer<T>;
    const key = (o: T) => `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const upsert = (o: T) => {
      if (this.apply(key(o), Number(o.metadata.resourceVersion))) put(o);
      this.wake();
    };
    this.unsubscribe.push(
      inf.addEventHandler({
        add: upsert,
        update: (_old, o) => upsert(o),
        delete: (o) => {
          this.seen.delete(key(o));
          this.tombstones.delete(key(o));
          drop(o);
          this.wake();
        },
        // The informer's completed revision moved (after the last event of a transaction, or a bookmark).
        progress: () => this.wake(),
      }),
    );
  }

  /** Whether an object at `rv` is newer than what the view holds (and records it). */
  private apply(key: string, rv: number): boolean {
    const tomb = this.tombstones.get(key);
    if (tomb !== undefined) {
      if (rv <= tomb) return false;
      this.tombstones.delete(key);
    }
    if (rv < (this.seen.get(key) ?? 0)) return false;
    this.seen.set(key, rv);
    return true;
  }

  private versionMap(v: JobVersion): Map<number, JobVersion> {
    const k = jobKey(v.metadata.namespace ?? '', v.spec.jobName);
    let m = this.versions.get(k);
    if (!m) this.versions.set(k, (m = new Map()));
    return m;
  }

  private priorityOf(a: Allocation): number {
    return this.jobs.get(jobKey(a.metadata.namespace ?? '', a.spec.jobName))?.spec.priority ?? DEFAULT_PRIORITY;
  }

  private wake(): void {
    if ((this.waiters.length === 0 && this.allocWaiters.length === 0) || this.waking) return;
    // The informer records an event's revision after its handlers ran: look once the event is fully applied.
    this.waking = true;
    queueMicrotask(() => {
      this.waking = false;
      this.resolveDue();
    });
  }

  private resolveDue(): void {
    const now = this.revisions();
    const [due, rest] = [this.waiters.filter((w) => now[w.kind] >= w.rv), this.waiters.filter((w) => now[w.kind] < w.rv)];
    this.waiters = rest;
    for (const w of due) w.resolve();
    if (this.allocWaiters.length === 0) return;
    const done = this.allocWaiters.filter((w) => {
      for (const key of w.missing) if (this.seen.has(key)) w.missing.delete(key);
      return w.missing.size === 0 || now.allocations >= w.rv;
    });
    this.allocWaiters = this.allocWaiters.filter((w) => !done.includes(w));
    for (const w of done) w.resolve();
  }

  private schedulePoll(): void {
    this.poll = this.deps.clock.setTimeout(() => {
      this.resolveDue();
      this.schedulePoll();
    }, WAIT_POLL_MS);
  }
}
