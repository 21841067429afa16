// A real Drover cluster for end-to-end tests: etcd, `drover server` on it, and node agents (`drover agent`),
// each its own process. Heartbeats are short (lease 2 s renewed every 500 ms, down after 15 s more of silence)
// so a dead node is noticed within seconds, while an agent killed and restarted on a saturated 2-core machine
// (tsx loading the sources takes seconds there) is back before its node is judged down. Node names carry the test process's pid, so the tasks and
// containers of this run can be told from those of any other run on the machine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Allocation, Job, Node } from '../../api/schemas/index.ts';
import { createClient, type Client } from '../../pkg/client/index.ts';
import { startEtcd, type EtcdCluster } from '../support/etcd.ts';
import { E2E_ADMIN_TOKEN, startDrover, stopProcess, type DroverProcess } from './processes.ts';
import { newToken, tokenHash } from '../../pkg/auth/token.ts';
import { WAIT_HANG_GUARD_MS } from '../support/hang-guard.ts';

/** Agent timings: short, so node death is seen in seconds; the grace absorbs a loaded 2-core machine. */
const AGENT_CONFIG = 'heartbeatInterval: 500ms\nleaseDuration: 2s\n';
const HEARTBEAT_GRACE = '15s'; // 6 s: the restart test lost all its allocations in 4 of 4 loaded runs

/** One node agent of the cluster. */
export interface ClusterAgent {
  /** Its Node's name. */
  node: string;
  dataDir: string;
  datacenter: string;
  /** The current process (a new one after restartAgent). */
  proc: DroverProcess;
}

/** A running cluster. */
export interface Cluster {
  url: string;
  /** A scratch directory of this cluster (removed by stop()). */
  root: string;
  client: Client;
  /** The docker daemon socket the agents use (undefined: no docker here). */
  dockerSocket?: string;
  agents: ClusterAgent[];
  agent(node: string): ClusterAgent;
  /** Start the agent's process again on its data directory and wait until its Node is ready. */
  restartAgent(agent: ClusterAgent): Promise<void>;
  /** SIGKILL the agent's process (its tasks keep running). */
  killAgent(agent: ClusterAgent): Promise<void>;
  stop(): Promise<void>;
}

/** Options of startCluster. */
export interface ClusterOptions {
  /** Short names of the agents (node names get a per-run prefix) and their datacenters. */
  agents: Array<{ name: string; datacenter?: string; nodeClass?: string }>;
  dockerSocket?: string;
}

/** Start etcd, the server and the agents; resolves once every Node is ready. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const root = await mkdtemp(join(tmpdir(), 'drover-e2e-'));
  const config = join(root, 'agent.yaml');
  await writeFile(config, AGENT_CONFIG);
  let etcd: EtcdCluster | undefined;
  let server: DroverProcess | undefined;
  const agents: ClusterAgent[] = [];
  let client: Client | undefined;
  const stop = async () => {
    await Promise.all(agents.map((a) => stopProcess(a.proc)));
    if (server) await stopProcess(server);
    await client?.close();
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    etcd = await startEtcd();
    server = await startDrover(
      'server',
      ['server', '--etcd-endpoints', etcd.endpoints.join(','), '--port', '0', '--heartbeat-grace', HEARTBEAT_GRACE, '--log-level', 'warn',
        '--admin-token', E2E_ADMIN_TOKEN, '--admin-token-file', join(root, 'admin.token')],
      /listening on (http:\/\/\S+)/,
    );
    const url = server.ready[1]!;
    client = createClient({ server: url, token: E2E_ADMIN_TOKEN, userAgent: 'drover-e2e' });
    // Agents authenticate as nodes (the drover:node role), not as the admin.
    const nodeTokenFile = await writeNodeToken(client, root);
    const startAgentProcess = (a: Omit<ClusterAgent, 'proc'>) => {
      const args = ['--server', url, 'agent', '--name', a.node, '--datacenter', a.datacenter, '--data-dir', a.dataDir, '--config', config, '--log-level', 'info', '--token-file', nodeTokenFile];
      if (opts.dockerSocket) args.push('--docker-socket', opts.dockerSocket);
      const nodeClass = opts.agents.find((s) => a.node.endsWith(`-${s.name}`))?.nodeClass;
      if (nodeClass) args.push('--node-class', nodeClass);
      return startDrover(`agent ${a.node}`, args, /drover agent "[^"]+" running/);
    };
    for (const spec of opts.agents) {
      const base = { node: `e2e${process.pid}-${spec.name}`, dataDir: join(root, spec.name), datacenter: spec.datacenter ?? 'dc1' };
      agents.push({ ...base, proc: await startAgentProcess(base) });
    }
    const c = client;
    await Promise.all(agents.map((a) => waitNodePhase(c, a.node, 'ready')));
    return {
      url,
      root,
      client: c,
      dockerSocket: opts.dockerSocket,
      agents,
      agent: (node) => agents.find((a) => a.node === node) ?? assertNever(`no agent ${node}`),
      async restartAgent(a) {
        if (a.proc.alive()) await stopProcess(a.proc);
        a.proc = await startAgentProcess(a);
        await waitNodePhase(c, a.node, 'ready');
      },
      async killAgent(a) {
        await stopProcess(a.proc, 'SIGKILL');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Create a drover:nodes token through the API and write it to a file for the agents' --token-file. */
