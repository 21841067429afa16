// Agents outlive their API servers (real processes): etcd, two `drover server`s on it, a real `drover agent` and
// an `agent --simulate` hollow fleet. When every API server dies the agents keep running and retrying; when a
// server comes back (same address) they renew their leases and their Nodes are ready again. Given two servers,
// an agent fails over from a dead one to the other without its lease lapsing. The time from killing a server to
// the first renewal through the other one is printed (a figure, not judged). Agents authenticate with the
// DROVER_TOKEN of E2E_ENV.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Lease, Node } from '../../api/schemas/index.ts';
import { NODE_LEASE_NAMESPACE } from '../../api/schemas/well-known.ts';
import { createClient, type Client } from '../../pkg/client/index.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';
import { until, waitNodePhase } from './cluster.ts';
import { E2E_ADMIN_TOKEN, startDrover, stopProcess, type DroverProcess } from './processes.ts';

const AGENT_CONFIG = 'heartbeatInterval: 500ms\nleaseDuration: 3s\n';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('agents when their API servers die', etcdTestOptions(), () => {
  let etcd: EtcdCluster;
  let root: string;
  const procs: DroverProcess[] = [];
  const clients: Client[] = [];
  const ports: number[] = [];
  const url = (i: number) => `http://127.0.0.1:${ports[i]}`;

  const startServer = async (i: number) => {
    const p = await startDrover(`server ${i}`, ['server', '--etcd-endpoints', etcd.endpoints.join(','), '--port', String(ports[i]), '--log-level', 'warn', '--admin-token', E2E_ADMIN_TOKEN, '--admin-token-file', join(root, `admin-${i}.token`)], /listening on (http:\/\/\S+)/);
    procs.push(p);
    return p;
  };
  const client = (i: number) => {
    const c = createClient({ server: url(i), token: E2E_ADMIN_TOKEN, userAgent: 'drover-e2e' });
    clients.push(c);
    return c;
  };
  const renewTime = async (c: Client, node: string) => {
    const lease = await c.resource<Lease>('leases').get(node, { namespace: NODE_LEASE_NAMESPACE }).catch(() => undefined);
    return lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : undefined;
  };
  /** Wait until `node`'s lease was renewed after `since` (ms since the epoch), as seen through `c`. */
  const renewedAfter = (c: Client, node: string, since: number) =>
    until(`lease of ${node} renewed after ${new Date(since).toISOString()}`, async () => {
      const t = await renewTime(c, node);
      return t !== undefined && t > since ? t : undefined;
    });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'drover-failover-'));
    await writeFile(join(root, 'agent.yaml'), AGENT_CONFIG);
    etcd = await startEtcd();
    ports.push(await freePort(), await freePort());
  });
  after(async () => {
    await Promise.all(procs.map((p) => stopProcess(p, 'SIGKILL')));
    await Promise.all(clients.map((c) => c.close()));
    await etcd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('a real agent and a hollow fleet keep running while their only server is dead, and come back with it', async () => {
    let server = await startServer(0);
    const node = `fo${process.pid}-real`;
    const agent = await startDrover('agent', ['--server', url(0), 'agent', '--name', node, '--data-dir', join(root, 'real'), '--config', join(root, 'agent.yaml'), '--log-level', 'info'], /drover agent "[^"]+" running/);
    procs.push(agent);
    const fleet = await startDrover('fleet', ['--server', url(0), 'agent', '--simulate', '2', '--name-prefix', `fo${process.pid}-h`, '--heartbeat-interval', '500ms', '--log-level', 'info'], /hollow nodes/);
    procs.push(fleet);
    const hollow = `fo${process.pid}-h00001`;
    const c0 = client(0);
    await waitNodePhase(c0, node, 'ready');
    await waitNodePhase(c0, hollow, 'ready');

    await stopProcess(server, 'SIGKILL');
    const killedAt = Date.now();
    // Both notice (their renewals fail, and are retried), and neither exits.
    const living = async (p: DroverProcess) => {
      if (!p.alive()) assert.fail(`${p.label} exited ${JSON.stringify(await p.exited)} after its server died:\n${p.log().slice(-2000)}`);
    };
    const failures = (p: DroverProcess, re: RegExp) => p.log().match(re)?.length ?? 0;
    await until('the agent and the fleet retry their failed renewals a few times', async () => {
      await Promise.all([living(agent), living(fleet)]);
      return failures(agent, /heartbeat failed/g) >= 4 && failures(fleet, /node lease renewal failed/g) >= 4;
    });

    server = await startServer(0);
    const backAt = Date.now();
    await renewedAfter(c0, node, backAt - 1000);
    await renewedAfter(c0, hollow, backAt - 1000);
    await waitNodePhase(c0, node, 'ready');
    await waitNodePhase(c0, hollow, 'ready');
    assert.ok(agent.alive() && fleet.alive());
    await until('the agent re-registers its Node', async () => /API server reachable again, re-registering/.test(agent.log()));
    console.log(`# server dead for ${backAt - killedAt} ms; agents renewed through the restarted server`);
    await stopProcess(agent);
    await stopProcess(fleet);
    assert.deepEqual([(await agent.exited).code, (await fleet.exited).code], [0, 0], 'both stop cleanly on SIGTERM');
  });

  test('agents given two servers fail over when one dies, before their leases lapse', async () => {
    // Server 0 runs from the previous test (or is started now when this test runs alone).
    if (!procs.some((p) => p.label === 'server 0' && p.alive())) await startServer(0);
    const second = await startServer(1);
    const servers = `${url(0)},${url(1)}`;
    const node = `fo${process.pid}-real2`;
    const agent = await startDrover('agent 2', ['--server', servers, 'agent', '--name', node, '--data-dir', join(root, 'real2'), '--config', join(root, 'agent.yaml'), '--log-level', 'info'], /drover agent "[^"]+" running/);
    procs.push(agent);
    // The fleet takes the list as a repeated flag.
    const fleet = await startDrover('fleet 2', ['--server', url(0), '--server', url(1), 'agent', '--simulate', '2', '--name-prefix', `fo${process.pid}-g`, '--heartbeat-interval', '500ms', '--log-level', 'info'], /hollow nodes/);
    procs.push(fleet);
    const hollow = `fo${process.pid}-g00000`;
    const c1 = client(1);
    await waitNodePhase(c1, node, 'ready');
    await waitNodePhase(c1, hollow, 'ready');

    const first = procs.find((p) => p.label === 'server 0' && p.alive())!;
    await stopProcess(first, 'SIGKILL');
    const killedAt = Date.now();
    const [agentAt, hollowAt] = await Promise.all([renewedAfter(c1, node, killedAt), renewedAfter(c1, hollow, killedAt)]);
    const seenAt = Date.now();
    assert.match(agent.log(), /failing over/);
    // The lease never lapsed: the node stayed ready throughout (the health controller would have said down).
    assert.equal((await c1.resource<Node>('nodes').get(node)).status?.phase, 'ready');
    assert.ok(agent.alive() && fleet.alive() && second.alive());
    console.log(`# failover after SIGKILL of a server: agent renewed through the other server ${agentAt - killedAt} ms later, hollow node ${hollowAt - killedAt} ms later (seen by polling at ${seenAt - killedAt} ms)`);
  });
});
