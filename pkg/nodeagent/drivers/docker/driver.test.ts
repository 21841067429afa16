// Against a real dockerd (hack/dockerd.sh) and the local image drover/busybox:latest.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX_IMAGE, dockerTestOptions, startDockerd, type Dockerd } from '../../../../test/support/docker.ts';
import { realClock } from '../../../clock/clock.ts';
import { silentLogger } from '../../../log/logger.ts';
import type { TaskConfig } from '../driver.ts';
import { eventually, untilFileHas } from '../testing.ts';
import { DockerDriver } from './driver.ts';

const root = mkdtempSync(join(tmpdir(), 'drover-docker-'));
let dockerd: Dockerd;
const drivers: DockerDriver[] = [];
let seq = 0;

function driver(): DockerDriver {
  const d = new DockerDriver({ clock: realClock, logger: silentLogger, socket: dockerd.socket });
  drivers.push(d);
  return d;
}

function task(config: Record<string, unknown>, extra: Partial<TaskConfig> = {}): TaskConfig {
  const n = ++seq;
  const dir = join(root, `t${n}`);
  mkdirSync(join(dir, 'local'), { recursive: true });
  return {
    id: `web.${process.pid}-${n}[0]/main`, allocId: `alloc-${process.pid}-${n}`, taskName: 'main', config, env: { GREETING: 'hello' },
    resources: { cpuMHz: 200, memoryMB: 64 }, ports: [], taskDir: dir, allocDir: root,
    stdoutPath: join(dir, 'main.stdout.0'), stderrPath: join(dir, 'main.stderr.0'), mounts: [], ...extra,
  };
}

const sh = (script: string) => ({ image: BUSYBOX_IMAGE, command: 'sh', args: ['-c', script] });

