import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { realClock } from '../../../clock/clock.ts';
import { silentLogger } from '../../../log/logger.ts';
import type { TaskConfig } from '../driver.ts';
import { RawExecDriver } from './driver.ts';
import { processAlive, readProcStat } from './procfs.ts';
import { UNKNOWN_EXIT_CODE } from './supervisor.ts';
import { eventually, untilFileHas } from '../testing.ts';

const root = mkdtempSync(join(tmpdir(), 'drover-rawexec-'));
after(() => rmSync(root, { recursive: true, force: true }));
const deps = { clock: realClock, logger: silentLogger, pollMs: 20 };
let seq = 0;

function task(config: Record<string, unknown>, extra: Partial<TaskConfig> = {}): TaskConfig {
  const dir = join(root, `t${++seq}`);
  return {
    id: `alloc${seq}/main`, allocId: `alloc${seq}`, taskName: 'main', config, env: { GREETING: 'hello' },
    resources: { cpuMHz: 100, memoryMB: 64 }, ports: [], taskDir: dir, allocDir: root,
    stdoutPath: join(dir, 'logs', 'main.stdout.0'), stderrPath: join(dir, 'logs', 'main.stderr.0'), mounts: [], ...extra,
  };
}

describe('raw_exec driver', () => {
  it('runs a command without a shell, with its env, output files and exit code', async () => {
    const d = new RawExecDriver(deps);
    const t = task({ command: '/bin/sh', args: ['-c', 'echo "$GREETING out"; echo err >&2; exit 3'] });
    const h = await d.start(t);
    assert.equal(h.driver, 'raw_exec');
    const exit = await d.wait(h);
    assert.deepEqual(exit, { exitCode: 3, oomKilled: false });
    assert.equal(readFileSync(t.stdoutPath, 'utf8'), 'hello out\n');
    assert.equal(readFileSync(t.stderrPath, 'utf8'), 'err\n');
    assert.deepEqual(await d.inspect(h), { state: 'exited', exit });
    await d.destroy(h);
    await d.destroy(h); // idempotent
  });

  it('passes arguments literally (no shell expansion)', async () => {
    const d = new RawExecDriver(deps);
    const t = task({ command: 'echo', args: ['$HOME', '*', 'a b;c'] });
    await d.wait(await d.start(t));
    assert.equal(readFileSync(t.stdoutPath, 'utf8'), '$HOME * a b;c\n');
  });

  it('rejects bad config with field-level problems and a missing program with a clear error', async () => {
    const d = new RawExecDriver(deps);
    assert.deepEqual(d.validateConfig({ command: '/bin/true' }), []);
    const problems = d.validateConfig({ args: 'x', comand: 'ls' });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /config\.command: required/);
    assert.match(problems.join('\n'), /config\.args: must be a list of strings/);
    assert.match(problems.join('\n'), /config\.comand: unknown field/);
    await assert.rejects(d.start(task({ command: 'no-such-program-xyz' })), /command "no-such-program-xyz" not found on PATH/);
    await assert.rejects(d.start(task({})), /config\.command: required/);
  });

  it('stops with the kill signal, the whole process group', async () => {
    const d = new RawExecDriver(deps);
    const t = task({ command: '/bin/sh', args: ['-c', 'sleep 60 & echo $! > child.pid; echo ready; wait'] });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(t.taskDir, { recursive: true });
    const h = await d.start(t);
    await untilFileHas(t.stdoutPath, 'ready');
    const child = Number(readFileSync(join(t.taskDir, 'child.pid'), 'utf8'));
    const childStart = readProcStat(child)!.startTime;
    assert.deepEqual(await d.inspect(h), { state: 'running' });
    await d.stop(h, 'SIGTERM', 10_000);
    const exit = await d.wait(h);
    assert.equal(exit.signal, 15);
    assert.equal(exit.exitCode, 143);
    await eventually(() => !processAlive(child, childStart), 'the background child is gone');
  });

  it('sends SIGKILL after the timeout when the task ignores the kill signal', async () => {
    const d = new RawExecDriver(deps);
    const t = task({ command: '/bin/sh', args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] });
    const h = await d.start(t);
    await untilFileHas(t.stdoutPath, 'ready');
    await d.stop(h, 'SIGTERM', 200);
    const exit = await d.wait(h);
    assert.equal(exit.signal, 9);
    assert.equal(exit.exitCode, 137);
  });

  it('runs as task.user', async () => {
    const d = new RawExecDriver(deps);
    const t = task({ command: 'id', args: ['-u'] }, { user: 'nobody' });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(t.taskDir, { recursive: true });
    assert.equal((await d.wait(await d.start(t))).exitCode, 0);
    assert.equal(readFileSync(t.stdoutPath, 'utf8').trim(), '65534');
    await assert.rejects(d.start(task({ command: 'true' }, { user: 'no-such-user-xyz' })), /user "no-such-user-xyz" does not exist/);
  });

  it('runs a command in the task context (script checks)', async () => {
    const d = new RawExecDriver(deps);
    const h = await d.start(task({ command: 'sleep', args: ['60'] }));
    const r = await d.exec(h, '/bin/sh', ['-c', 'echo "$GREETING from check"; exit 2'], 5000);
    assert.deepEqual(r, { exitCode: 2, output: 'hello from check\n' });
    const slow = await d.exec(h, 'sleep', ['60'], 100);
    assert.equal(slow.exitCode, 124);
    await d.stop(h, 'SIGKILL', 1000);
    await d.destroy(h);
  });

  it('re-attaches after an agent restart only to the same process', async () => {
    const first = new RawExecDriver(deps);
    const h = await first.start(task({ command: 'sleep', args: ['60'] }));
    const saved = JSON.parse(JSON.stringify(h));
    const second = new RawExecDriver(deps); // the restarted agent
    assert.equal(await second.recover(saved), true);
    assert.deepEqual(await second.inspect(saved), { state: 'running' });
    // Same pid, another start time: a reused pid must not be adopted.
    assert.equal(await second.recover({ ...saved, state: { ...saved.state, startTime: saved.state.startTime - 1 } }), false);
    assert.equal(await second.recover({ ...saved, state: {} }), false);
    const waited = second.wait(saved);
    await second.stop(saved, 'SIGTERM', 5000);
    const exit = await waited;
    assert.equal(exit.exitCode, UNKNOWN_EXIT_CODE);
    assert.match(exit.err ?? '', /exit status unknown/);
    assert.equal(await second.recover(saved), false);
    assert.deepEqual(await second.inspect(saved), { state: 'exited' });
  });
});
