// Fixtures for job plan tests (the endpoint's and `drover plan`'s): ready nodes created through the API with
// their status written through /status, a small service job, and running allocations committed through the
// evaluation plan subresource, as a scheduler worker would. Every helper talks HTTP through `send`, so the same
// fixtures drive app.inject() and a real client.
import type { Job, Node } from '../../../api/schemas/index.ts';

const V1 = '/apis/drover.dev/v1';

/** Sends one JSON request; resolves to the status code and parsed body. */
export type Send = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => Promise<{ code: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON

async function must(send: Send, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await send(method, path, body);
  if (r.code >= 300) throw new Error(`${method} ${path}: ${r.code} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** What a test node offers. */
export interface NodeOptions {
  cpu?: number;
  memoryMB?: number;
  datacenter?: string;
  nodeClass?: string;
  attributes?: Record<string, string>;
  /** Healthy drivers (default: mock). */
  drivers?: string[];
}

/** Create a ready node (spec through the API, status through /status), linux with the mock driver healthy. */
export async function addNode(send: Send, name: string, o: NodeOptions = {}): Promise<void> {
  const spec: Node['spec'] = { datacenter: o.datacenter ?? 'dc1', ...(o.nodeClass ? { nodeClass: o.nodeClass } : {}) };
  await must(send, 'POST', `${V1}/nodes`, { apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec });
  const node = await must(send, 'GET', `${V1}/nodes/${name}`);
  node.status = {
    phase: 'ready',
    resources: { cpu: o.cpu ?? 4000, memoryMB: o.memoryMB ?? 4096, diskMB: 100_000 },
    drivers: Object.fromEntries((o.drivers ?? ['mock']).map((d) => [d, { detected: true, healthy: true }])),
    attributes: { 'kernel.name': 'linux', 'unique.hostname': name, ...o.attributes },
  };
  await must(send, 'PUT', `${V1}/nodes/${name}/status`, node);
}

/** What the test job asks for. */
export interface JobOptions {
  count?: number;
  cpu?: number;
  memoryMB?: number;
  constraints?: Array<{ attribute: string; operator?: string; value?: string }>;
  env?: Record<string, string>;
  killTimeout?: string;
  /** The group's update.maxParallel (no update block when absent). */
  maxParallel?: number;
}

/** A service job `name` with one group `web` of one mock task `server`. */
export function webJob(name: string, o: JobOptions = {}): Job {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      datacenters: ['dc1'],
      ...(o.constraints ? { constraints: o.constraints } : {}),
      groups: [{
        name: 'web',
        count: o.count ?? 1,
        ...(o.maxParallel !== undefined ? { update: { maxParallel: o.maxParallel } } : {}),
        tasks: [{
          name: 'server',
          driver: 'mock',
          config: { runFor: '1h' },
          resources: { cpu: o.cpu ?? 500, memoryMB: o.memoryMB ?? 256 },
          ...(o.env ? { env: o.env } : {}),
          ...(o.killTimeout ? { killTimeout: o.killTimeout } : {}),
        }],
      }],
    },
  } as Job;
}

/** Create the job in `default`; returns it as stored. */
export function createJob(send: Send, job: Job): Promise<Job> {
  return must(send, 'POST', `${V1}/namespaces/default/jobs`, job);
}

/**
 * Run allocations of the job's group `web`: index i on nodes[i], at the job's version 1, committed through
 * POST evaluations/{name}/plan (the only way allocations that hold resources are created).
 */
export async function runAllocs(send: Send, job: Job, nodes: string[]): Promise<void> {
  const name = job.metadata.name;
  const task = job.spec.groups[0]!.tasks[0]!;
  const evalName = `${name}-register`;
  await must(send, 'POST', `${V1}/namespaces/default/evaluations`, { apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: evalName }, spec: { jobName: name, triggeredBy: 'job-register' } });
  const placements = nodes.map((node, index) => ({
    apiVersion: 'drover.dev/v1',
    kind: 'Allocation',
    metadata: { name: `${name}-web-${index}` },
    spec: {
      nodeName: node, jobName: name, jobVersion: 1, groupName: 'web', index,
      resources: { tasks: { [task.name]: { cpu: task.resources?.cpu ?? 100, memoryMB: task.resources?.memoryMB ?? 300 } }, diskMB: 300, ports: [] },
    },
  }));
  const res = await must(send, 'POST', `${V1}/namespaces/default/evaluations/${evalName}/plan`, { placements, stops: [], updates: [] });
  if (res.placed.length !== nodes.length) throw new Error(`placed ${JSON.stringify(res)}`);
}

/** The job plan path of `name` in `default`. */
export function planPath(name: string, query = ''): string {
  return `${V1}/namespaces/default/jobs/${name}/plan${query}`;
}
