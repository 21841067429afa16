// The health controller: watches Nodes and their heartbeat Leases, marks a node down when its lease has not been
// renewed for ttl + grace (by our clock), marks the allocations of a down node lost, and puts a node it marked
// down back to ready once its lease is renewed again. Level-based: every reconcile of a node re-reads the node
// and its lease from the informer caches; the only memory is when each lease version was first seen.
import type { Allocation, Lease, Node } from '../../../api/schemas/index.ts';
import type { Logger } from '../../log/logger.ts';
import { NODE_LEASE_NAMESPACE } from '../../../api/schemas/well-known.ts';
import { ALLOCS_BY_NODE, informersOf, startController, type ControllerHost, type ReconcileResult, type SharedInformer, type WorkQueue } from '../runtime/index.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import { recordEvent } from './events.ts';
import { isClientTerminal } from '../../../api/schemas/allocation-state.ts';
import { markAllocationsLost } from './lost.ts';
import { downByHealth, heartbeatCondition, markedDown, markedRenewed } from './nodestatus.ts';
import { LeaseObserver, type HeartbeatState } from './observer.ts';
import { DisruptionGate, type DisruptionOptions, type DisruptionState } from './disruption.ts';
import { ProgressMonitor, type ProgressOptions } from './progress.ts';
import { DISRUPTION_VALUE, healthMetrics, type HealthMetrics } from './health-metrics.ts';
import type { Timer } from '../../clock/clock.ts';

/** The component name on Events and in logs. */
export const HEALTH_COMPONENT = 'health-controller';

/** Options of startHealthController. */
export interface HealthControllerOptions extends ControllerHost {
  /** Heartbeat TTL for leases that do not state leaseDurationSeconds (default 10 s, Nomad's). */
  ttlMs?: number;
  /** Use ttlMs for every lease, ignoring their leaseDurationSeconds. */
  overrideTtl?: boolean;
  /** Extra silence allowed past the TTL before a node is down (default 10 s, Nomad's). */
  graceMs?: number;
  /** Namespace of node leases (default pkg/nodeagent's `drover-node-lease`). */
  leaseNamespace?: string;
  /** Nodes reconciled concurrently (default 2). */
  workers?: number;
  /** Stops the controller (and an unfinished start) when aborted. */
  signal?: AbortSignal;
  /** The partial-disruption rule (disruption.ts; Kubernetes' unhealthy-zone threshold and large-cluster rate). */
  disruption?: DisruptionOptions;
  /** The control plane's own progress ticker (progress.ts). */
  progress?: ProgressOptions;
  /**
   * The lease cache counts as stale when its informer has heard nothing from the API server (no event, no
   * bookmark moving its revision) for this long (default 60 s): no node is marked down from it until it hears again.
   */
  staleCacheMs?: number;
}

/** Default of HealthControllerOptions.staleCacheMs: the API server's bookmark period. */
export const DEFAULT_STALE_CACHE_MS = 60_000;

/** A running health controller. */
export interface HealthController {
  /** The controller's queue of node names (tests watch its length). */
  readonly queue: WorkQueue<string>;
  /** The resourceVersion each informer has caught up to: a change at or below it has been queued. */
  lastSyncResourceVersions(): { nodes: string; leases: string };
  /** Stop reconciling and watching; resolves once running reconciles have returned. */
  stop(): Promise<void>;
}

/** Subscribe to the shared node, lease and allocation informers, wait for their first lists, then reconcile nodes until stopped. */
export async function startHealthController(opts: HealthControllerOptions): Promise<HealthController> {
  const leaseNamespace = opts.leaseNamespace ?? NODE_LEASE_NAMESPACE;
  const log = opts.logger.child({ controller: HEALTH_COMPONENT });
  const { informers, owned } = informersOf(opts);
  const nodes = informers.informer<Node>('nodes');
  const leases = informers.informer<Lease>('leases', { namespace: leaseNamespace });
  const allocs = informers.informer<Allocation>('allocations');
  allocs.addIndex(ALLOCS_BY_NODE);
  const reconciler = new HealthReconciler({ ...opts, leaseNamespace, logger: log }, nodes, leases, allocs);
  const ticker = reconciler.startTicker();
  // Any word from the API server on the lease watch (a lease event, a bookmark) says the cache is current.
  const heard = () => reconciler.heardFromServer();
  const unheard = leases.addEventHandler({ add: heard, update: heard, delete: heard, progress: heard });
  // Both caches must be full before judging anyone (startController waits): a lease missing only because its
  // list has not arrived would look like a lease that appeared later, i.e. a renewal. A node lease is named
  // after its node, so both kinds map to the node's name.
  const controller = await startController({
    name: HEALTH_COMPONENT,
    clock: opts.clock,
    logger: opts.logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: opts.workers ?? 2,
    informers: { nodes, leases, allocations: allocs },
    keys: {
      nodes: (n: Node) => n.metadata.name,
      leases: (l: Lease) => l.metadata.name,
      // An allocation that lands on (or changes on) a node already down is lost too.
      allocations: (a: Allocation) => (nodes.get(undefined, a.spec.nodeName)?.status?.phase === 'down' && !isClientTerminal(a.status?.clientStatus) ? a.spec.nodeName : undefined),
    },
    reconcile: (name) => reconciler.reconcile(name),
  }).catch((err: unknown) => {
    ticker.cancel();
    unheard();
    throw err;
  });
  return {
    queue: controller.queue,
    lastSyncResourceVersions: () => {
      const rv = controller.lastSyncResourceVersions();
      return { nodes: rv.nodes, leases: rv.leases };
    },
    async stop() {
      ticker.cancel();
      unheard();
      await controller.stop();
      if (owned) informers.stop();
    },
  };
}

