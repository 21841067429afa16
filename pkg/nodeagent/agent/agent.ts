// The node agent (Nomad's client, the kubelet): registers its Node with a fingerprint of the machine and its
// drivers, heartbeats through the node Lease, watches the allocations placed on it and runs one AllocRunner each.
// It re-attaches to its tasks after its own restart (state.ts) and keeps them running while the API server is
// away: registration, heartbeats, the informer and status writes all retry with backoff on their own.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Allocation, Lease, Node } from '../../../api/schemas/index.ts';
import { isClientTerminal } from '../../../api/schemas/allocation-state.ts';
import type { Client } from '../../client/client.ts';
import { createInformer, type Informer } from '../../client/informer.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Backoff, backoffOptions, CLIENT_BACKOFF, type BackoffOptions } from '../../retry/backoff.ts';
import type { Driver } from '../drivers/driver.ts';
import { hostAttributes, hostFacts, type DriverHealth, type HostFacts, type NodeFingerprint } from '../fingerprint.ts';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, ensureNamespace, NodeLease, renewalBackoff, renewalRetryDelay } from '../heartbeat.ts';
import { registerNode } from '../register.ts';
import { AllocRunner } from './alloc-runner.ts';
import { TaskInputSource } from './input-source.ts';
import type { NodeFacts } from './interpolate.ts';
import { JobSource } from './job-source.ts';
import { AGENT_HTTP_ATTRIBUTE, NODE_LEASE_NAMESPACE } from '../../../api/schemas/well-known.ts';
import { startLogServer, type LogLocation, type LogServer, type LogServerTls } from './log-server.ts';
import { StateStore, type AllocSnapshot } from './state.ts';
import { StatusWriter } from './status-writer.ts';

/** How an agent is configured (flags and the config file of `drover agent`). */
export interface AgentOptions {
  client: Client;
  /** Task drivers by name (`createDrivers(...)` from pkg/nodeagent/drivers, or a plain record in tests). */
  drivers: ReadonlyMap<string, Driver> | Record<string, Driver>;
  logger: Logger;
  clock: Clock;
  /** The Node's name (default: the hostname, chosen by the caller). */
  name: string;
  datacenter?: string;
  nodeClass?: string;
  /** Where allocation directories and the agent's state live. */
  dataDir: string;
  meta?: Record<string, string>;
  hostVolumes?: Record<string, { path: string; readOnly?: boolean }>;
  /** Address allocations are reachable on (default: the first non-internal IPv4 address). */
  address?: string;
  /** The log listener: bind host/port (default 127.0.0.1:0) and the URL the API server should use. */
  http?: { host?: string; port?: number; advertiseUrl?: string; tls?: LogServerTls };
  heartbeatIntervalMs?: number;
  leaseDurationSeconds?: number;
  /** Driver health is fingerprinted again this often; a change re-registers the Node (default 30 s). */
  fingerprintIntervalMs?: number;
  /** Reconnect delays (default 500 ms doubling to 30 s). */
  backoff?: Partial<BackoffOptions>;
  statusCoalesceMs?: number;
  logRotateMs?: number;
  logPollMs?: number;
  reserved?: { cpu?: number; memoryMB?: number; diskMB?: number };
  agentVersion?: string;
  /** Machine facts (tests); default: read from this host. */
  facts?: HostFacts;
  /** Random source in [0, 1) for template splay (tests pass a fixed one); default Math.random. */
  random?: () => number;
}

interface Entry {
  runner: AllocRunner;
  writer: StatusWriter;
}

