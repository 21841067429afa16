// The agent restarting and the API server going away: tasks are re-attached (never started twice), tasks of
// allocations deleted meanwhile are stopped and cleaned, tasks keep running while the API server is away and
// the status catches up once it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock } from '../../clock/clock.ts';
import type { Driver, TaskConfig, TaskHandle } from '../drivers/driver.ts';
import { MockDriver } from '../drivers/mock/driver.ts';
import { eventTypes, withAgentHarness } from './testing.ts';

/** A mock driver that counts what the agent asks of it. */
class CountingMock extends MockDriver {
  readonly starts: string[] = [];
  readonly recovered: string[] = [];
  readonly stops: string[] = [];
  constructor(clock: Clock = realClock) {
    super({ clock, logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
  }
  override async start(task: TaskConfig): Promise<TaskHandle> {
    this.starts.push(task.taskName);
    return super.start(task);
  }
  override async recover(handle: TaskHandle): Promise<boolean> {
    const ok = await super.recover(handle);
    if (ok) this.recovered.push(handle.taskId);
    return ok;
  }
  override async stop(handle: TaskHandle, signal: string, timeoutMs: number): Promise<void> {
    this.stops.push(handle.taskId);
    return super.stop(handle, signal, timeoutMs);
  }
}

const exists = (p: string) => access(p).then(() => true, () => false);

test('a restarted agent re-attaches to running tasks without starting them again, and cleans up deleted allocations', async () => {
  await withAgentHarness(async (h) => {
    const first = new CountingMock();
    const agent1 = await h.startAgent({ drivers: { mock: first as Driver } });
    const job = await h.createJob('svc', { tasks: [{ name: 'web', driver: 'mock' }] }, { type: 'service' });
    const keep = await h.place(job, { name: 'keep' });
    const drop = await h.place(job, { name: 'drop', index: 1 });
    await h.untilAlloc('keep', (a) => a.status?.clientStatus === 'running', 'running');
    await h.untilAlloc('drop', (a) => a.status?.clientStatus === 'running', 'running');
    assert.deepEqual(first.starts, ['web', 'web']);
    await agent1.stop();

    // While no agent runs, the cluster deletes one allocation.
    await h.client.resource('allocations').delete('drop', { namespace: 'default' });

    const second = new CountingMock();
    const agent2 = await h.startAgent({ drivers: { mock: second as Driver } });
    assert.deepEqual(second.starts, [], 'nothing started again');
    assert.deepEqual(second.recovered.sort(), [`${drop.metadata.uid}/web`, `${keep.metadata.uid}/web`].sort());
    await h.until(() => second.stops.includes(`${drop.metadata.uid}/web`), 'the deleted allocation\'s task is stopped');
    const dropDir = join(h.dataDir, 'allocs', drop.metadata.uid!);
    await h.until(async () => !(await exists(dropDir)), 'its directory is removed');
    await h.until(async () => !(await readdir(join(h.dataDir, 'state'))).includes(`${drop.metadata.uid}.json`), 'its state is removed');
    assert.equal(agent2.runners().length, 1);

    const kept = await h.alloc('keep');
    assert.equal(kept.status?.clientStatus, 'running');
    assert.deepEqual(eventTypes(kept, 'web'), ['Received', 'Setup', 'Started']);
    // The re-attached task is the agent's to stop as usual.
    await h.client.resource('allocations').patch('keep', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    const done = await h.untilAlloc('keep', (a) => a.status?.clientStatus === 'complete', 'complete');
    assert.deepEqual(eventTypes(done, 'web'), ['Received', 'Setup', 'Started', 'Killing', 'Killed']);
    assert.deepEqual(second.starts, []);
  });
});

test('a task that ended while the agent was down is handled by its restart policy', async () => {
  // The task runs for an hour; the second agent's driver sees a clock two hours on ("the agent was away that
  // long"), so the task's runFor has surely elapsed when it looks, however slow the machine, and the first agent
  // can never have seen it end.
  await withAgentHarness(async (h) => {
    const agent1 = await h.startAgent();
    const job = await h.createJob('short', { restart: { attempts: 1, delay: '1ms', mode: 'fail' }, tasks: [{ name: 't', driver: 'mock', config: { runFor: '1h' } }] });
    await h.place(job);
    await h.untilAlloc('short-a0', (a) => a.status?.clientStatus === 'running', 'running');
    await agent1.stop();
    const later: Clock = { now: () => realClock.now() + 2 * 3_600_000, setTimeout: (fn, ms) => realClock.setTimeout(fn, ms), sleep: (ms) => realClock.sleep(ms) };
    const second = new CountingMock(later);
    await h.startAgent({ drivers: { mock: second as Driver } });
    const a = await h.untilAlloc('short-a0', (x) => x.status?.taskStates?.t?.restarts === 1 && x.status?.clientStatus === 'running', 'restarted once');
    assert.match(a.status!.taskStates!.t!.events!.find((e) => e.type === 'Driver Failure')!.message!, /lost while the agent was not running/);
    assert.deepEqual(second.starts, ['t'], 'restarted once under the policy');
    assert.deepEqual(second.recovered, [], 'nothing to re-attach to');
  });
});

test('with the API server away, tasks keep running and finishing; the status catches up when it is back', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    const batch = await h.createJob('during', { tasks: [{ name: 't', driver: 'mock', config: { runFor: '150ms', exitCode: 0 } }] });
    const svc = await h.createJob('steady', { tasks: [{ name: 't', driver: 'mock' }] }, { type: 'service' });
    await h.place(batch);
    await h.place(svc);
    await h.untilAlloc('during-a0', (a) => a.status?.clientStatus === 'running', 'running');
    await h.untilAlloc('steady-a0', (a) => a.status?.clientStatus === 'running', 'running');
    await h.api.stop();
    const runner = (name: string) => agent.runners().find((r) => r.allocation.metadata.name === name)!;
    await h.until(() => runner('during-a0').terminal, 'the batch task finished while the API server was away');
    assert.equal(runner('steady-a0').taskRunners.get('t')!.isRunning, true);
    await h.api.start();
    const a = await h.untilAlloc('during-a0', (x) => x.status?.clientStatus === 'complete', 'complete after reconnect');
    assert.equal(a.status!.taskStates!.t!.events!.at(-1)!.exitCode, 0);
    assert.equal((await h.alloc('steady-a0')).status?.clientStatus, 'running');
    assert.deepEqual(eventTypes(await h.alloc('steady-a0'), 't'), ['Received', 'Setup', 'Started']);
  });
});

test('an agent restarted while the API server is away resumes its tasks and syncs once the server is back', async () => {
  await withAgentHarness(async (h) => {
    const first = new CountingMock();
    const agent1 = await h.startAgent({ drivers: { mock: first as Driver } });
    const svc = await h.createJob('steady', { tasks: [{ name: 't', driver: 'mock' }] }, { type: 'service' });
    await h.place(svc);
    await h.untilAlloc('steady-a0', (a) => a.status?.clientStatus === 'running', 'running');
    await agent1.stop();
    await h.api.stop();
    const second = new CountingMock();
    const agent2 = await h.startAgent({ drivers: { mock: second as Driver } }, false);
    await h.until(() => agent2.runners()[0]?.taskRunners.get('t')?.isRunning === true, 'the task is re-attached without the API server');
    await h.api.start();
    await agent2.ready();
    assert.equal((await h.alloc('steady-a0')).status?.clientStatus, 'running');
    assert.deepEqual(second.starts, []);
    assert.equal(second.recovered.length, 1);
  });
});