/** How often a node held back by the disruption rule is looked at again. */
const DISRUPTION_RECHECK_MS = 5000;
/** How long one count of unhealthy nodes is used for (the disruption rule's census). */
const CENSUS_MS = 1000;

/** The per-node decision, separated from the wiring above. */
class HealthReconciler {
  private readonly observer: LeaseObserver;
  private readonly gate: DisruptionGate;
  private readonly progress: ProgressMonitor;
  private readonly metrics: HealthMetrics;
  private state: DisruptionState = 'normal';
  /** Nodes whose down is being held back (one Event each per disruption). */
  private readonly deferred = new Set<string>();
  /** When (our clock) the lease informer last heard from the API server. */
  private heardAt: number;
  private staleLogged = false;
  private lastCensus?: { at: number; total: number; unhealthy: number };

  constructor(
    private readonly opts: HealthControllerOptions & { leaseNamespace: string; logger: Logger },
    private readonly nodes: SharedInformer<Node>,
    private readonly leases: SharedInformer<Lease>,
    private readonly allocs: SharedInformer<Allocation>,
  ) {
    this.observer = new LeaseObserver({ ttlMs: opts.ttlMs, overrideTtl: opts.overrideTtl, graceMs: opts.graceMs });
    this.gate = new DisruptionGate(opts.disruption);
    this.progress = new ProgressMonitor(opts.progress);
    this.metrics = healthMetrics(opts.metrics);
    this.heardAt = opts.clock.now();
  }

  /** The lease informer delivered something: the cache is current as of now. */
  heardFromServer(): void {
    this.heardAt = this.opts.clock.now();
    if (this.staleLogged) {
      this.staleLogged = false;
      this.deferred.clear();
      this.opts.logger.info('node lease cache current again');
    }
  }

