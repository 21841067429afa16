// Lifecycle ordering: the pure planner, then real allocations with hooks, sidecars, a leader and a failing task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation } from '../../../api/schemas/index.ts';
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

// startedAt is the task's *last* start (a restart moves it, as in Nomad): ordering is judged by the first
// Started event instead, so a loaded machine that restarts a short task cannot reorder the check.
const at = (a: Allocation, task: string, field: 'startedAt' | 'finishedAt') => {
  const state = a.status!.taskStates![task]!;
  const firstStart = state.events?.find((e) => e.type === 'Started')?.time;
  return Date.parse(field === 'startedAt' && firstStart ? firstStart : state[field]!);
};

test('hooks and sidecars run in lifecycle order around the main task', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('ordered', {
      tasks: [
        { name: 'cleanup', driver: 'mock', lifecycle: { hook: 'poststop' }, config: { runFor: '5ms' } },
        { name: 'main', driver: 'mock', config: { runFor: '40ms' } },
        { name: 'init', driver: 'mock', lifecycle: { hook: 'prestart' }, config: { runFor: '20ms' } },
        { name: 'side', driver: 'mock', lifecycle: { hook: 'prestart', sidecar: true } },
        { name: 'announce', driver: 'mock', lifecycle: { hook: 'poststart' }, config: { runFor: '5ms' } },
      ],
    });
    await h.place(job);
    const a = await h.untilAlloc('ordered-a0', (x) => x.status?.clientStatus === 'complete', 'complete');
    assert.ok(at(a, 'init', 'finishedAt') <= at(a, 'main', 'startedAt'), 'main starts after the prestart task ends');
    assert.ok(at(a, 'side', 'startedAt') <= at(a, 'main', 'startedAt'), 'main starts after the sidecar');
    assert.ok(at(a, 'announce', 'startedAt') >= at(a, 'main', 'startedAt'), 'poststart after main');
    assert.ok(at(a, 'side', 'finishedAt') >= at(a, 'main', 'finishedAt'), 'the sidecar outlives main');
    assert.ok(at(a, 'cleanup', 'startedAt') >= at(a, 'side', 'finishedAt'), 'poststop after everything else');
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
