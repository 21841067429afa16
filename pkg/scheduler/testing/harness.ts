// Nomad's scheduler Harness, over the real thing: in-process API servers (on the memory store, or on stores the
// caller opens, e.g. etcd), scheduler "processes" (each its own client, informers and workers), and a record of
// every plan submitted and every evaluation handled. Tests create nodes, jobs and evaluations through the API
// and wait for outcomes.
import type { Allocation, Evaluation, Job, JobSpec, JobVersion, Node } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { createApiServer, type ApiServer } from '../../apiserver/server.ts';
import { createClient, type Client } from '../../client/client.ts';
import { realClock, type Clock } from '../../clock/clock.ts';
import { silentLogger, type Logger } from '../../log/logger.ts';
import { planCommitPlugin } from '../../plancommit/route.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import type { Store } from '../../storage/store.ts';
import type { WorkerConfig } from '../worker/config.ts';
import type { PlanEvent, WorkerHooks } from '../worker/process.ts';
import { startScheduler, type RunningScheduler } from '../worker/scheduler.ts';
import { WAIT_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

/** One worker's handling of one claimed evaluation. */
export interface Handling {
  eval: string;
  deliveries: number;
  worker: string;
  seq: number;
  endSeq?: number;
  result?: 'acked' | 'nacked' | 'failed' | 'lost';
}

/** Options of startHarness. */
export interface HarnessOptions {
  /** Scheduler processes, each with its own client and informers (default 1). */
  processes?: number;
  workersPerProcess?: number;
  /** The workers' clock (claims, nack delays, waitUntil); the API server keeps the real clock. */
  clock?: Clock;
  config?: Partial<WorkerConfig>;
  /** Extra hooks (called after the harness records). */
  hooks?: WorkerHooks;
  logger?: Logger;
  /** Do not start the schedulers yet (call startSchedulers). */
  deferStart?: boolean;
  /** API servers (default 1), each over its own store connection; process i talks to server i mod servers. */
  servers?: number;
  /** Opens one store connection per API server (default: one memory store shared by them all). */
  openStore?: () => Promise<Store>;
}

/** A group of a test job. */
export interface TestGroup {
  name?: string;
  count?: number;
  cpu?: number;
  memoryMB?: number;
  /** Static ports by label; a label mapped to 0 asks for a dynamic port. */
  ports?: Record<string, number>;
}

/** A running harness. */
export interface Harness {
  /** The first API server's store, server and URL (the admin client's). */
  store: Store;
  server: ApiServer;
  url: string;
  /** An administrator's client (not a scheduler's). */
  client: Client;
  /** Every plan submission, in order. */
  plans: PlanEvent[];
  /** Every handling of a claimed evaluation, in order of start. */
  handlings: Handling[];
  startSchedulers(): Promise<void>;
  stopSchedulers(): Promise<void>;
  /** Cut scheduler process `i` off the API server (as if it died): its requests fail from now on. */
  disconnect(i: number): Promise<void>;
  /** Stop scheduler process `i` (after disconnect: what is left of a dead process). */
  stopProcess(i: number): Promise<void>;
  /** A ready node with these resources. */
  addNode(name: string, res?: { cpu?: number; memoryMB?: number; diskMB?: number; datacenter?: string; nodeClass?: string }): Promise<Node>;
  /** Create or replace a job (spec from groups), record its JobVersion, and return it. */
  putJob(name: string, groups: TestGroup[], spec?: Partial<JobSpec>): Promise<Job>;
  /** Create a pending evaluation for a job. */
  createEval(job: string, opts?: { name?: string; triggeredBy?: Evaluation['spec']['triggeredBy']; priority?: number; status?: Evaluation['status']; waitUntil?: string }): Promise<Evaluation>;
  getEval(name: string): Promise<Evaluation>;
  evals(): Promise<Evaluation[]>;
  allocs(): Promise<Allocation[]>;
  /** Poll (real time) until `ready` holds; fails after HANG_GUARD_MS (a hang guard, not a performance check). */
  until<T>(what: string, ready: () => Promise<T | undefined | false>): Promise<T>;
  /** Wait until every running scheduler process's informers have reached these revisions. */
  seen(revisions: Partial<Record<'jobs' | 'allocations' | 'nodes' | 'evaluations', number>>): Promise<void>;
  /** Wait until the evaluation has left `pending`; returns it. */
  settled(name: string): Promise<Evaluation>;
  close(): Promise<void>;
}

const NS = 'default';

/** A wait that takes longer than this has hung (see test/support/hang-guard.ts): never a speed check. */
export const HANG_GUARD_MS = WAIT_HANG_GUARD_MS;

/** Start an API server and (unless deferred) the scheduler processes. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? realClock;
  const shared = opts.openStore ? undefined : await openMemoryStore();
  const apis: Array<{ store: Store; server: ApiServer; url: string }> = [];
  for (let i = 0; i < (opts.servers ?? 1); i++) {
    const store = shared ?? (await opts.openStore!());
    const server = await createApiServer({ store, logger, compactionIntervalMs: 0, plugins: [planCommitPlugin()] });
    apis.push({ store, server, url: await server.listen({ port: 0 }) });
  }
  const { store, server, url } = apis[0]!;
  const client = createClient({ server: url, userAgent: 'harness' });
  const plans: PlanEvent[] = [];
  const handlings: Handling[] = [];
  let seq = 0;
  const open = new Map<string, Handling>();
  const hooks: WorkerHooks = {
    beforeSubmit: (ev, req) => opts.hooks?.beforeSubmit?.(ev, req),
    onPlan: (e) => {
      plans.push(e);
      opts.hooks?.onPlan?.(e);
    },
    onProcessStart: (ev, worker) => {
      const h: Handling = { eval: ev.metadata.name, deliveries: ev.status?.deliveries ?? 0, worker, seq: seq++ };
      handlings.push(h);
      open.set(`${worker}/${ev.metadata.name}`, h);
      opts.hooks?.onProcessStart?.(ev, worker);
    },
    onProcessEnd: (ev, worker, result) => {
      const h = open.get(`${worker}/${ev.metadata.name}`);
      if (h) Object.assign(h, { endSeq: seq++, result });
      open.delete(`${worker}/${ev.metadata.name}`);
      opts.hooks?.onProcessEnd?.(ev, worker, result);
    },
  };
  const procs: Array<{ client: Client; sched?: RunningScheduler }> = Array.from({ length: opts.processes ?? 1 }, (_, i) => ({
    client: createClient({ server: apis[i % apis.length]!.url, userAgent: `scheduler-${i}` }),
  }));
  const rc = <T extends Allocation | Evaluation | Job | Node>(plural: string) => client.resource<T>(plural);

  const h: Harness = {
    store, server, url, client, plans, handlings,
    async startSchedulers() {
      await Promise.all(procs.map(async (p, i) => {
        p.sched ??= await startScheduler({ client: p.client, logger, clock, workers: opts.workersPerProcess ?? 2, identity: `proc-${i}`, config: opts.config, hooks });
      }));
    },
    async stopSchedulers() {
      await Promise.all(procs.map(async (p) => {
        await p.sched?.stop();
        p.sched = undefined;
      }));
    },
    async disconnect(i) {
      await procs[i]!.client.close();
    },
    async stopProcess(i) {
      await procs[i]!.sched?.stop();
      procs[i]!.sched = undefined;
    },
    async addNode(name, res = {}) {
      const nodes = rc<Node>('nodes');
      const created = await nodes.create({ apiVersion: API_VERSION, kind: 'Node', metadata: { name }, spec: { datacenter: res.datacenter ?? 'dc1', ...(res.nodeClass ? { nodeClass: res.nodeClass } : {}) } });
      const healthy = { detected: true, healthy: true };
      return nodes.updateStatus({
        ...created,
        status: {
          phase: 'ready',
          resources: { cpu: res.cpu ?? 4000, memoryMB: res.memoryMB ?? 8192, diskMB: res.diskMB ?? 100_000 },
          drivers: { mock: healthy, exec: healthy, raw_exec: healthy, docker: healthy },
          attributes: { 'kernel.name': 'linux', 'cpu.arch': 'amd64', 'unique.hostname': name },
        },
      });
    },
    async putJob(name, groups, spec = {}) {
      const jobs = rc<Job>('jobs');
      const body: Job = { apiVersion: API_VERSION, kind: 'Job', metadata: { name, namespace: NS }, spec: { ...spec, groups: groups.map(groupSpec) } };
      let job: Job;
      try {
        const cur = await jobs.get(name, { namespace: NS });
        job = await jobs.update({ ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion } });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        job = await jobs.create(body);
      }
      // The history the Job admission keeps: without it every update would look destructive.
      const version = job.metadata.generation ?? 1;
      await client.resource<JobVersion>('jobversions').create({
        apiVersion: API_VERSION, kind: 'JobVersion', metadata: { name: `${name}-v${version}`, namespace: NS }, spec: { jobName: name, version, jobSpec: job.spec },
      }).catch((err) => {
        if ((err as { code?: number }).code !== 409) throw err;
      });
      return job;
    },
    async createEval(job, o = {}) {
      const evals = rc<Evaluation>('evaluations');
      const name = o.name ?? `${job}-${Math.random().toString(36).slice(2, 8)}`;
      const spec: Evaluation['spec'] = { jobName: job, triggeredBy: o.triggeredBy ?? 'job-register', priority: o.priority ?? 50 };
      if (o.waitUntil) spec.waitUntil = o.waitUntil;
      const created = await evals.create({ apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name, namespace: NS }, spec });
      return o.status ? evals.updateStatus({ ...created, status: o.status }) : created;
    },
    getEval: (name) => rc<Evaluation>('evaluations').get(name, { namespace: NS }),
    evals: async () => (await rc<Evaluation>('evaluations').list({ namespace: NS })).items,
    allocs: async () => (await rc<Allocation>('allocations').list({ namespace: NS })).items,
    async until<T>(what: string, ready: () => Promise<T | undefined | false>): Promise<T> {
      const deadline = Date.now() + HANG_GUARD_MS;
      for (;;) {
        const v = await ready();
        if (v !== undefined && v !== false) return v as T;
        if (Date.now() > deadline) throw new Error(`harness: gave up waiting for ${what} (hang guard, ${HANG_GUARD_MS / 60_000} min)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async seen(revisions) {
      await h.until('the schedulers to catch up', async () =>
        procs.every((p) => {
          const have = p.sched?.revisions();
          return !!have && Object.entries(revisions).every(([k, rv]) => have[k as keyof typeof have] >= (rv ?? 0));
        }),
      );
    },
    settled(name) {
      return h.until(`evaluation ${name} to settle`, async () => {
        const ev = await h.getEval(name);
        return (ev.status?.phase ?? 'pending') !== 'pending' ? ev : undefined;
      });
    },
    async close() {
      await h.stopSchedulers();
      for (const p of procs) await p.client.close();
      await client.close();
      for (const a of apis) await a.server.close();
      for (const st of new Set(apis.map((a) => a.store))) await st.close();
    },
  };
  if (!opts.deferStart) await h.startSchedulers();
  return h;
}

function groupSpec(g: TestGroup, i: number): JobSpec['groups'][number] {
  const ports = Object.entries(g.ports ?? {}).map(([label, p]) => (p > 0 ? { label, static: p } : { label }));
  return {
    name: g.name ?? (i === 0 ? 'web' : `g${i}`),
    count: g.count ?? 1,
    ephemeralDisk: { sizeMB: 10 },
    ...(ports.length > 0 ? { network: { ports } } : {}),
    tasks: [{ name: 'main', driver: 'mock', config: { runFor: '1h' }, resources: { cpu: g.cpu ?? 100, memoryMB: g.memoryMB ?? 64 } }],
  };
}

/** Live allocations of a job (api/schemas/allocation-state.ts: they hold their node's resources). */
export function liveAllocs(allocs: Allocation[], job?: string): Allocation[] {
  return allocs.filter((a) => (job === undefined || a.spec.jobName === job) && isLive(a));
}
