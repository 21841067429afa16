// Test harness for the agent: a real API server (memory store, log proxy plugin) on loopback, a client, a
// temporary data dir, and helpers to create jobs and place allocations by hand (no scheduler needed).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Allocation, Job, TaskGroup, JobSpec } from '../../../api/schemas/index.ts';
import { createClient, type Client } from '../../client/client.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger, type Logger } from '../../log/logger.ts';
import { startApiServer, type TestApiServer } from '../../../test/support/server.ts';
import type { Driver } from '../drivers/driver.ts';
import { MockDriver } from '../drivers/mock/driver.ts';
import { isNetworkError } from '../../client/errors.ts';
import type { HostFacts } from '../fingerprint.ts';
import { Agent, type AgentOptions } from './agent.ts';
import { currentVersion } from './job-source.ts';
import { logProxyPlugin } from '../../apiserver/logproxy/log-proxy.ts';
import { WAIT_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

/** A wait that takes longer than this has hung (see test/support/hang-guard.ts): never a speed check. */
export const HANG_GUARD_MS = WAIT_HANG_GUARD_MS;

/** Facts of the pretend machine the test agents run on. */
export const TEST_FACTS: HostFacts = {
  hostname: 'test-host', cpuMHz: 2000, cores: 4, cpuModel: 'test', memoryMB: 8192, diskMB: 100_000, arch: 'amd64',
  kernelName: 'linux', kernelVersion: '6.0.0', osName: 'debian', osVersion: '12', address: '127.0.0.1',
};

/** What a test gets. */
export interface AgentHarness {
  api: TestApiServer;
  client: Client;
  dataDir: string;
  logger: Logger;
  /**
   * Start an agent named `node-1` (unless overridden) with the mock driver and quick timings, and (unless `wait`
   * is false) wait until it is registered and synced. Stopped, its tasks killed, at the end.
   */
  startAgent(over?: Partial<AgentOptions>, wait?: boolean): Promise<Agent>;
  /** Create a job of one group `g` (batch unless `type` says otherwise). */
  createJob(name: string, group: Omit<TaskGroup, 'name'>, spec?: Partial<JobSpec>): Promise<Job>;
  /** Place an allocation of `job`'s group `g` on `node-1` (or `nodeName`). */
  place(job: Job, opts?: { name?: string; nodeName?: string; ports?: Array<{ label: string; value: number; to?: number }>; deploymentName?: string; index?: number; desiredStatus?: 'run' | 'stop' }): Promise<Allocation>;
  alloc(name: string): Promise<Allocation>;
  /** Poll until `cond` holds; gives up after HANG_GUARD_MS (a hang guard, never a timing assertion). */
  until(cond: () => boolean | Promise<boolean>, what: string): Promise<void>;
  /** Poll until the allocation satisfies `cond`; returns it. */
  untilAlloc(name: string, cond: (a: Allocation) => boolean, what: string): Promise<Allocation>;
}

/** Run `fn` with a fresh harness, cleaning everything up afterwards. */
export async function withAgentHarness(fn: (h: AgentHarness) => Promise<void>): Promise<void> {
  const api = await startApiServer({ plugins: [logProxyPlugin()] });
  const client = createClient({ server: api.url });
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-agent-'));
  const agents: Agent[] = [];
  const logger = silentLogger;
  const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + HANG_GUARD_MS;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`gave up waiting until ${what} (hang guard, ${HANG_GUARD_MS / 60_000} min)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const h: AgentHarness = {
    api,
    client,
    dataDir,
    logger,
    async startAgent(over = {}, wait = true) {
      const agent = new Agent({
        client,
        drivers: { mock: new MockDriver({ clock: realClock, logger }) as Driver },
        logger,
        clock: realClock,
        name: 'node-1',
        dataDir,
        facts: TEST_FACTS,
        heartbeatIntervalMs: 200,
        backoff: { initialMs: 20, maxMs: 200 },
        statusCoalesceMs: 5,
        logRotateMs: 20,
        logPollMs: 20,
        ...over,
      });
      agents.push(agent);
      await agent.start();
      if (wait) await agent.ready();
      return agent;
    },
    async createJob(name, group, spec = {}) {
      return client.resource<Job>('jobs').create({
        apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' },
        spec: { type: 'batch', datacenters: ['dc1'], ...spec, groups: [{ name: 'g', ...group }] },
      });
    },
    async place(job, opts = {}) {
      const group = job.spec.groups[0]!;
      const tasks = Object.fromEntries(group.tasks.map((t) => [t.name, { cpu: 100, memoryMB: 64 }]));
      const spec: Allocation['spec'] = {
        nodeName: opts.nodeName ?? 'node-1', jobName: job.metadata.name, jobVersion: currentVersion(job), groupName: group.name,
        index: opts.index ?? 0, resources: { tasks, ports: opts.ports ?? [], diskMB: 300 },
      };
      if (opts.deploymentName) spec.deploymentName = opts.deploymentName;
      const name = opts.name ?? `${job.metadata.name}-a${opts.index ?? 0}`;
      const alloc: Allocation = { apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name, namespace: 'default' }, spec };
      if (opts.desiredStatus === 'stop') {
        // A stopped allocation holds nothing, so it may be created directly.
        spec.desiredStatus = 'stop';
        return client.resource<Allocation>('allocations').create(alloc);
      }
      // Allocations that hold resources are placed only by plan commits (pkg/plancommit): submit a one-placement plan.
      const evalName = `place-${name}`;
      await client.resource('evaluations').create({
        apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: evalName, namespace: 'default' }, spec: { jobName: job.metadata.name, triggeredBy: 'job-register' },
      } as never);
      const res = await client.request<{ placed: string[]; nodes: unknown }>({
        method: 'POST', path: `/apis/drover.dev/v1/namespaces/default/evaluations/${evalName}/plan`, body: { placements: [alloc], stops: [], updates: [] },
      });
      if (!res.placed.includes(name)) throw new Error(`placing ${name} was refused: ${JSON.stringify(res.nodes)}`);
      return h.alloc(name);
    },
    alloc: (name) => client.resource<Allocation>('allocations').get(name, { namespace: 'default' }),
    until,
    async untilAlloc(name, cond, what) {
      let last: Allocation | undefined;
      // A server being restarted by the test answers with a closed socket for a moment: keep polling.
      const read = () => h.alloc(name).then((a) => (last = a), (err: unknown) => (isNetworkError(err) ? undefined : Promise.reject(err)));
      await until(async () => {
        const a = await read();
        return a !== undefined && cond(a);
      }, `${name}: ${what}`).catch((err) => {
        throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`);
      });
      return last!;
    },
  };
  try {
    await fn(h);
  } finally {
    for (const a of agents) await a.stop({ killTasks: true, flushTimeoutMs: 0 });
    await client.close();
    await api.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The event types of one task, in order. */
export function eventTypes(alloc: Allocation, task: string): string[] {
  return (alloc.status?.taskStates?.[task]?.events ?? []).map((e) => e.type);
}
