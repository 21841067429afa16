// Test support for the evaluator and the hollow nodes: a real API server over the memory store (loopback
// HTTP), builders for jobs, nodes and evaluations, and `place()`, which puts allocations on nodes the only way
// the API allows (a plan commit, POST evaluations/{name}/plan), as a scheduler worker would.
import { sameObjectVersion } from '../../../api/schemas/resource-version.ts';
import type { Allocation, Evaluation, Job, JobSpec, Node } from '../../../api/schemas/index.ts';
import { API_VERSION, type ApiObject } from '../../../api/schemas/kind.ts';
import { startApiServer, type TestApiServer } from '../../../test/support/server.ts';
import { createClient, type Client } from '../../client/client.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { seededRandom } from '../../scheduler/random.ts';
import type { EvaluatorConfig } from './context.ts';
import { createEvaluator, type Evaluator } from './evaluator.ts';

/** A running API server and a client to it. */
export interface TestCluster {
  api: TestApiServer;
  client: Client;
  close(): Promise<void>;
}

/** Start an API server on loopback over a fresh memory store, with a client. */
export async function startTestCluster(): Promise<TestCluster> {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  return {
    api,
    client,
    async close() {
      await client.close();
      await api.close();
    },
  };
}

/** Poll `cond` until it holds (the test runner's timeout catches a hang). */
export async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 5));
}

/** A job with one group `g` of `count` mock tasks (plus `spec` overrides). */
export function testJob(name: string, spec: Partial<JobSpec> = {}, namespace = 'default'): Job {
  return {
    apiVersion: API_VERSION, kind: 'Job', metadata: { name, namespace },
    spec: { type: 'service', groups: [{ name: 'g', count: 1, tasks: [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 500, memoryMB: 256 } }] }], ...spec },
  };
}

/** Create a node and give it a status (ready by default) with `cpu` MHz and `memoryMB`. */
export async function createNode(client: Client, name: string, opts: { cpu?: number; memoryMB?: number; phase?: 'initializing' | 'ready' | 'down'; spec?: Node['spec'] } = {}): Promise<Node> {
  const nodes = client.resource<Node>('nodes');
  const created = await nodes.create({ apiVersion: API_VERSION, kind: 'Node', metadata: { name }, spec: opts.spec ?? {} });
  return nodes.updateStatus({
    ...created,
    status: {
      phase: opts.phase ?? 'ready',
      resources: { cpu: opts.cpu ?? 4000, memoryMB: opts.memoryMB ?? 8192, diskMB: 100_000 },
      drivers: { mock: { detected: true, healthy: true } },
      attributes: { 'kernel.name': 'linux' },
    },
  });
}

/** An allocation draft of `jobName`'s group `g` on `nodeName` holding `cpu` MHz. */
export function allocDraft(name: string, jobName: string, nodeName: string, opts: { cpu?: number; memoryMB?: number; jobVersion?: number; task?: string } = {}): Allocation {
  return {
    apiVersion: API_VERSION, kind: 'Allocation', metadata: { name },
    spec: {
      nodeName, jobName, jobVersion: opts.jobVersion ?? 1, groupName: 'g', index: 0,
      resources: { tasks: { [opts.task ?? 't']: { cpu: opts.cpu ?? 500, memoryMB: opts.memoryMB ?? 256 } }, diskMB: 0 },
    },
  };
}

let placements = 0;

/**
 * Place `allocs` (all of one job) through a plan commit: a throwaway evaluation carries the plan and is deleted
 * afterwards, so it does not show among the evaluations a test looks at.
 */
export async function place(client: Client, allocs: Allocation[], namespace = 'default'): Promise<void> {
  const evals = client.resource<Evaluation>('evaluations');
  const name = `placer-${++placements}`;
  await evals.create({ apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name, namespace }, spec: { jobName: allocs[0]!.spec.jobName, triggeredBy: 'job-register' } });
  const res = await client.request<{ placed: string[]; nodes: Record<string, { refused?: string }> }>({
    method: 'POST',
    path: `/apis/drover.dev/v1/namespaces/${namespace}/evaluations/${name}/plan`,
    body: { placements: allocs, stops: [], updates: [] },
  });
  await evals.delete(name, { namespace });
  if (res.placed.length !== allocs.length) throw new Error(`placement refused: ${JSON.stringify(res.nodes)}`);
}

/** An evaluator over a fresh API server whose informers run but whose controllers do not: tests call reconcilers. */
export interface EvaluatorHarness extends TestCluster {
  clock: ManualClock;
  evaluator: Evaluator;
  /** Wait until the evaluator's informers hold exactly what the API server lists. */
  sync(): Promise<void>;
  /** The evaluations stored in `namespace`, by creation time, then job version, then name. */
  evals(namespace?: string): Promise<Evaluation[]>;
}

/** Start an evaluator harness (ManualClock at the real time, so server timestamps and the clock agree). */
export async function evaluatorHarness(config: Partial<EvaluatorConfig> = {}): Promise<EvaluatorHarness> {
  const cluster = await startTestCluster();
  const clock = new ManualClock(Date.now());
  const rng = seededRandom('evaluator-test');
  const evaluator = createEvaluator({ client: cluster.client, clock, logger: silentLogger, random: () => rng.next(), config });
  const cache = evaluator.context.cache;
  await cache.start();
  const same = async (informer: { list(): ApiObject[] }, plural: string) => {
    const live = (await cluster.client.resource(plural).list()).items;
    const want = new Map(live.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion]));
    const have = informer.list();
    // An informer's object from a watch event may carry its in-revision position ("48.1") where the list says "49".
    return have.length === want.size && have.every((o) => sameObjectVersion(o.metadata.resourceVersion ?? '', want.get(`${o.metadata.namespace}/${o.metadata.name}`)));
  };
  return {
    ...cluster,
    clock,
    evaluator,
    async sync() {
      await until(async () =>
        (await same(cache.jobs, 'jobs')) && (await same(cache.nodes, 'nodes')) && (await same(cache.allocs, 'allocations')) && (await same(cache.evals, 'evaluations')));
    },
    async evals(namespace = 'default') {
      const items = (await cluster.client.resource<Evaluation>('evaluations').list({ namespace })).items;
      const created = (e: Evaluation) => Date.parse(e.metadata.creationTimestamp ?? '') || 0;
      return items.sort((a, b) => created(a) - created(b) || (a.spec.jobVersion ?? 0) - (b.spec.jobVersion ?? 0) || (a.metadata.name < b.metadata.name ? -1 : 1));
    },
    async close() {
      cache.stop();
      await cluster.close();
    },
  };
}
