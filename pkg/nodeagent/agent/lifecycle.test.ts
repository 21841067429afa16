// Lifecycle ordering: the pure planner, then real allocations with hooks, sidecars, a leader and a failing task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Driver, ExitResult } from '../drivers/driver.ts';
import { MockDriver } from '../drivers/mock/driver.ts';
import { clientStatusOf, planLifecycle, type TaskView } from './lifecycle.ts';
import { withAgentHarness } from './testing.ts';

const view = (name: string, kind: TaskView['kind'], over: Partial<TaskView> = {}): TaskView => ({
  name, kind, sidecar: false, leader: false, started: false, running: false, dead: false, failed: false, active: false, ...over,
});

test('planner: prestart first, main once prestart is done and sidecars run, poststart once main started', () => {
  const init = view('init', 'prestart');
  const side = view('side', 'prestart', { sidecar: true });
  const main = view('main', 'main');
  const post = view('post', 'poststart');
  const stop = view('stop', 'poststop');
  assert.deepEqual(planLifecycle([init, side, main, post, stop], undefined).start, ['init', 'side']);
  const running = { active: true, started: true, running: true };
  const initDone = { ...init, started: true, dead: true };
  assert.deepEqual(planLifecycle([{ ...init, ...running }, { ...side, ...running }, main, post, stop], undefined).start, []);
  assert.deepEqual(planLifecycle([initDone, { ...side, active: true }, main, post, stop], undefined).start, [], 'the sidecar is not running yet');
  assert.deepEqual(planLifecycle([initDone, { ...side, ...running }, main, post, stop], undefined).start, ['main']);
  assert.deepEqual(planLifecycle([initDone, { ...side, ...running }, { ...main, ...running }, post, stop], undefined).start, ['post']);
});

test('planner: stopping kills main tasks first, then sidecars, then runs poststop hooks', () => {
  const running = { active: true, started: true, running: true };
  const dead = { started: true, dead: true };
  const side = view('side', 'prestart', { sidecar: true, ...running });
  const main = view('main', 'main', dead);
  const stop = view('stop', 'poststop');
  const p1 = planLifecycle([side, main, stop], undefined);
  assert.equal(p1.beginStop, 'all main tasks finished');
  assert.deepEqual(planLifecycle([side, main, stop], 'all main tasks finished').kill, ['side']);
  assert.deepEqual(planLifecycle([{ ...side, ...dead, running: false, active: false }, main, stop], 'x').start, ['stop']);
  const neverRan = planLifecycle([view('main', 'main'), stop], 'stopped by the scheduler');
  assert.deepEqual(neverRan.kill, ['main']);
  assert.deepEqual(planLifecycle([view('main', 'main', { dead: true }), stop], 'stopped').kill, ['stop'], 'no poststop when nothing ran');
});

test('planner: a failed task or a dead leader stops the allocation', () => {
  const running = { active: true, started: true, running: true };
  assert.equal(planLifecycle([view('a', 'main', { ...running }), view('b', 'main', { started: true, dead: true, failed: true })], undefined).beginStop, 'task "b" failed');
  assert.equal(planLifecycle([view('a', 'main', running), view('l', 'main', { leader: true, started: true, dead: true })], undefined).beginStop, 'leader task "l" is dead');
  assert.equal(planLifecycle([view('a', 'main', running), view('b', 'main', { started: true, dead: true })], undefined).beginStop, undefined);
});

test('client status: failed over running over pending; complete when all dead', () => {
  const cases: Array<[Array<{ running: boolean; dead: boolean; failed: boolean }>, string]> = [
    [[{ running: false, dead: false, failed: false }], 'pending'],
    [[{ running: true, dead: false, failed: false }, { running: false, dead: false, failed: false }], 'running'],
    [[{ running: true, dead: false, failed: false }, { running: false, dead: true, failed: true }], 'failed'],
    [[{ running: false, dead: true, failed: false }, { running: false, dead: true, failed: false }], 'complete'],
  ];
  for (const [tasks, want] of cases) assert.equal(clientStatusOf(tasks), want);
});

/**
 * The mock driver with a record of what the agent asked of it and when each call came back, in the order it
 * happened: `start:x` when the agent asks to start task x, `running:x` once it runs, `exit:x` when x has
 * exited (before the agent hears of it). The lifecycle test judges ordering by this sequence of events, not by
 * timestamps, so a loaded machine (late timers, a restart) cannot reorder or tie what it checks.
 * `holds` keeps a task running until an event: `{ main: 'exit:announce' }` makes main exit (code 0) only once
 * the poststart task has run, instead of after a runFor a slow agent could outlast.
 */