describe('docker driver', dockerTestOptions(), () => {
  before(async () => {
    dockerd = await startDockerd();
  });
  after(async () => {
    if (dockerd) {
      const cleaner = driver(); // whatever a failed test left behind
      for (const c of await cleaner.listContainers()) {
        if (c.allocId.startsWith(`alloc-${process.pid}-`)) await cleaner.destroy({ driver: 'docker', taskId: c.taskId, state: { containerId: c.containerId }, startedAt: '' });
      }
    }
    await Promise.all(drivers.map((d) => d.close()));
    await dockerd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('fingerprints the daemon, and reports a missing one as not detected', async () => {
    const fp = await driver().fingerprint();
    assert.equal(fp.healthy, true, fp.description);
    assert.match(fp.description, /^Docker \S+ \(API [0-9.]+\)/);
    assert.ok(fp.attributes?.['driver.docker.version']);
    const missing = new DockerDriver({ clock: realClock, logger: silentLogger, socket: join(root, 'no.sock') });
    assert.deepEqual(await missing.fingerprint(), { detected: false, healthy: false, description: `no Docker daemon at ${join(root, 'no.sock')} (ENOENT)` });
  });

  it('rejects bad config clearly: missing image, unknown image, no command, bad port label', async () => {
    const d = driver();
    assert.deepEqual(d.validateConfig({ image: BUSYBOX_IMAGE, command: 'httpd', ports: ['http'] }), []);
    const problems = d.validateConfig({ command: 5, ports: ['no good'], volumes: ['relative'], foo: 1 });
    assert.deepEqual(problems, [
      'config.image: required, the image to run (e.g. "drover/busybox:latest")',
      'config.command: must be a non-empty string',
      'config.ports: "no good" is not a port label',
      'config.volumes: "relative" must be "host-path:/container-path[:ro]"',
      'config.foo: unknown field (allowed: image, command, args, ports, env, volumes)',
    ]);
    await assert.rejects(d.start(task({ image: 'redis:latest' })), /image "redis:latest" is not on this node, and Drover never pulls images/);
    await assert.rejects(d.start(task({ image: BUSYBOX_IMAGE })), /image "drover\/busybox:latest" has no default command: set config.command/);
    await assert.rejects(
      d.start(task({ ...sh('true'), ports: ['http'] }, { ports: [{ label: 'db', value: 20000 }] })),
      /config\.ports: port label "http" is not allocated to this task \(allocated: db\)/,
    );
    await assert.rejects(d.start(task({ image: BUSYBOX_IMAGE, command: 'no-such-cmd' })), /did not start: command "no-such-cmd" not found in image "drover\/busybox:latest" \(searched PATH /);
  });

  it('runs a container with env, limits and labels; output to the log files; exit code', async () => {
    const d = driver();
    const t = task(sh('echo "$GREETING out"; echo err >&2; exit 3'));
    const h = await d.start(t);
    const info = await d.docker.call<{ Config: { Labels: Record<string, string> }; HostConfig: { Memory: number; MemorySwap: number; CpuShares: number } }>('GET', `/containers/${h.state.containerId}/json`);
    assert.equal(info.Config.Labels['drover.task-id'], t.id);
    assert.equal(info.Config.Labels['drover.alloc-id'], t.allocId);
    assert.equal(info.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(info.HostConfig.MemorySwap, 64 * 1024 * 1024);
    assert.equal(info.HostConfig.CpuShares, 200);
    assert.deepEqual(await d.wait(h), { exitCode: 3, oomKilled: false });
    assert.equal(readFileSync(t.stdoutPath, 'utf8'), 'hello out\n');
    assert.equal(readFileSync(t.stderrPath, 'utf8'), 'err\n');
    assert.deepEqual(await d.inspect(h), { state: 'exited', exit: { exitCode: 3, oomKilled: false } });
    await d.destroy(h);
    await d.destroy(h);
    assert.deepEqual(await d.inspect(h), { state: 'unknown' });
  });

  it('publishes an allocated port: busybox httpd answers on the host port', async () => {
    const d = driver();
    const port = await freePort();
    const t = task({ image: BUSYBOX_IMAGE, command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'], ports: ['http'] }, { ports: [{ label: 'http', value: port, to: 8080 }] });
    const h = await d.start(t);
    let body = '';
    await eventually(async () => {
      body = await httpGet(port);
      return body.includes('drover busybox');
    }, `httpd answers on host port ${port}`);
    const check = await d.exec!(h, 'sh', ['-c', 'echo in-container; exit 4'], 10_000);
    assert.deepEqual(check, { exitCode: 4, output: 'in-container\n' });
    await d.stop(h, 'SIGTERM', 10_000); // docker-init forwards SIGTERM to httpd
    assert.deepEqual(await d.wait(h), { exitCode: 143, signal: 15, oomKilled: false });
    await d.destroy(h);
  });

  it('SIGKILLs a container that ignores the kill signal after the timeout', async () => {
    const d = driver();
    const t = task(sh('trap "" TERM; echo ready; while :; do sleep 1; done'));
    const h = await d.start(t);
    await untilFileHas(t.stdoutPath, 'ready');
    await d.stop(h, 'SIGTERM', 300);
    assert.deepEqual(await d.wait(h), { exitCode: 137, signal: 9, oomKilled: false });
    await d.destroy(h);
  });

  it('reports a container over its memory limit as OOM-killed', async () => {
    const d = driver();
    const h = await d.start(task({ image: BUSYBOX_IMAGE, command: 'dd', args: ['if=/dev/zero', 'of=/dev/null', 'bs=256M', 'count=1'] }, { resources: { cpuMHz: 100, memoryMB: 32 } }));
    const exit = await d.wait(h);
    assert.equal(exit.oomKilled, true);
    assert.equal(exit.exitCode, 137);
    await d.destroy(h);
  });

  it('re-attaches by label after an agent restart, continuing the logs without duplicates', async () => {
    const first = driver();
    const t = task(sh('i=0; while :; do echo line$i; i=$((i+1)); sleep 0.1; done'));
    const h = await first.start(t);
    await untilFileHas(t.stdoutPath, 'line3');
    await first.close(); // the agent stops: no more log copying, what it received is written
    // The restarted agent lost the container id (say a stale state file): it finds the container by label.
    const saved = { ...h, state: { ...h.state, containerId: 'f'.repeat(64) } };
    const second = driver();
    assert.equal(await second.recover(saved), true);
    assert.equal(saved.state.containerId, h.state.containerId);
    assert.deepEqual(await second.inspect(saved), { state: 'running' });
    const before = readFileSync(t.stdoutPath, 'utf8').split('\n').length;
    await eventually(() => readFileSync(t.stdoutPath, 'utf8').split('\n').length > before + 3, 'logs continue after recovery');
    await second.stop(saved, 'SIGKILL', 1000);
    await second.wait(saved);
    const lines = readFileSync(t.stdoutPath, 'utf8').trim().split('\n');
    assert.deepEqual(lines, lines.map((_, i) => `line${i}`), 'every line once, in order');
    assert.equal((await second.listContainers()).some((c) => c.containerId === h.state.containerId), true);
    await second.destroy(saved);
    assert.equal((await second.listContainers()).some((c) => c.containerId === h.state.containerId), false);
    assert.equal(await second.recover(saved), false);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
