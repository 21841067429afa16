import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { realClock } from '../../../clock/clock.ts';
import { silentLogger } from '../../../log/logger.ts';
import type { TaskConfig } from '../driver.ts';
import { lookupUser } from '../rawexec/users.ts';
import { untilFileHas } from '../testing.ts';
import { ExecDriver, type ExecState } from './driver.ts';

const root = mkdtempSync(join(tmpdir(), 'drover-exec-'));
chmodSync(root, 0o755); // the task user must be able to reach its task directory
after(() => rmSync(root, { recursive: true, force: true }));
const opts = { clock: realClock, logger: silentLogger, pollMs: 20, cgroupParent: 'drover-test' };
let seq = 0;

function task(config: Record<string, unknown>, extra: Partial<TaskConfig> = {}): TaskConfig {
  const dir = join(root, `t${++seq}`);
  mkdirSync(join(dir, 'local'), { recursive: true });
  return {
    id: `alloc${seq}/main`, allocId: `alloc${seq}`, taskName: 'main', config, env: { GREETING: 'hello' },
    resources: { cpuMHz: 250, memoryMB: 64 }, ports: [], taskDir: dir, allocDir: root,
    stdoutPath: join(dir, 'main.stdout.0'), stderrPath: join(dir, 'main.stderr.0'), mounts: [], ...extra,
  };
}

const cgroupOf = (state: Record<string, unknown>) => (state as unknown as ExecState).cgroup;

describe('exec driver', () => {
  it('fingerprints healthy with cgroups and its unprivileged user', async () => {
    const fp = await new ExecDriver(opts).fingerprint();
    assert.equal(fp.detected, true);
    assert.equal(fp.healthy, true, fp.description);
    assert.equal(fp.attributes?.['driver.exec.user'], 'drover-task');
    assert.match(fp.description, /cgroup v[12] limits/);
  });

  it('reports unhealthy with a reason when cgroups are missing or not writable', async () => {
    const none = mkdtempSync(join(tmpdir(), 'drover-nocg-'));
    const fp = await new ExecDriver({ ...opts, cgroupRoot: none }).fingerprint();
    assert.equal(fp.healthy, false);
    assert.match(fp.description, /no cgroup memory controller found/);
    // A v1 layout whose parent cgroup cannot be created.
    mkdirSync(join(none, 'memory'));
    writeFileSync(join(none, 'memory', 'memory.limit_in_bytes'), 'max');
    writeFileSync(join(none, 'memory', 'drover'), 'not a directory');
    const broken = new ExecDriver({ ...opts, cgroupRoot: none, cgroupParent: 'drover' });
    const fp2 = await broken.fingerprint();
    assert.equal(fp2.healthy, false);
    assert.match(fp2.description, /cgroup v1 is not writable here/);
    await assert.rejects(broken.start(task({ command: 'true' })), /exec driver unavailable on this node: cgroup v1 is not writable/);
    rmSync(none, { recursive: true, force: true });
  });

  it('runs as an unprivileged user inside a limited cgroup, args without a shell', async () => {
    const d = new ExecDriver(opts);
    mkdirSync(join(root, 'alloc', 'data'), { recursive: true });
    const t = task({ command: '/bin/sh', args: ['-c', `id -u; cat /proc/self/cgroup; echo "$GREETING"; echo x > local/f && echo wrote; echo y > ${root}/alloc/data/f && echo shared`] });
    const h = await d.start(t);
    const cg = cgroupOf(h.state);
    const memDir = cg.dirs[0]!;
    const limit = readFileSync(join(memDir, cg.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
    assert.equal(limit, String(64 * 1024 * 1024));
    const exit = await d.wait(h);
    assert.deepEqual(exit, { exitCode: 0, oomKilled: false });
    const out = readFileSync(t.stdoutPath, 'utf8').split('\n');
    const uid = lookupUser('drover-task')!.uid;
    assert.notEqual(uid, 0);
    assert.equal(out[0], String(uid));
    const leaf = memDir.split('/').pop()!;
    assert.ok(out.some((l) => l.includes(`/drover-test/${leaf}`)), `task cgroup ${leaf} in ${out.join('|')}`);
    assert.ok(out.includes('hello'));
    assert.ok(out.includes('wrote'), 'the task user owns local/');
    assert.ok(out.includes('shared'), 'the task user may write alloc/data');
    await d.destroy(h);
    for (const dir of cg.dirs) assert.equal(existsSync(dir), false, `${dir} removed`);
    await d.destroy(h); // idempotent
  });

  it('kills a task over its memory limit and reports it OOM-killed', async () => {
    const d = new ExecDriver(opts);
    // dd fills a 256 MiB buffer: far over the task's 32 MiB.
    const t = task({ command: 'dd', args: ['if=/dev/zero', 'of=/dev/null', 'bs=256M', 'count=1'] }, { resources: { cpuMHz: 100, memoryMB: 32 } });
    const h = await d.start(t);
    const exit = await d.wait(h);
    assert.equal(exit.oomKilled, true);
    assert.equal(exit.signal, 9);
    assert.deepEqual(await d.inspect(h), { state: 'exited', exit });
    await d.destroy(h);
  });

  it('uses memoryMaxMB as the hard limit when it is larger', async () => {
    const d = new ExecDriver(opts);
    const h = await d.start(task({ command: 'sleep', args: ['60'] }, { resources: { cpuMHz: 100, memoryMB: 32, memoryMaxMB: 96 } }));
    const cg = cgroupOf(h.state);
    const limit = readFileSync(join(cg.dirs[0]!, cg.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
    assert.equal(limit, String(96 * 1024 * 1024));
    await d.stop(h, 'SIGTERM', 5000);
    await d.destroy(h);
  });

  it('refuses root and unknown users, and bad config', async () => {
    const d = new ExecDriver(opts);
    await assert.rejects(d.start(task({ command: 'true' }, { user: 'root' })), /may not run as root; use the raw_exec driver/);
    await assert.rejects(d.start(task({ command: 'true' }, { user: 'nope-xyz' })), /user "nope-xyz" does not exist/);
    await assert.rejects(d.start(task({ command: 'nope-xyz' })), /command "nope-xyz" not found on PATH/);
    assert.match(d.validateConfig({ args: ['x'] }).join(), /config\.command: required/);
  });

  it('stops, script-checks in the task context and re-attaches after an agent restart', async () => {
    const first = new ExecDriver(opts);
    const t = task({ command: '/bin/sh', args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] }, { user: 'nobody' });
    const h = await first.start(t);
    await untilFileHas(t.stdoutPath, 'ready');
    const second = new ExecDriver(opts);
    const saved = JSON.parse(JSON.stringify(h));
    assert.equal(await second.recover(saved), true);
    assert.equal(await second.recover({ ...saved, state: { ...saved.state, startTime: 1 } }), false);
    const check = await second.exec!(saved, 'sh', ['-c', 'id -u; cat /proc/self/cgroup'], 5000);
    assert.equal(check.exitCode, 0);
    assert.equal(check.output.split('\n')[0], '65534');
    assert.ok(check.output.includes(cgroupOf(saved.state).dirs[0]!.split('/').pop()!));
    await second.stop(saved, 'SIGTERM', 200); // ignored: SIGKILL after the timeout
    assert.equal(await second.recover(saved), false);
    await second.destroy(saved);
    for (const dir of cgroupOf(saved.state).dirs) assert.equal(existsSync(dir), false);
    const exit = await first.wait(h); // the original parent still knows the status
    assert.equal(exit.signal, 9);
  });
});
