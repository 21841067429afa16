// The agent with real processes (raw_exec): env and exit codes, kill escalation, logs, and an agent restart
// that re-attaches to the very same process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Driver } from '../drivers/driver.ts';
import { RawExecDriver } from '../drivers/rawexec/driver.ts';
import { processAlive } from '../drivers/rawexec/procfs.ts';
import { eventTypes, withAgentHarness } from './testing.ts';

const rawExec = () => ({ raw_exec: new RawExecDriver({ clock: realClock, logger: silentLogger, pollMs: 20 }) as Driver });
const sh = (script: string) => ({ command: '/bin/sh', args: ['-c', script] });

test('raw_exec: the task sees its env, writes its logs, and its exit code is recorded', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent({ drivers: rawExec() });
    const job = await h.createJob('env', {
      restart: { attempts: 0, mode: 'fail' },
      network: { ports: [{ label: 'http' }] },
      tasks: [{ name: 'show', driver: 'raw_exec', env: { MINE: 'yes' }, config: sh('echo "$DROVER_TASK_NAME $DROVER_ALLOC_NAME $DROVER_JOB_NAME $DROVER_GROUP_NAME $DROVER_DC $DROVER_PORT_http $DROVER_ADDR_http $MINE"; test -d "$DROVER_ALLOC_DIR" && test -d "$DROVER_TASK_DIR" && echo dirs; echo bad >&2; exit 3') }],
    });
    await h.place(job, { ports: [{ label: 'http', value: 23456 }] });
    const a = await h.untilAlloc('env-a0', (x) => x.status?.clientStatus === 'failed', 'failed');
    const terminated = a.status!.taskStates!.show!.events!.find((e) => e.type === 'Terminated')!;
    assert.equal(terminated.exitCode, 3);
    const log = async (q: string) => (await fetch(`${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/env-a0/log${q}`)).text();
    assert.equal(await log(''), 'show env.g[0] env g dc1 23456 127.0.0.1:23456 yes\ndirs\n');
    assert.equal(await log('?stderr=true'), 'bad\n');
  });
});

test('raw_exec: a task ignoring the kill signal is SIGKILLed after killTimeout', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent({ drivers: rawExec() });
    const job = await h.createJob('deaf', {
      tasks: [{ name: 't', driver: 'raw_exec', killTimeout: '200ms', config: sh('trap "" TERM; echo ready; while :; do sleep 0.05; done') }],
    }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('deaf-a0', (a) => a.status?.clientStatus === 'running', 'running');
    await h.until(async () => (await (await fetch(`${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/deaf-a0/log`)).text()) === 'ready\n', 'the trap is set');
    await h.client.resource('allocations').patch('deaf-a0', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    const a = await h.untilAlloc('deaf-a0', (x) => x.status?.clientStatus === 'complete', 'complete');
    const killed = a.status!.taskStates!.t!.events!.at(-1)!;
    assert.equal(killed.type, 'Killed');
    assert.equal(killed.signal, 9);
  });
});

test('raw_exec: a restarted agent re-attaches to the same process, and stops it when told', async () => {
  await withAgentHarness(async (h) => {
    const agent1 = await h.startAgent({ drivers: rawExec() });
    const job = await h.createJob('long', { tasks: [{ name: 't', driver: 'raw_exec', config: { command: '/bin/sleep', args: ['30'] } }] }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('long-a0', (a) => a.status?.clientStatus === 'running', 'running');
    const state = agent1.runners()[0]!.taskRunners.get('t')!.handle!.state as { pid: number; startTime: number };
    const { pid } = state;
    const alive = () => processAlive(state.pid, state.startTime);
    assert.ok(alive());
    await agent1.stop();
    assert.ok(alive(), 'the task outlives its agent');

    const agent2 = await h.startAgent({ drivers: rawExec() });
    const t = agent2.runners()[0]!.taskRunners.get('t')!;
    assert.equal(t.isRunning, true);
    assert.equal(Number(t.handle!.state.pid), pid, 'the same process, not a new one');
    assert.deepEqual(eventTypes(await h.alloc('long-a0'), 't'), ['Received', 'Setup', 'Started']);
    await h.client.resource('allocations').patch('long-a0', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    await h.untilAlloc('long-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
    await h.until(() => !alive(), 'the process is gone');
  });
});
