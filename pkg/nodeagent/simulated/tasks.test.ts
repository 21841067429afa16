// The mock driver's semantics and the statuses hollow nodes report, as tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocEnding, endedStatus, startedStatus, stoppedStatus, taskBehaviour, type TaskBehaviour } from './tasks.ts';

const behaviours: Array<{ config: Record<string, unknown>; driver?: string; want: TaskBehaviour }> = [
  { driver: 'docker', config: { image: 'redis', runFor: '1s' }, want: { kind: 'run' } },
  { config: {}, want: { kind: 'run' } },
  { config: { runFor: '1m30s' }, want: { kind: 'exit', afterMs: 90_000, exitCode: 0 } },
  { config: { runFor: '2s', exitCode: 3 }, want: { kind: 'exit', afterMs: 2000, exitCode: 3 } },
  { config: { exitCode: 1 }, want: { kind: 'exit', afterMs: 0, exitCode: 1 } },
  { config: { startError: 'boom', runFor: '1s' }, want: { kind: 'startError', message: 'boom' } },
  { config: { runFor: 'soon' }, want: { kind: 'run' } },
];

for (const c of behaviours) {
  test(`behaviour of ${c.driver ?? 'mock'} ${JSON.stringify(c.config)}`, () => {
    assert.deepEqual(taskBehaviour({ driver: c.driver ?? 'mock', config: c.config }), c.want);
  });
}

const endings: Array<{ name: string; tasks: Record<string, TaskBehaviour>; want: ReturnType<typeof allocEnding> }> = [
  { name: 'all run forever', tasks: { a: { kind: 'run' } }, want: undefined },
  { name: 'all exit 0: complete at the last', tasks: { a: { kind: 'exit', afterMs: 1000, exitCode: 0 }, b: { kind: 'exit', afterMs: 3000, exitCode: 0 } }, want: { afterMs: 3000, failed: false } },
  { name: 'one exits 0, one runs on', tasks: { a: { kind: 'exit', afterMs: 1000, exitCode: 0 }, b: { kind: 'run' } }, want: undefined },
  { name: 'the first failure fails it', tasks: { a: { kind: 'exit', afterMs: 5000, exitCode: 2 }, b: { kind: 'exit', afterMs: 2000, exitCode: 1 }, c: { kind: 'run' } }, want: { afterMs: 2000, failed: true } },
];

for (const c of endings) {
  test(`allocation ending: ${c.name}`, () => assert.deepEqual(allocEnding(c.tasks), c.want));
}

test('statuses: started (or failed to start), ended with exit codes and kills, stopped', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const b: Record<string, TaskBehaviour> = { main: { kind: 'exit', afterMs: 2000, exitCode: 1 }, side: { kind: 'run' } };
  const started = startedStatus(b, t0, t0 + 100);
  assert.equal(started.clientStatus, 'running');
  assert.deepEqual(started.taskStates!.main!.events!.map((e) => e.type), ['Received', 'Task Setup', 'Started']);
  const ended = endedStatus(b, started.taskStates!, allocEnding(b)!, t0 + 2100);
  assert.equal(ended.clientStatus, 'failed');
  assert.deepEqual([ended.taskStates!.main!.failed, ended.taskStates!.main!.events!.at(-1)], [true, { type: 'Terminated', time: '2025-01-01T00:00:02.100Z', message: 'Exit Code: 1', exitCode: 1 }]);
  assert.deepEqual(ended.taskStates!.side!.events!.slice(-2).map((e) => e.type), ['Killing', 'Killed']);

  const broken = startedStatus({ a: { kind: 'startError', message: 'no image' }, b: { kind: 'run' } }, t0, t0);
  assert.equal(broken.clientStatus, 'failed');
  assert.deepEqual([broken.taskStates!.a!.state, broken.taskStates!.a!.events!.at(-1)!.type, broken.taskStates!.b!.events!.at(-1)!.type], ['dead', 'Driver Failure', 'Sibling Task Failed']);

  const stopped = stoppedStatus(['main', 'side'], started.taskStates!, t0 + 500);
  assert.equal(stopped.clientStatus, 'complete');
  assert.ok(Object.values(stopped.taskStates!).every((s) => s.state === 'dead' && s.events!.at(-1)!.type === 'Killed'));
  assert.deepEqual(stoppedStatus(['never'], {}, t0).taskStates!.never, { state: 'dead', failed: false, finishedAt: '2025-01-01T00:00:00.000Z', events: [] });
});
