// `drover agent` and `drover logs` run in-process against a real API server: the agent registers its node from
// flags and a config file, `logs` prints a task's output (tail, stderr, follow until interrupted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from '../../../api/schemas/index.ts';
import { realClock } from '../../../pkg/clock/clock.ts';
import { liveLogPath } from '../../../pkg/nodeagent/agent/logs.ts';
import { withAgentHarness } from '../../../pkg/nodeagent/agent/testing.ts';
import { run } from '../program.ts';
import { checkAgentConfig } from './agent.ts';

function cli(env: Record<string, string>, home: string, signal = new AbortController().signal) {
  const r = { out: '', err: '' };
  const io = {
    out: (s: string) => void (r.out += s), err: (s: string) => void (r.err += s), env, homedir: home,
    readStdin: async () => '', clock: realClock, signal, startedAt: 0,
  };
  return { r, run: (args: string[]) => run(args, io) };
}

test('agent config: unknown fields and wrong types are named', () => {
  assert.deepEqual(checkAgentConfig({ name: 'n1', meta: { rack: 'r1' }, heartbeatInterval: '5s', hostVolumes: { d: { path: '/d' } } }), []);
  assert.deepEqual(checkAgentConfig({ nmae: 'x', heartbeatInterval: 'soon', meta: { a: 1 }, hostVolumes: { d: {} }, http: { port: 70000 } }), [
    'nmae: unknown field (allowed: server, servers, token, name, datacenter, nodeClass, dataDir, address, meta, hostVolumes, http, drivers, heartbeatInterval, leaseDuration, reserved)',
    'heartbeatInterval: must be a duration such as "10s"',
    'meta: must map names to strings',
    'hostVolumes.d.path: required',
    'http.port: must be a port number',
  ]);
  assert.deepEqual(checkAgentConfig(['x']), ['expected a mapping']);
  assert.deepEqual(checkAgentConfig({ server: 'http://a:7070', servers: ['http://b:7070', 'http://c:7070'] }), []);
  assert.deepEqual(checkAgentConfig({ servers: 'http://b:7070' }), ['servers: must be a list of URLs']);
  assert.deepEqual(checkAgentConfig({ servers: [] }), ['servers: must be a list of URLs']);
});

test('drover agent registers the node from flags and its config file, and stops on interrupt', async () => {
  await withAgentHarness(async (h) => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-agent-cli-'));
    try {
      const cfg = join(dir, 'agent.yaml');
      await writeFile(cfg, `datacenter: eu-1\nmeta:\n  rack: r7\ndrivers:\n  enabled: [mock]\nheartbeatInterval: 1s\n`);
      const stop = new AbortController();
      const c = cli({ DROVER_ADDR: h.api.url }, dir, stop.signal);
      const running = c.run(['agent', '--name', 'cli-node', '--node-class', 'batch', '--data-dir', join(dir, 'data'), '--http-addr', '127.0.0.1:0', '--config', cfg, '--log-level', 'error']);
      let node: Node | undefined;
      await h.until(async () => {
        node = await h.client.resource<Node>('nodes').get('cli-node').catch(() => undefined);
        return node?.status?.phase === 'ready';
      }, 'the node is registered');
      assert.equal(node!.spec?.datacenter, 'eu-1');
      assert.equal(node!.spec?.nodeClass, 'batch');
      assert.deepEqual(node!.spec?.meta, { rack: 'r7' });
      assert.deepEqual(Object.keys(node!.status?.drivers ?? {}), ['mock']);
      assert.match(c.r.out, /drover agent "cli-node" running \(data .*data, logs http:\/\/127\.0\.0\.1:\d+\), server http/);
      stop.abort();
      assert.equal(await running, 0);

      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'nmae: x\n');
      const b = cli({ DROVER_ADDR: h.api.url }, dir);
      assert.equal(await b.run(['agent', '--config', bad, '--data-dir', join(dir, 'd2')]), 1);
      assert.match(b.r.err, /error: agent config .*bad\.yaml: nmae: unknown field/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('drover logs prints a task\'s output: tail, stderr, follow until interrupted, errors', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    const job = await h.createJob('talk', { tasks: [{ name: 'main', driver: 'mock', config: { stdout: 'one\ntwo\nthree\n', stderr: 'warn\n' } }] }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('talk-a0', (a) => a.status?.clientStatus === 'running', 'running');
    const env = { DROVER_ADDR: h.api.url };
    const all = cli(env, h.dataDir);
    assert.equal(await all.run(['logs', 'talk-a0']), 0);
    assert.equal(all.r.out, 'one\ntwo\nthree\n');
    const tail = cli(env, h.dataDir);
    assert.equal(await tail.run(['logs', 'talk-a0', 'main', '--tail', '2']), 0);
    assert.equal(tail.r.out, 'two\nthree\n');
    const err = cli(env, h.dataDir);
    assert.equal(await err.run(['logs', 'talk-a0', '--stderr']), 0);
    assert.equal(err.r.out, 'warn\n');
    const missing = cli(env, h.dataDir);
    assert.equal(await missing.run(['logs', 'talk-a0', 'nope']), 1);
    assert.match(missing.r.err, /Error from server \(NotFound\): task "nope" not found in allocation "talk-a0"/);
    const badTail = cli(env, h.dataDir);
    assert.equal(await badTail.run(['logs', 'talk-a0', '--tail', 'x']), 1);
    assert.match(badTail.r.err, /--tail must be a non-negative integer/);

    const stop = new AbortController();
    const f = cli(env, h.dataDir, stop.signal);
    const following = f.run(['logs', 'talk-a0', '-f', '--tail', '1']);
    await h.until(() => f.r.out === 'three\n', 'the tail');
    await appendFile(liveLogPath(agent.runners()[0]!.allocDir.logs, 'main', 'stdout'), 'four\n');
    await h.until(() => f.r.out === 'three\nfour\n', 'the followed line');
    stop.abort();
    assert.equal(await following, 0);
  });
});
