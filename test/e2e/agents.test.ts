// End to end on real processes: etcd, `drover server`, and two `drover agent`s (a1 in dc1, a2 in us-east-1)
// sharing one docker daemon. Jobs run real work — busybox httpd containers, exec'd shells, a memory hog — and
// the tests kill containers and agents from outside, as failures would. Each test builds on the cluster the
// previous ones left (the web job of the first is the one the container and agent kills act on).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Allocation, ConfigMap, Job, TaskEvent } from '../../api/schemas/index.ts';
import { BUSYBOX_IMAGE, dockerAvailable, startDockerd, type Dockerd } from '../support/docker.ts';
import { etcdAvailable } from '../support/etcd.ts';
import { isLive } from '../../api/schemas/allocation-state.ts';
import { allocsOf, applyJob, describeAllocs, startCluster, until, waitNodePhase, type Cluster, type ClusterAgent } from './cluster.ts';
import { droverContainers, killContainer, processesWithEnv, removeContainer, type Container } from './host.ts';
import { badConfigJob, barrierJob, exitsJob, memoryHogJob, sleepersJob, talkerJob, webJob } from './jobs.ts';
import { DROVER_BIN, E2E_ADMIN_TOKEN, E2E_ENV, runDrover } from './processes.ts';

const REDIS_EXAMPLE = fileURLToPath(new URL('../../../shared/examples/redis.yaml', import.meta.url));
const REDIS_NOMAD = fileURLToPath(new URL('../../../shared/examples/redis.nomad', import.meta.url));
const WHEREISBOT = fileURLToPath(new URL('../../../shared/examples/whereisbot.marathon.json', import.meta.url));

// etcd, dockerd and root (exec isolation) are all needed; without them the suite skips, unless CI=true.
const SKIP = etcdAvailable() && dockerAvailable() ? undefined : 'needs etcd, dockerd and root (see test/support); set CI=true to make this a failure';
const options = process.env.CI === 'true' || !SKIP ? {} : { skip: SKIP };