/** A running node agent. */
export class Agent {
  private readonly log: Logger;
  private readonly state: StateStore;
  private readonly jobs: JobSource;
  private readonly drivers: ReadonlyMap<string, Driver>;
  private readonly byUid = new Map<string, Entry>();
  private readonly byName = new Map<string, string>();
  private facts: HostFacts | undefined;
  /** The Node as last registered: what tasks interpolate (`${attr.*}`, `${node.*}`) and templates read. */
  private node: Node | undefined;
  /** ConfigMaps and Secrets templates read, cached and watched. */
  private readonly inputs: TaskInputSource;
  private informer: Informer<Allocation> | undefined;
  private lease: NodeLease | undefined;
  private logServer: LogServer | undefined;
  private timers: Timer[] = [];
  private heartbeatTimer: Timer | undefined;
  private failedBeats = 0;
  private lastDrivers = '';
  private stopped = false;
  private markReady!: () => void;
  private readonly readyP = new Promise<void>((resolve) => (this.markReady = resolve));
  private connecting: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: AgentOptions) {
    this.log = opts.logger.child({ component: 'agent', node: opts.name });
    this.state = new StateStore(join(opts.dataDir, 'state'), this.log);
    this.jobs = new JobSource(opts.client);
    this.drivers = opts.drivers instanceof Map ? opts.drivers : new Map(Object.entries(opts.drivers));
    this.inputs = new TaskInputSource({ client: opts.client, logger: this.log, clock: opts.clock, backoff: opts.backoff });
  }

  /** The Node's name. */
  get name(): string {
    return this.opts.name;
  }

  /** The log listener's URL (after start). */
  get httpUrl(): string | undefined {
    return this.logServer ? this.opts.http?.advertiseUrl ?? this.logServer.url : undefined;
  }

  /** Every allocation runner, finished ones included (until their allocation is deleted). */
  runners(): AllocRunner[] {
    return [...this.byUid.values()].map((e) => e.runner);
  }

  /**
   * Restore allocations from the data dir (resolving once their running tasks are re-attached), open the log
   * listener, then connect to the API server in the background. Does not wait for the API server: see ready().
   */
  async start(): Promise<void> {
    await mkdir(this.opts.dataDir, { recursive: true });
    this.facts = this.opts.facts ?? (await hostFacts({ root: this.opts.dataDir, address: this.opts.address }));
    const host = this.opts.http?.host ?? '127.0.0.1';
    this.logServer = await startLogServer({ host, port: this.opts.http?.port ?? 0, source: { find: (ns, a, t) => this.findLogs(ns, a, t) }, clock: this.opts.clock, logger: this.log, pollMs: this.opts.logPollMs, tls: this.opts.http?.tls });
    const restored = await this.state.loadAll();
    // Re-attach before anything else: tasks that survived the last agent must be ours again before any start.
    // (A snapshot without its job was still fetching it: that waits for the API server, in the background.)
    await Promise.all(restored.map((snap) => {
      const running = this.addRunner(snap.alloc as Allocation, snap);
      return snap.job ? running : undefined;
    }));
    if (restored.length) this.log.info('restored allocations from local state', { count: restored.length });
    this.connecting = this.connect();
  }

  /** Resolves once the Node is registered and the agent's allocations have been listed (or the agent stops). */
  ready(): Promise<void> {
    return this.readyP;
  }

  /**
   * Stop the agent. Tasks keep running (the next agent re-attaches) unless `killTasks`, which stops every task
   * and removes the allocations' directories and state (tests, decommissioning).
   */
  async stop(opts: { killTasks?: boolean; flushTimeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    this.informer?.stop();
    this.inputs.stop();
    for (const t of [...this.timers, this.heartbeatTimer]) t?.cancel();
    const entries = [...this.byUid.values()];
    await Promise.all(entries.map((e) => (opts.killTasks ? e.runner.destroy() : e.runner.shutdown())));
    // Give reports in flight a moment to reach the server; what does not is re-reported by the next agent.
    let timer: Timer | undefined;
    await Promise.race([
      Promise.all(entries.map((e) => e.writer.idle())),
      new Promise<void>((resolve) => (timer = this.opts.clock.setTimeout(resolve, opts.flushTimeoutMs ?? 2000))),
    ]);
    timer?.cancel();
    for (const e of entries) e.writer.stop();
    await this.state.flush();
    await this.logServer?.close();
    this.markReady();
    await this.connecting?.catch(() => {});
  }

  private async connect(): Promise<void> {
    const nodes = this.opts.client.resource<Node>('nodes');
    this.lease = new NodeLease({ leases: this.opts.client.resource<Lease>('leases'), nodeName: this.opts.name, clock: this.opts.clock, durationSeconds: this.opts.leaseDurationSeconds });
    await this.retry('registration', async () => {
      await ensureNamespace(this.opts.client, NODE_LEASE_NAMESPACE);
      const fp = await this.fingerprint();
      // The lease first: a node is never ready without a live lease.
      await this.lease!.renew();
      this.node = await registerNode(nodes, fp, { now: () => this.opts.clock.now() });
      this.log.info('node registered', { address: fp.facts.address, drivers: Object.keys(fp.drivers) });
    });
    if (this.stopped) return;
    this.scheduleHeartbeat();
    this.scheduleFingerprint();
    this.informer = createInformer<Allocation>({
      client: this.opts.client, kind: 'allocations', fieldSelector: `spec.nodeName=${this.opts.name}`, logger: this.log, clock: this.opts.clock, backoff: this.opts.backoff,
    });
    this.informer.on('add', (a) => this.onAlloc(a));
    this.informer.on('update', (_old, a) => this.onAlloc(a));
    this.informer.on('delete', (a) => this.onAllocDeleted(a));
    await this.informer.start();
    if (this.stopped) return;
    // Allocations restored from disk that the cluster no longer has: their tasks are orphans — stop and clean.
    const live = new Set(this.informer.list().map((a) => a.metadata.uid));
    for (const [uid, e] of this.byUid) if (!live.has(uid)) this.removeRunner(e.runner.allocation);
    this.markReady();
  }

  private async retry(what: string, fn: () => Promise<void>): Promise<void> {
    const backoff = new Backoff(backoffOptions(CLIENT_BACKOFF, this.opts.backoff));
    while (!this.stopped) {
      try {
        return await fn();
      } catch (err) {
        const delay = backoff.next();
        this.log.warn(`${what} failed, will retry`, { err, delayMs: delay });
        await this.sleep(delay);
      }
    }
  }

  // A backoff wait that stop() cuts short.
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.opts.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        timer.cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }

  // Before the first registration (a restored task restarting while the API server is away) the node is what
  // this agent would register.
  private nodeFacts(): NodeFacts {
    const n = this.node;
    return {
      id: n?.metadata.uid ?? this.opts.name,
      name: this.opts.name,
      datacenter: this.opts.datacenter ?? 'dc1',
      nodeClass: this.opts.nodeClass ?? '',
      attributes: { ...(this.facts ? hostAttributes(this.facts) : {}), ...(n?.status?.attributes ?? {}) },
      meta: { ...(this.opts.meta ?? {}) },
    };
  }

  private async fingerprint(): Promise<NodeFingerprint> {
    const drivers = await this.driverHealth();
    this.lastDrivers = JSON.stringify(drivers);
    return {
      name: this.opts.name,
      datacenter: this.opts.datacenter ?? 'dc1',
      nodeClass: this.opts.nodeClass,
      meta: this.opts.meta ?? {},
      facts: this.facts!,
      drivers,
      reserved: this.opts.reserved,
      hostVolumes: this.opts.hostVolumes,
      agentVersion: this.opts.agentVersion,
      attributes: { [AGENT_HTTP_ATTRIBUTE]: this.httpUrl! },
    };
  }

  private async driverHealth(): Promise<Record<string, DriverHealth>> {
    const out: Record<string, DriverHealth> = {};
    for (const [name, d] of this.drivers) {
      try {
        out[name] = await d.fingerprint();
      } catch (err) {
        out[name] = { detected: false, healthy: false, description: `fingerprint failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    return out;
  }

  // One renewal per interval; a failed one is retried with backoff within the lease (renewalRetryDelay), so one
  // lost request never costs the node its lease. After a run of failures (the API server was away) the Node is
  // registered again: the health controller may have marked it down meanwhile, and its status should say ready.
  private scheduleHeartbeat(delayMs = this.heartbeatIntervalMs()): void {
    if (this.stopped) return;
    this.heartbeatTimer = this.opts.clock.setTimeout(
      () => void this.beat().then((ok) => this.scheduleHeartbeat(ok ? undefined : this.retryDelay())),
      delayMs,
    );
  }

  private heartbeatIntervalMs(): number {
    return this.opts.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  }

  private retryDelay(): number {
    const interval = this.heartbeatIntervalMs();
    return Math.min(interval, renewalRetryDelay(this.failedBeats, this.opts.clock.now(), this.lease!.expiresAt(), renewalBackoff(interval)));
  }

  private async beat(): Promise<boolean> {
    try {
      await this.lease!.renew();
    } catch (err) {
      this.failedBeats++;
      this.log.warn('heartbeat failed, will retry', { err, failures: this.failedBeats });
      return false;
    }
    if (this.failedBeats > 0) {
      this.failedBeats = 0;
      this.log.info('API server reachable again, re-registering');
      // A failed re-registration is retried by the next beats' fingerprint check, not by failing the lease.
      await registerNode(this.opts.client.resource<Node>('nodes'), await this.fingerprint(), { now: () => this.opts.clock.now() }).then((n) => (this.node = n), (err) => {
        this.failedBeats = 1;
        this.log.warn('re-registration failed, will retry', { err });
      });
    }
    return true;
  }

  private scheduleFingerprint(): void {
    if (this.stopped) return;
    const t = this.opts.clock.setTimeout(async () => {
      this.timers = this.timers.filter((x) => x !== t);
      try {
        if (JSON.stringify(await this.driverHealth()) !== this.lastDrivers) {
          this.log.info('driver health changed, re-registering');
          this.node = await registerNode(this.opts.client.resource<Node>('nodes'), await this.fingerprint(), { now: () => this.opts.clock.now() });
        }
      } catch (err) {
        this.log.warn('re-fingerprinting failed', { err });
      }
      this.scheduleFingerprint();
    }, this.opts.fingerprintIntervalMs ?? 30_000);
    this.timers.push(t);
  }

  private onAlloc(alloc: Allocation): void {
    if (this.stopped || !alloc.metadata.uid) return;
    const entry = this.byUid.get(alloc.metadata.uid);
    if (entry) return entry.runner.update(alloc);
    // Finished before this agent (or its state) knew it: nothing to run, nothing to report.
    if (isClientTerminal(alloc.status?.clientStatus)) return;
    void this.addRunner(alloc);
  }

  private onAllocDeleted(alloc: Allocation): void {
    const entry = alloc.metadata.uid ? this.byUid.get(alloc.metadata.uid) : undefined;
    if (entry) this.removeRunner(entry.runner.allocation);
  }

  private addRunner(alloc: Allocation, restored?: AllocSnapshot): Promise<void> {
    const uid = alloc.metadata.uid!;
    const ns = alloc.metadata.namespace ?? 'default';
    const log = this.log.child({ alloc: alloc.metadata.name, namespace: ns });
    const writer = new StatusWriter(
      {
        allocs: this.opts.client.resource<Allocation>('allocations'),
        cached: () => this.informer?.get(ns, alloc.metadata.name),
        clock: this.opts.clock,
        logger: log,
        coalesceMs: this.opts.statusCoalesceMs,
        backoff: this.opts.backoff,
      },
      ns,
      alloc.metadata.name,
      uid,
    );
    const runner = new AllocRunner(
      {
        jobs: this.jobs, drivers: this.drivers, state: this.state, clock: this.opts.clock, logger: this.log, dataDir: this.opts.dataDir,
        datacenter: this.opts.datacenter ?? 'dc1', address: this.facts!.address, hostVolumes: this.opts.hostVolumes ?? {},
        report: (s) => writer.report(s), backoff: this.opts.backoff, logRotateMs: this.opts.logRotateMs,
        node: () => this.nodeFacts(), inputs: this.inputs, random: this.opts.random ?? Math.random,
      },
      alloc,
      restored,
    );
    this.byUid.set(uid, { runner, writer });
    this.byName.set(`${ns}/${alloc.metadata.name}`, uid);
    return runner.run().catch((err) => log.error('allocation runner failed', { err }));
  }

  private removeRunner(alloc: Allocation): void {
    const uid = alloc.metadata.uid!;
    const entry = this.byUid.get(uid);
    if (!entry) return;
    this.byUid.delete(uid);
    const key = `${alloc.metadata.namespace ?? 'default'}/${alloc.metadata.name}`;
    if (this.byName.get(key) === uid) this.byName.delete(key);
    entry.writer.stop();
    void entry.runner.destroy().catch((err) => this.log.error('destroying an allocation failed', { alloc: alloc.metadata.name, err }));
  }

  private findLogs(namespace: string, alloc: string, task: string | undefined): LogLocation {
    const uid = this.byName.get(`${namespace}/${alloc}`);
    const runner = uid ? this.byUid.get(uid)?.runner : undefined;
    if (!runner) return { code: 404, error: `allocation "${alloc}" is not on node "${this.opts.name}"` };
    const tasks = [...runner.taskRunners.values()];
    if (tasks.length === 0) return { code: 404, error: `allocation "${alloc}" has no tasks yet` };
    const chosen = task ? runner.taskRunners.get(task) : (tasks.find((t) => t.kind === 'main') ?? tasks[0]);
    if (!chosen) return { code: 404, error: `task "${task}" not found in allocation "${alloc}" (tasks: ${tasks.map((t) => t.name).join(', ')})` };
    return { dir: runner.allocDir.logs, task: chosen.name, finished: () => chosen.isDead || !this.byUid.has(runner.uid) };
  }
}