async function writeNodeToken(client: Client, root: string): Promise<string> {
  const token = newToken();
  await client.resource('tokens').create({
    apiVersion: 'auth.drover.dev/v1', kind: 'Token', metadata: { name: tokenHash(token) },
    spec: { user: 'drover:node:e2e', userGroups: ['drover:nodes'], description: 'e2e agents' },
  } as never);
  const file = join(root, 'node.token');
  await writeFile(file, token + '\n', { mode: 0o600 });
  return file;
}

function assertNever(message: string): never {
  throw new Error(message);
}

/**
 * Poll `probe` until it returns something other than undefined/false; a liveness bound (not a performance
 * figure) turns a hang into a failure that says what was last seen.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, explain?: () => Promise<string> | string): Promise<T> {
  const deadline = Date.now() + WAIT_HANG_GUARD_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${explain ? `; last seen:\n${await explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Wait until the Node's status.phase is `phase`. */
export function waitNodePhase(client: Client, node: string, phase: string): Promise<Node> {
  const nodes = client.resource<Node>('nodes');
  const get = () => nodes.get(node).catch(() => undefined);
  return until(`node ${node} ${phase}`, async () => {
    const n = await get();
    return n?.status?.phase === phase ? n : undefined;
  }, async () => JSON.stringify((await get())?.status?.phase));
}

/** The allocations of a job (namespace default). */
export async function allocsOf(client: Client, job: string): Promise<Allocation[]> {
  const list = await client.resource<Allocation>('allocations').list({ namespace: 'default', fieldSelector: `spec.jobName=${job}` });
  return list.items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** One line per allocation: node, desired/client status, restarts and events per task (failure messages). */
export function describeAllocs(allocs: Allocation[]): string {
  return allocs
    .map((a) => {
      const tasks = Object.entries(a.status?.taskStates ?? {}).map(([t, s]) => `${t}[${s.state} r${s.restarts ?? 0}: ${(s.events ?? []).map((e) => e.type).join(',')}]`);
      const checks = a.status?.conditions?.find((c) => c.type === 'ChecksPassing');
      return `${a.metadata.name} on ${a.spec.nodeName}: ${a.spec.desiredStatus}/${a.status?.clientStatus ?? '-'} ${tasks.join(' ')}${checks ? ` checks=${checks.status} ${checks.message}` : ''}`;
    })
    .join('\n');
}

/** Apply a Job by server-side apply (as `drover apply` does). */
export async function applyJob(client: Client, job: Job): Promise<Job> {
  return client.resource<Job>('jobs').apply(job, { fieldManager: 'e2e', force: true });
}