// No suite-wide timeout: node:test applies a describe's timeout to the sum of its tests, so on a loaded machine
// the 300 s one cancelled whichever tests came last (the OOM test among them). Each wait has its own hang
// guard (cluster.ts `until`) and the runner guards the file (hack/test.mjs).
describe('a real server and two agents', options, () => {
  let dockerd: Dockerd;
  let cluster: Cluster;
  const allocUids = new Set<string>();

  const allocs = async (jobName: string) => {
    const list = await allocsOf(cluster.client, jobName);
    for (const a of list) allocUids.add(a.metadata.uid!);
    return list;
  };
  const explain = (jobName: string) => async () => describeAllocs(await allocs(jobName));
  const events = (a: Allocation, task: string): TaskEvent[] => a.status?.taskStates?.[task]?.events ?? [];
  const count = (a: Allocation, task: string, type: string) => events(a, task).filter((e) => e.type === type).length;
  const checksPassing = (a: Allocation) => a.status?.conditions?.find((c) => c.type === 'ChecksPassing')?.status === 'True';
  const running = (a: Allocation) => a.status?.clientStatus === 'running';
  /** Our containers (of allocations of this cluster), by allocation uid. */
  const containers = async (): Promise<Map<string, Container[]>> => {
    const by = new Map<string, Container[]>();
    for (const c of await droverContainers(dockerd.socket)) {
      if (!allocUids.has(c.allocUid)) continue;
      by.set(c.allocUid, [...(by.get(c.allocUid) ?? []), c]);
    }
    return by;
  };
  const liveWeb = async () => (await allocs('web')).filter(isLive);
  /** Wait until `jobName` has allocations for which `done` holds (they are returned). */
  const settle = (what: string, jobName: string, done: (list: Allocation[]) => boolean) =>
    until(what, async () => {
      const list = await allocs(jobName);
      return done(list) && list;
    }, explain(jobName));
  /** Apply a job pinned to `agent` that ends at once, and wait for it: the agent has handled what came before. */
  let barriers = 0;
  const barrier = async (agent: ClusterAgent) => {
    const name = `barrier-${++barriers}`;
    await applyJob(cluster.client, barrierJob(name, agent.node));
    await settle(`${name} complete on ${agent.node}`, name, (l) => l.length === 1 && l[0]!.status?.clientStatus === 'complete');
  };

  before(async () => {
    dockerd = await startDockerd();
    // a2 is a public agent in Mesos terms (node class slave_public), where the seed's Marathon app asks to run.
    cluster = await startCluster({ agents: [{ name: 'a1' }, { name: 'a2', datacenter: 'us-east-1', nodeClass: 'slave_public' }], dockerSocket: dockerd.socket });
  });

  after(async () => {
    if (cluster) await teardown(cluster, allocUids);
    await dockerd?.stop();
  });

  test('a service job of 3 busybox httpd containers with an http check runs and its checks pass', async () => {
    await applyJob(cluster.client, webJob(3));
    const web = await settle('3 web allocations running, checks passing', 'web', (l) => l.filter(isLive).length === 3 && l.filter(isLive).every((a) => running(a) && checksPassing(a)));
    const byUid = await containers();
    for (const a of web.filter(isLive)) {
      assert.equal(byUid.get(a.metadata.uid!)?.length, 1, `one container for ${a.metadata.name}`);
      const port = a.spec.resources?.ports?.find((p) => p.label === 'http');
      assert.ok(port?.value, `${a.metadata.name} has a host port`);
      const res = await fetch(`http://127.0.0.1:${port.value}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /drover busybox/);
    }
  });

  test('killing a container restarts it in place under the restart policy', async () => {
    const [target] = await liveWeb();
    assert.ok(target);
    const uid = target.metadata.uid!;
    const [before] = (await containers()).get(uid) ?? [];
    assert.ok(before, 'the allocation has a container');
    await killContainer(dockerd.socket, before.id);
    const after = await settle('the killed task restarted', 'web', (l) => {
      const a = l.find((x) => x.metadata.uid === uid);
      return !!a && a.status?.taskStates?.httpd?.restarts === 1 && a.status.taskStates.httpd.state === 'running' && checksPassing(a);
    });
    const a = after.find((x) => x.metadata.uid === uid)!;
    assert.ok(isLive(a), 'the same allocation runs on, not a replacement');
    const terminated = events(a, 'httpd').find((e) => e.type === 'Terminated');
    assert.equal(terminated?.exitCode, 137, 'killed by SIGKILL');
    assert.equal(count(a, 'httpd', 'Restarting'), 1);
    assert.equal(count(a, 'httpd', 'Started'), 2);
    const now = (await containers()).get(uid) ?? [];
    assert.equal(now.length, 1, 'the dead container was replaced, not left behind');
    assert.notEqual(now[0]!.id, before.id);
    assert.equal(now[0]!.state, 'running');
    assert.equal(after.filter(isLive).length, 3);
  });

  let victim: ClusterAgent;
  let survivor: ClusterAgent;
  let lostUids: string[] = [];

  test('killing an agent (SIGKILL) marks its node down, its allocations lost, and replaces them on the other node', async () => {
    const live = await liveWeb();
    const on = (agent: ClusterAgent) => live.filter((a) => a.spec.nodeName === agent.node).length;
    [victim, survivor] = [...cluster.agents].sort((x, y) => on(y) - on(x)) as [ClusterAgent, ClusterAgent];
    lostUids = live.filter((a) => a.spec.nodeName === victim.node).map((a) => a.metadata.uid!);
    assert.ok(lostUids.length >= 2, 'three allocations over two nodes: one holds at least two');

    await cluster.killAgent(victim);
    await waitNodePhase(cluster.client, victim.node, 'down');
    const web = await settle('lost allocations replaced on the survivor', 'web', (l) => {
      const lost = lostUids.every((uid) => l.find((a) => a.metadata.uid === uid)?.status?.clientStatus === 'lost');
      const now = l.filter(isLive);
      return lost && now.length === 3 && now.every((a) => a.spec.nodeName === survivor.node && running(a) && checksPassing(a));
    });
    for (const a of web.filter(isLive)) {
      const port = a.spec.resources!.ports!.find((p) => p.label === 'http')!;
      assert.equal((await fetch(`http://127.0.0.1:${port.value}/`)).status, 200, `${a.metadata.name} serves`);
    }
  });

  test('the dead agent, started again, stops the tasks the cluster replaced and its node is ready again', async () => {
    await cluster.restartAgent(victim);
    await until('the lost allocations\' containers removed', async () => {
      const byUid = await containers();
      return lostUids.every((uid) => !byUid.has(uid));
    }, async () => JSON.stringify([...(await containers()).entries()]));
    const web = await allocs('web');
    for (const uid of lostUids) {
      assert.equal(web.find((a) => a.metadata.uid === uid)?.status?.clientStatus, 'lost', `lost stays lost:\n${describeAllocs(web)}\n${victim.proc.log().slice(-6000)}`);
    }
    assert.equal(web.filter(isLive).length, 3);
    assert.ok(web.filter(isLive).every((a) => a.spec.nodeName === survivor.node));
  });

  test('an agent restarted after a crash re-attaches to its containers and processes: no duplicates, no orphans', async () => {
    await applyJob(cluster.client, sleepersJob(2, survivor.node));
    await settle('2 sleepers running', 'sleepers', (l) => l.filter(isLive).length === 2 && l.every(running));
    const web = await liveWeb();
    const sleepers = (await allocs('sleepers')).filter(isLive);
    const containersBefore = await containers();
    const pidsOf = (uid: string) => processesWithEnv('DROVER_ALLOC_UID', uid).map((p) => p.pid).sort();
    const pidsBefore = new Map(sleepers.map((a) => [a.metadata.uid!, pidsOf(a.metadata.uid!)]));
    const started = (list: Allocation[]) => new Map(list.map((a) => [a.metadata.uid!, Object.keys(a.status?.taskStates ?? {}).map((t) => count(a, t, 'Started'))]));
    const startedBefore = started([...web, ...sleepers]);
    for (const [uid, pids] of pidsBefore) assert.equal(pids.length, 1, `one process for sleeper ${uid}`);

    await cluster.killAgent(survivor);
    await cluster.restartAgent(survivor);
    await barrier(survivor);

    const webAfter = (await allocs('web')).filter(isLive);
    const sleepersAfter = (await allocs('sleepers')).filter(isLive);
    assert.deepEqual(webAfter.map((a) => a.metadata.uid).sort(), web.map((a) => a.metadata.uid).sort(), 'the same web allocations');
    assert.deepEqual(sleepersAfter.map((a) => a.metadata.uid).sort(), sleepers.map((a) => a.metadata.uid).sort(), 'the same sleepers');
    assert.deepEqual(started([...webAfter, ...sleepersAfter]), startedBefore, 'no task started again');
    const containersAfter = await containers();
    for (const a of webAfter) {
      const uid = a.metadata.uid!;
      assert.deepEqual(containersAfter.get(uid)?.map((c) => c.id), containersBefore.get(uid)?.map((c) => c.id), `same container for ${a.metadata.name}`);
    }
    assert.deepEqual([...containersAfter.keys()].sort(), webAfter.map((a) => a.metadata.uid).sort(), 'no container of ours beyond the live ones');
    for (const [uid, pids] of pidsBefore) assert.deepEqual(pidsOf(uid), pids, `same process for sleeper ${uid}`);
    await settle('web checks passing after the restart', 'web', (l) => l.filter(isLive).every((a) => running(a) && checksPassing(a)));
  });

  test('a batch job of exec tasks runs to completion with exit codes recorded', async () => {
    await applyJob(cluster.client, exitsJob());
    const list = await settle('both groups finished', 'exits', (l) => l.length === 2 && l.every((a) => ['complete', 'failed'].includes(a.status?.clientStatus ?? '')));
    const ok = list.find((a) => a.spec.groupName === 'ok')!;
    const bad = list.find((a) => a.spec.groupName === 'bad')!;
    assert.equal(ok.status?.clientStatus, 'complete');
    assert.equal(events(ok, 'main').find((e) => e.type === 'Terminated')?.exitCode, 0);
    assert.equal(ok.status?.taskStates?.main?.failed ?? false, false);
    assert.equal(bad.status?.clientStatus, 'failed');
    assert.equal(events(bad, 'main').find((e) => e.type === 'Terminated')?.exitCode, 3);
    assert.equal(bad.status?.taskStates?.main?.failed, true);
    assert.equal(bad.status?.taskStates?.main?.restarts ?? 0, 0, 'attempts 0: never restarted');
    assert.ok(count(bad, 'main', 'Failed') === 1, describeAllocs([bad]));
  });

  test('a task over its memory limit is reported OOM killed', async () => {
    await applyJob(cluster.client, memoryHogJob());
    const [hog] = await settle('the hog failed', 'hog', (l) => l.length === 1 && l[0]!.status?.clientStatus === 'failed');
    const terminated = events(hog!, 'hog').find((e) => e.type === 'Terminated');
    assert.equal(terminated?.oomKilled, true, describeAllocs([hog!]));
  });

  test('drover logs -f follows what a task prints until it ends', async () => {
    const goFile = `${cluster.root}/talker-go`;
    await applyJob(cluster.client, talkerJob(goFile));
    const [talker] = await settle('the talker running', 'talker', (l) => l.length === 1 && running(l[0]!));
    const cli = spawn(process.execPath, [DROVER_BIN, '--server', cluster.url, 'logs', '-f', talker!.metadata.name], { env: E2E_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('close', resolve));
    try {
      await until('the first line streamed', async () => out.includes('first\n'), () => `stdout ${JSON.stringify(out)} stderr ${err}`);
      assert.equal(cli.exitCode, null, 'still following: the task has not ended');
      assert.equal(out, 'first\n');
      await writeFile(goFile, '');
      assert.equal(await exited, 0, err);
      assert.equal(out, 'first\nsecond\n', 'the line printed after the follow began arrived, then the stream ended with the task');
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });

  test('drover apply -f shared/examples/redis.yaml (image swapped for busybox) runs in us-east-1', async () => {
    const manifest = parse(await readFile(REDIS_EXAMPLE, 'utf8')) as Job;
    const task = manifest.spec.groups[0]!.tasks[0]!;
    assert.equal(task.driver, 'docker');
    task.config = { ...task.config, image: BUSYBOX_IMAGE, command: 'sh', args: ['-c', 'exec httpd -f -h /var/www -p "$DROVER_PORT_redis"'], ports: ['redis'] };
    const file = `${cluster.root}/redis.yaml`;
    await writeFile(file, stringify(manifest));
    const res = await runDrover(['--server', cluster.url, 'apply', '-f', file]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /job\.drover\.dev\/redis (created|configured)/);
    const [redis] = await settle('redis running', 'redis', (l) => l.filter(isLive).length === 1 && l.filter(isLive).every(running));
    assert.equal(cluster.agent(redis!.spec.nodeName).datacenter, 'us-east-1');
    const port = redis!.spec.resources!.ports!.find((p) => p.label === 'redis')!;
    assert.equal((await fetch(`http://127.0.0.1:${port.value}/`)).status, 200);
  });

  test('drover apply -f shared/examples/redis.nomad (the HCL unchanged but for the image) runs in us-east-1', async () => {
    // Only the image line changes: busybox has no redis, so the config also says what to run on the port.
    const hcl = (await readFile(REDIS_NOMAD, 'utf8'))
      .replace('job "redis"', 'job "redis-hcl"')
      .replace('image = "redis:latest"', `image = "${BUSYBOX_IMAGE}"\n      command = "sh"\n      args = ["-c", "exec httpd -f -h /var/www -p $DROVER_PORT_redis"]`);
    const file = `${cluster.root}/redis.nomad`;
    await writeFile(file, hcl);
    const res = await runDrover(['--server', cluster.url, 'apply', '-f', file]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /job\.drover\.dev\/redis-hcl created/);
    const [redis] = await settle('redis-hcl running', 'redis-hcl', (l) => l.filter(isLive).length === 1 && l.filter(isLive).every(running));
    assert.equal(cluster.agent(redis!.spec.nodeName).datacenter, 'us-east-1');
    const port = redis!.spec.resources!.ports!.find((p) => p.label === 'redis')!;
    assert.equal((await fetch(`http://127.0.0.1:${port.value}/`)).status, 200);
  });

  test('a Nomad job file with an artifact and a template runs unchanged on exec: NOMAD_* env, checksum verified, ConfigMap change restarts it', async () => {
    const motd = 'message of the day\n';
    const server = createServer((req, res) => (req.url === '/motd.txt' ? res.end(motd) : ((res.statusCode = 404), res.end())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/motd.txt`;
      await cluster.client.resource<ConfigMap>('configmaps').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inputs-cfg', namespace: 'default' }, data: { greeting: 'hello' } });
      const hcl = `job "inputs" {
  datacenters = ["dc1"]
  group "app" {
    network {
      port "http" {}
    }
    task "app" {
      driver = "exec"
      artifact {
        source = "${url}"
        options {
          checksum = "sha256:${createHash('sha256').update(motd).digest('hex')}"
        }
      }
      template {
        data        = <<EOH
greeting={{ key "inputs-cfg/greeting" }} kernel={{ env "attr.kernel.name" }}
EOH
        destination = "local/app.conf"
      }
      config {
        command = "/bin/sh"
        args    = ["-c", "echo $NOMAD_ALLOC_ID $NOMAD_PORT_http; cat local/motd.txt local/app.conf; while :; do sleep 0.1; done"]
      }
      resources {
        cpu    = 100
        memory = 32
      }
    }
  }
}
`;
      const file = `${cluster.root}/inputs.nomad`;
      await writeFile(file, hcl);
      const res = await runDrover(['--server', cluster.url, 'apply', '-f', file]);
      assert.equal(res.code, 0, res.stderr);
      const [a] = await settle('inputs running', 'inputs', (l) => l.filter(isLive).length === 1 && l.filter(isLive).every(running));
      const port = a!.spec.resources!.ports!.find((p) => p.label === 'http')!.value;
      const log = async () => (await fetch(`${cluster.url}/apis/drover.dev/v1/namespaces/default/allocations/${a!.metadata.name}/log`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })).text();
      const first = `${a!.metadata.name} ${port}\n${motd}greeting=hello kernel=linux\n`;
      await until('the task printed its inputs', async () => (await log()) === first, log);
      await cluster.client.resource<ConfigMap>('configmaps').patch('inputs-cfg', { data: { greeting: 'bye' } }, 'merge', { namespace: 'default' });
      await until('the template was re-rendered and the task restarted', async () => (await log()) === `${first}${first.replace('hello', 'bye')}`, log);
      const [after] = await settle('restarted once', 'inputs', (l) => l.filter(isLive).length === 1 && l[0]!.status?.taskStates?.app?.restarts === 1 && running(l[0]!));
      assert.equal(count(after!, 'app', 'Restart Signaled'), 1, describeAllocs([after!]));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('drover apply -f shared/examples/whereisbot.marathon.json (image and cmd swapped for busybox) runs on the public agent and its check passes', async () => {
    const app = JSON.parse(await readFile(WHEREISBOT, 'utf8')) as { cmd: string; container: { docker: { image: string } } };
    app.container.docker.image = BUSYBOX_IMAGE;
    app.cmd = 'exec httpd -f -h /var/www -p 8080';
    const file = `${cluster.root}/whereisbot.marathon.json`;
    await writeFile(file, JSON.stringify(app));
    const res = await runDrover(['--server', cluster.url, 'apply', '-f', file]);
    assert.equal(res.code, 0, res.stderr);
    const [bot] = await settle('whereisbot running with its check passing', 'ssk2-whereisbot', (l) => l.filter(isLive).length === 1 && l.filter(isLive).every((a) => running(a) && checksPassing(a)));
    assert.equal(bot!.spec.nodeName, cluster.agents[1]!.node);
    const port = bot!.spec.resources!.ports!.find((p) => p.label === 'port0')!;
    assert.equal((await fetch(`http://127.0.0.1:${port.value}/`)).status, 200);
  });

  test('a wrong driver config fails its allocation with a clear event, never the agent', async () => {
    await applyJob(cluster.client, badConfigJob());
    const list = await settle('the three allocations failed', 'bad-config', (l) => l.length === 3 && l.every((a) => a.status?.clientStatus === 'failed'));
    const expected: Record<string, RegExp> = {
      'no-image': /image "drover\/not-here:1\.0" is not on this node/,
      'no-command': /config\.command: required/,
      'bad-port': /port label "web" is not in the group network/,
    };
    for (const a of list) {
      const failure = events(a, 'main').find((e) => e.type === 'Driver Failure');
      assert.match(failure?.message ?? '', expected[a.spec.groupName]!, describeAllocs([a]));
      assert.equal(count(a, 'main', 'Started'), 0);
    }
    for (const agent of cluster.agents) {
      assert.ok(agent.proc.alive(), `${agent.node}'s agent is still running`);
      await waitNodePhase(cluster.client, agent.node, 'ready');
    }
    // And still does work.
    for (const agent of cluster.agents) await barrier(agent);
  });
});

/** Stop every job, wait for their tasks to go, stop the processes; then remove whatever is still left. */
async function teardown(cluster: Cluster, allocUids: Set<string>): Promise<void> {
  try {
    for (const a of cluster.agents) if (!a.proc.alive()) await cluster.restartAgent(a);
    const jobs = cluster.client.resource<Job>('jobs');
    for (const j of (await jobs.list({ namespace: 'default' })).items) await jobs.delete(j.metadata.name, { namespace: 'default' });
    await until('every task stopped', async () => {
      const all = await cluster.client.resource<Allocation>('allocations').list({ namespace: 'default' });
      for (const a of all.items) allocUids.add(a.metadata.uid!);
      const ours = (await droverContainers(cluster.dockerSocket!)).filter((c) => allocUids.has(c.allocUid));
      return ours.length === 0 && cluster.agents.every((a) => processesWithEnv('DROVER_NODE_NAME', a.node).length === 0);
    });
  } finally {
    await cluster.stop();
    for (const c of await droverContainers(cluster.dockerSocket!).catch(() => [])) if (allocUids.has(c.allocUid)) await removeContainer(cluster.dockerSocket!, c.id);
    for (const a of cluster.agents) {
      for (const p of processesWithEnv('DROVER_NODE_NAME', a.node)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}
