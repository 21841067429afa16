import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../../clock/clock.ts';
import { silentLogger } from '../../../log/logger.ts';
import type { ExitResult, TaskConfig } from '../driver.ts';
import { MockDriver } from './driver.ts';

const root = mkdtempSync(join(tmpdir(), 'drover-mock-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;

function task(config: Record<string, unknown>): TaskConfig {
  const dir = join(root, `t${++seq}`);
  return {
    id: `a${seq}/t`, allocId: `a${seq}`, taskName: 't', config, env: {}, resources: { cpuMHz: 100, memoryMB: 64 }, ports: [],
    taskDir: dir, allocDir: root, stdoutPath: join(dir, 't.stdout.0'), stderrPath: join(dir, 't.stderr.0'), mounts: [],
  };
}

/** Settles pending promise callbacks so a resolved wait() is observable. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function track(p: Promise<ExitResult>): { exit?: ExitResult } {
  const box: { exit?: ExitResult } = {};
  void p.then((e) => (box.exit = e));
  return box;
}

describe('mock driver', () => {
  it('runs for runFor, then exits with exitCode; writes its stdout text', async () => {
    const clock = new ManualClock(1_000);
    const d = new MockDriver({ clock, logger: silentLogger });
    const t = task({ runFor: '10s', exitCode: 3, stdout: 'hello\n' });
    const h = await d.start(t);
    assert.equal(readFileSync(t.stdoutPath, 'utf8'), 'hello\n');
    const w = track(d.wait(h));
    clock.advance(9_999);
    await flush();
    assert.equal(w.exit, undefined);
    assert.deepEqual(await d.inspect(h), { state: 'running' });
    clock.advance(1);
    await flush();
    assert.deepEqual(w.exit, { exitCode: 3, oomKilled: false });
    assert.deepEqual(await d.inspect(h), { state: 'exited', exit: w.exit });
  });

  it('fails to start with startError; validates its config', async () => {
    const d = new MockDriver({ clock: new ManualClock(), logger: silentLogger });
    await assert.rejects(d.start(task({ startError: 'image "nope" not found' })), /image "nope" not found/);
    assert.deepEqual(d.validateConfig({ runFor: '1h', exitCode: 0 }), []);
    assert.deepEqual(d.validateConfig({ runFor: 'soon', exitCode: 300, stdout: 1, extra: true }), [
      'config.runFor: must be a duration such as "10s" or "1m30s"',
      'config.exitCode: must be an integer from 0 to 255',
      'config.stdout: must be a string',
      'config.extra: unknown field (allowed: runFor, exitCode, startError, killAfter, stdout, stderr, execExitCode)',
    ]);
  });

  it('stops after killAfter with the kill signal, or SIGKILL when killAfter exceeds the timeout', async () => {
    const clock = new ManualClock();
    const d = new MockDriver({ clock, logger: silentLogger });
    const polite = await d.start(task({ killAfter: '2s' }));
    const stopped = d.stop(polite, 'SIGINT', 5_000);
    clock.advance(2_000);
    await stopped;
    assert.deepEqual(await d.wait(polite), { exitCode: 130, signal: 2, oomKilled: false });

    const stubborn = await d.start(task({ killAfter: '1m' }));
    const killed = d.stop(stubborn, 'SIGTERM', 5_000);
    clock.advance(5_000);
    await killed;
    assert.deepEqual(await d.wait(stubborn), { exitCode: 137, signal: 9, oomKilled: false });
  });

  it('recovers from handle state after an agent restart, only while runFor has not elapsed', async () => {
    const clock = new ManualClock(0);
    const first = new MockDriver({ clock, logger: silentLogger });
    const h = JSON.parse(JSON.stringify(await first.start(task({ runFor: '1m', exitCode: 0 }))));
    clock.advance(30_000);
    const second = new MockDriver({ clock, logger: silentLogger });
    assert.equal(await second.recover(h), true);
    const w = track(second.wait(h));
    clock.advance(30_000);
    await flush();
    assert.deepEqual(w.exit, { exitCode: 0, oomKilled: false });
    const third = new MockDriver({ clock, logger: silentLogger });
    assert.equal(await third.recover(h), false);
    assert.equal(await third.recover({ ...h, state: {} }), false);
    await second.destroy(h);
    await second.destroy(h);
  });

  it('answers exec with execExitCode', async () => {
    const d = new MockDriver({ clock: new ManualClock(), logger: silentLogger });
    const h = await d.start(task({ execExitCode: 2 }));
    assert.equal((await d.exec(h, 'check', ['a'])).exitCode, 2);
    const exited = d.wait(h);
    await d.destroy(h);
    assert.deepEqual(await exited, { exitCode: 137, signal: 9, oomKilled: false });
  });
});