function recordingMock(holds: Record<string, string> = {}): { driver: Driver; log: string[] } {
  const mock = new MockDriver({ clock: realClock, logger: silentLogger });
  const log: string[] = [];
  const waiting = new Map<string, Array<() => void>>();
  const record = (e: string) => {
    log.push(e);
    for (const wake of waiting.get(e) ?? []) wake();
    waiting.delete(e);
  };
  const happened = (e: string) => (log.includes(e) ? Promise.resolve() : new Promise<void>((r) => waiting.set(e, [...(waiting.get(e) ?? []), r])));
  const names = new Map<string, string>();
  const driver: Driver = {
    name: mock.name,
    fingerprint: () => mock.fingerprint(),
    validateConfig: (c) => mock.validateConfig(c),
    async start(task) {
      record(`start:${task.taskName}`);
      const handle = await mock.start(task);
      names.set(handle.taskId, task.taskName);
      record(`running:${task.taskName}`);
      return handle;
    },
    async wait(handle) {
      const task = names.get(handle.taskId) ?? handle.taskId;
      const hold = holds[task];
      let exit: ExitResult;
      if (hold) {
        // Held tasks run forever in the mock; they end, successfully, once the event they wait for happened.
        const stopped = mock.wait(handle);
        await Promise.race([happened(hold), stopped]);
        exit = log.includes(hold) ? { exitCode: 0, oomKilled: false } : await stopped;
        if (log.includes(hold)) void mock.stop(handle, 'SIGKILL', 0);
      } else {
        exit = await mock.wait(handle);
      }
      record(`exit:${task}`);
      return exit;
    },
    stop: (h, sig, ms) => mock.stop(h, sig, ms),
    destroy: (h) => mock.destroy(h),
    inspect: (h) => mock.inspect(h),
    recover: (h) => mock.recover(h),
  };
  return { driver, log };
}

/** Position of the first `event` in the log (fails when it never happened). */
function first(log: string[], event: string): number {
  const i = log.indexOf(event);
  assert.ok(i >= 0, `${event} never happened: ${log.join(' ')}`);
  return i;
}

test('hooks and sidecars run in lifecycle order around the main task', async () => {
  await withAgentHarness(async (h) => {
    const { driver, log } = recordingMock({ main: 'exit:announce' });
    await h.startAgent({ drivers: { mock: driver } });
    const job = await h.createJob('ordered', {
      tasks: [
        { name: 'cleanup', driver: 'mock', lifecycle: { hook: 'poststop' }, config: { runFor: '5ms' } },
        { name: 'main', driver: 'mock' }, // runs until the poststart task has run (recordingMock holds)
        { name: 'init', driver: 'mock', lifecycle: { hook: 'prestart' }, config: { runFor: '20ms' } },
        { name: 'side', driver: 'mock', lifecycle: { hook: 'prestart', sidecar: true } },
        { name: 'announce', driver: 'mock', lifecycle: { hook: 'poststart' }, config: { runFor: '5ms' } },
      ],
    });
    await h.place(job);
    const a = await h.untilAlloc('ordered-a0', (x) => x.status?.clientStatus === 'complete', 'complete');
    const at = (e: string) => first(log, e);
    assert.ok(at('exit:init') < at('start:main'), `main starts after the prestart task ends: ${log.join(' ')}`);
    assert.ok(at('running:side') < at('start:main'), `main starts after the sidecar runs: ${log.join(' ')}`);
    assert.ok(at('running:main') < at('start:announce'), `poststart after main: ${log.join(' ')}`);
    assert.ok(at('exit:main') < at('exit:side'), `the sidecar outlives main: ${log.join(' ')}`);
    assert.ok(at('exit:side') < at('start:cleanup'), `poststop after everything else: ${log.join(' ')}`);
    assert.ok(at('exit:announce') < at('start:cleanup'), `poststop after the poststart task: ${log.join(' ')}`);
    const side = a.status!.taskStates!.side!;
    assert.equal(side.events!.at(-1)!.type, 'Killed');
    assert.match(side.events!.find((e) => e.type === 'Killing')!.message!, /all main tasks finished/);
    for (const t of ['init', 'main', 'announce', 'cleanup']) assert.equal(a.status!.taskStates![t]!.events!.at(-1)!.type, 'Terminated', t);
    for (const t of Object.values(a.status!.taskStates!)) assert.equal(t.failed, false);
  });
});

test('a failed task kills its siblings and fails the allocation; a dead leader ends the others', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const failing = await h.createJob('sibling', {
      restart: { attempts: 0, mode: 'fail' },
      tasks: [
        { name: 'steady', driver: 'mock' },
        { name: 'crash', driver: 'mock', config: { runFor: '20ms', exitCode: 2 } },
      ],
    });
    const led = await h.createJob('led', {
      tasks: [
        { name: 'worker', driver: 'mock' },
        { name: 'boss', driver: 'mock', leader: true, config: { runFor: '20ms' } },
      ],
    });
    await h.place(failing);
    await h.place(led);
    const f = await h.untilAlloc('sibling-a0', (x) => x.status?.clientStatus === 'failed' && x.status.taskStates?.steady?.state === 'dead', 'failed');
    assert.match(f.status!.taskStates!.steady!.events!.find((e) => e.type === 'Killing')!.message!, /task "crash" failed/);
    assert.equal(f.status!.taskStates!.steady!.failed, false);
    const l = await h.untilAlloc('led-a0', (x) => x.status?.clientStatus === 'complete', 'complete');
    assert.match(l.status!.taskStates!.worker!.events!.find((e) => e.type === 'Killing')!.message!, /leader task "boss" is dead/);
  });
});