  /** Tick the progress monitor every period on our clock; a late tick is a stall of the control plane. */
  startTicker(): Timer {
    const clock = this.opts.clock;
    let timer: Timer | undefined;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      const stall = this.progress.tick(clock.now());
      if (stall > 0) {
        this.metrics.stalledSeconds.inc(stall / 1000);
        this.opts.logger.warn('control plane stalled: not counted as node silence', { stalledMs: stall });
      }
      timer = clock.setTimeout(tick, this.progress.periodMs);
    };
    tick();
    return { cancel: () => ((stopped = true), timer?.cancel()) };
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get(undefined, name);
    if (!node) {
      this.observer.forget(name);
      return;
    }
    const now = this.opts.clock.now();
    const stalled = this.progress.stalledMs(now);
    const hb = this.observer.observe(name, this.leases.get(this.opts.leaseNamespace, name), now, agentSign(node), stalled);
    if (hb.expired) {
      if (node.status?.phase !== 'down') {
        const held = await this.holdBack(node, now, stalled);
        if (held !== undefined) return { requeueAfter: held };
      }
      await this.markDown(node, hb, now);
      await this.loseAllocations(name);
      return; // nothing changes until the lease does, and a lease change queues the node
    }
    if (hb.renewedSinceBaseline && heartbeatCondition(node)?.status === 'False') await this.markRenewed(node, now);
    else if (node.status?.phase === 'down') await this.loseAllocations(name);
    return { requeueAfter: hb.expiresAt - now };
  }

  /**
   * The partial-disruption rule: with most of the cluster silent at once, marking down goes slow (or stops).
   * Returns how long to wait before trying this node again, or undefined when it may be marked down now.
   */
  private async holdBack(node: Node, now: number, stalled: number): Promise<number | undefined> {
    const quiet = now - this.heardAt;
    const staleMs = this.opts.staleCacheMs ?? DEFAULT_STALE_CACHE_MS;
    if (quiet > staleMs) {
      if (!this.staleLogged) {
        this.staleLogged = true;
        this.opts.logger.warn('node lease cache stale: marking no node down until the API server is heard from', { quietMs: quiet });
      }
      return this.defer(node, now, `the lease cache has heard nothing from the API server for ${Math.round(quiet / 1000)}s`, DISRUPTION_RECHECK_MS);
    }
    const { total, unhealthy } = this.census(now, stalled);
    const d = this.gate.decide(now, total, unhealthy);
    if (d.state !== this.state) {
      const from = this.state;
      this.state = d.state;
      this.metrics.disruption.set(DISRUPTION_VALUE[d.state]);
      if (d.state === 'normal') {
        this.deferred.clear();
        this.opts.logger.info('node lease disruption over', { from, unhealthy, nodes: total });
      } else this.opts.logger.warn('node lease disruption: slowing down marking nodes down', { state: d.state, unhealthy, nodes: total, reason: d.reason });
    }
    if (d.allowed) return undefined;
    // Look again when a token comes, and at least every few seconds (the disruption may end).
    return this.defer(node, now, d.reason!, Math.max(100, Math.min(this.gate.nextTokenAt(now, total) - now, DISRUPTION_RECHECK_MS)));
  }

  /**
   * How many nodes there are and how many are expired or down by us, counted at most once per CENSUS_MS (a mass
   * expiry reconciles every node, and counting is O(nodes)). A node its own agent reports down is known, not
   * missing: it counts on neither side.
   */
  private census(now: number, stalled: number): { total: number; unhealthy: number } {
    const last = this.lastCensus;
    if (last && now >= last.at && now - last.at < CENSUS_MS) return last;
    let total = 0;
    let unhealthy = 0;
    for (const n of this.nodes.list()) {
      if (n.status?.phase === 'down' && !downByHealth(n)) continue;
      total++;
      const name = n.metadata.name;
      if (downByHealth(n) || this.observer.observe(name, this.leases.get(this.opts.leaseNamespace, name), now, agentSign(n), stalled).expired) unhealthy++;
    }
    this.lastCensus = { at: now, total, unhealthy };
    return this.lastCensus;
  }

  /** Hold a node's down back: count it, say why on the node (once per episode), and look again after `againMs`. */
  private async defer(node: Node, now: number, reason: string, againMs: number): Promise<number> {
    this.metrics.deferred.inc();
    const name = node.metadata.name;
    if (!this.deferred.has(name)) {
      this.deferred.add(name);
      await recordEvent(this.opts.client, this.opts.logger, { object: node, reason: 'NodeDownDeferred', message: `not marked down yet: ${reason}`, type: 'Warning', component: HEALTH_COMPONENT, now });
    }
    return againMs;
  }

  private async markDown(node: Node, hb: HeartbeatState, now: number): Promise<void> {
    const name = node.metadata.name;
    if (node.status?.phase === 'down') return;
    const message = `node lease not renewed for ${Math.round(hb.silentForMs / 1000)}s`;
    await this.client().updateStatus(markedDown(node, message, rfc3339(now)));
    this.observer.markDown(name);
    this.opts.logger.info('node down', { node: name, silentForMs: hb.silentForMs });
    await recordEvent(this.opts.client, this.opts.logger, { object: node, reason: 'NodeDown', message, type: 'Warning', component: HEALTH_COMPONENT, now });
  }

  private async markRenewed(node: Node, now: number): Promise<void> {
    const updated = await this.client().updateStatus(markedRenewed(node, rfc3339(now)));
    if (node.status?.phase === 'down' && updated.status?.phase === 'ready') {
      this.opts.logger.info('node ready again', { node: node.metadata.name });
      await recordEvent(this.opts.client, this.opts.logger, { object: node, reason: 'NodeReady', message: 'node lease renewed; node is ready again', component: HEALTH_COMPONENT, now });
    }
  }

  private async loseAllocations(name: string): Promise<void> {
    const lost = await markAllocationsLost(this.opts.client, this.allocs.byIndex(ALLOCS_BY_NODE, name), this.opts.clock.now());
    if (lost.length > 0) this.opts.logger.info('allocations lost', { node: name, allocations: lost });
  }

  private client() {
    return this.opts.client.resource<Node>('nodes');
  }
}

/**
 * A sign of life besides the lease: the agent wrote another phase over the health controller's down (the
 * condition still says False). It counts like a renewal, so a re-registering agent is not marked down again on
 * the strength of the lease it has not renewed yet, nor overridden by a ready it did not ask for.
 */
function agentSign(node: Node): string {
  const c = heartbeatCondition(node);
  return c?.status === 'False' && node.status?.phase !== 'down' ? `#agent@${node.metadata.resourceVersion}` : '';
}
