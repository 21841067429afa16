// Fixtures for the plan-commit tests: an API server with every registry kind over a fresh memory store, driven
// through app.inject(), and builders for nodes, evaluations and placement drafts.
import { kinds } from '../../api/schemas/index.ts';
import type { Allocation, Evaluation, Node } from '../../api/schemas/index.ts';
import { isLive } from '../../api/schemas/allocation-state.ts';
import type { AdmissionHook } from '../apiserver/admission.ts';
import { testServer, type TestResponse, type TestServer } from '../apiserver/test-support.ts';
import type { PlanRequest, PlanResponse } from '../scheduler/plan/wire.ts';
import { planCommitPlugin } from './route.ts';

const V1 = '/apis/drover.dev/v1';

/** A server serving every kind, with helpers for the objects plan commits are about. */
export interface CommitTestServer extends TestServer {
  /** Create a ready node with `cpu` MHz and `memoryMB`. */
  node(name: string, cpu: number, memoryMB?: number, status?: Partial<NonNullable<Node['status']>>): Promise<void>;
  /** Create a pending evaluation for `job` (optionally claimed). */
  evaluation(name: string, job: string, status?: Evaluation['status']): Promise<Evaluation>;
  /** POST a plan for evaluation `name`; the answer body is a PlanResponse on 200. */
  plan(evalName: string, req: Partial<PlanRequest>): Promise<TestResponse & { body: PlanResponse }>;
  /** The allocations stored in `ns` (default namespace). */
  allocations(): Promise<Allocation[]>;
}

/** Start the server with the plan-commit plugin (and extra admission hooks, if given). */
export async function commitTestServer(opts: { admission?: AdmissionHook[] } = {}): Promise<CommitTestServer> {
  const t = await testServer({ kinds, ...opts, plugins: [planCommitPlugin()] });
  const must = (r: TestResponse, what: string) => {
    if (r.code >= 300) throw new Error(`${what}: ${r.code} ${r.text}`);
    return r;
  };
  return {
    ...t,
    async node(name, cpu, memoryMB = 8192, status = {}) {
      must(await t.req('POST', `${V1}/nodes`, { apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec: {} }), `create node ${name}`);
      const got = must(await t.req('GET', `${V1}/nodes/${name}`), 'get node').body;
      got.status = { phase: 'ready', resources: { cpu, memoryMB, diskMB: 100_000 }, drivers: { mock: { detected: true, healthy: true } }, ...status };
      must(await t.req('PUT', `${V1}/nodes/${name}/status`, got), `node ${name} status`);
    },
    async evaluation(name, job, status) {
      const body = { apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name }, spec: { jobName: job, triggeredBy: 'job-register' } };
      let ev = must(await t.req('POST', `${V1}/namespaces/default/evaluations`, body), `create eval ${name}`).body as Evaluation;
      if (status) ev = must(await t.req('PUT', `${V1}/namespaces/default/evaluations/${name}/status`, { ...ev, status }), 'eval status').body as Evaluation;
      return ev;
    },
    async plan(evalName, req) {
      const full: PlanRequest = { placements: [], stops: [], updates: [], ...req };
      return (await t.req('POST', `${V1}/namespaces/default/evaluations/${evalName}/plan`, full)) as TestResponse & { body: PlanResponse };
    },
    async allocations() {
      return must(await t.req('GET', `${V1}/namespaces/default/allocations`), 'list allocations').body.items as Allocation[];
    },
  };
}

/** A placement draft: `cpu` MHz and `memoryMB` for one task `main`, optional host ports. */
export function placement(name: string, node: string, cpu: number, opts: { job?: string; memoryMB?: number; ports?: number[]; previous?: string; index?: number } = {}): Allocation {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Allocation',
    metadata: { name },
    spec: {
      nodeName: node,
      jobName: opts.job ?? 'web',
      jobVersion: 1,
      groupName: 'app',
      index: opts.index ?? 0,
      resources: { tasks: { main: { cpu, memoryMB: opts.memoryMB ?? 64 } }, diskMB: 0, ports: (opts.ports ?? []).map((value, i) => ({ label: `p${i}`, value })) },
      ...(opts.previous ? { previousAllocation: opts.previous } : {}),
    },
  };
}

/** Live allocations per node, summed: cpu and the ports held (for overcommit and collision checks). */
export function nodeTotals(allocs: Allocation[]): Map<string, { cpu: number; memoryMB: number; ports: number[] }> {
  const out = new Map<string, { cpu: number; memoryMB: number; ports: number[] }>();
  for (const a of allocs) {
    if (!isLive(a)) continue;
    const t = out.get(a.spec.nodeName) ?? { cpu: 0, memoryMB: 0, ports: [] };
    for (const task of Object.values(a.spec.resources?.tasks ?? {})) {
      t.cpu += task.cpu;
      t.memoryMB += task.memoryMB;
    }
    t.ports.push(...(a.spec.resources?.ports ?? []).map((p) => p.value));
    out.set(a.spec.nodeName, t);
  }
  return out;
}
