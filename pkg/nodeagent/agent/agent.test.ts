// The agent against a real API server with the mock driver: registration and heartbeat, an allocation run to
// completion with exit codes, restart policy, kills, bad config, desired stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Job, Lease, Node } from '../../../api/schemas/index.ts';
import { isConflict } from '../../apierrors/status.ts';
import { AGENT_HTTP_ATTRIBUTE, NODE_LEASE_NAMESPACE } from '../../../api/schemas/well-known.ts';
import { currentVersion } from './job-source.ts';
import { eventTypes, withAgentHarness } from './testing.ts';

test('registers its Node with a fingerprint and its log address, and heartbeats through a Lease', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent({ datacenter: 'dc2', nodeClass: 'gpu', meta: { rack: 'r1' }, hostVolumes: { data: { path: '/srv/data' } } });
    await agent.ready();
    const node = await h.client.resource<Node>('nodes').get('node-1');
    assert.equal(node.spec?.datacenter, 'dc2');
    assert.equal(node.spec?.nodeClass, 'gpu');
    assert.deepEqual(node.spec?.meta, { rack: 'r1' });
    assert.equal(node.status?.phase, 'ready');
    assert.equal(node.status?.resources?.cpu, 8000);
    assert.equal(node.status?.drivers?.mock?.healthy, true);
    assert.equal(node.status?.attributes?.['driver.mock'], '1');
    assert.equal(node.status?.attributes?.[AGENT_HTTP_ATTRIBUTE], agent.httpUrl);
    assert.deepEqual(node.status?.hostVolumes, { data: { path: '/srv/data', readOnly: false } });
    const lease = await h.client.resource<Lease>('leases').get('node-1', { namespace: NODE_LEASE_NAMESPACE });
    const first = lease.spec?.renewTime;
    await h.until(async () => (await h.client.resource<Lease>('leases').get('node-1', { namespace: NODE_LEASE_NAMESPACE })).spec?.renewTime !== first, 'the lease is renewed');
  });
});

test('a batch allocation runs to complete with its exit code on the task state', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    await agent.ready();
    const job = await h.createJob('hello', { tasks: [{ name: 't', driver: 'mock', config: { runFor: '30ms', exitCode: 0 } }] });
    await h.place(job);
    const seen = new Set<string>();
    const done = await h.untilAlloc('hello-a0', (a) => {
      seen.add(a.status?.clientStatus ?? 'none');
      return a.status?.clientStatus === 'complete';
    }, 'complete');
    assert.deepEqual(eventTypes(done, 't'), ['Received', 'Setup', 'Started', 'Terminated']);
    const state = done.status!.taskStates!.t!;
    assert.equal(state.state, 'dead');
    assert.equal(state.failed, false);
    assert.equal(state.events!.at(-1)!.exitCode, 0);
    assert.ok(state.startedAt && state.finishedAt);
    assert.equal(done.status?.clientDescription, 'All tasks have completed');
    assert.ok(!seen.has('failed'));
  });
});

test('a failing task is restarted `attempts` times, then the allocation fails (mode fail)', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('flaky', {
      restart: { attempts: 2, interval: '1h', delay: '10ms', mode: 'fail' },
      tasks: [{ name: 't', driver: 'mock', config: { runFor: '5ms', exitCode: 3 } }],
    });
    await h.place(job);
    const done = await h.untilAlloc('flaky-a0', (a) => a.status?.clientStatus === 'failed', 'failed');
    assert.deepEqual(eventTypes(done, 't'), [
      'Received', 'Setup', 'Started', 'Terminated', 'Restarting', 'Started', 'Terminated', 'Restarting', 'Started', 'Terminated', 'Failed',
    ]);
    const state = done.status!.taskStates!.t!;
    assert.equal(state.restarts, 2);
    assert.equal(state.failed, true);
    assert.ok(state.events!.filter((e) => e.type === 'Terminated').every((e) => e.exitCode === 3));
    assert.match(state.events!.at(-1)!.message!, /Exceeded allowed attempts 2 in interval 1h and mode is "fail"/);
  });
});

test('mode delay restarts past the attempts instead of failing: the next start waits out the interval', async () => {
  // The interval is long enough that both runs surely fall inside it however slow the machine is, so the second
  // exit always exceeds the single attempt; how long the wait is (the rest of the interval) is restart.test.ts's.
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('patient', {
      restart: { attempts: 1, interval: '1h', delay: '5ms', mode: 'delay' },
      tasks: [{ name: 't', driver: 'mock', config: { runFor: '5ms', exitCode: 1 } }],
    });
    await h.place(job);
    const delaying = (e: { type?: string; message?: string }) => e.type === 'Restarting' && /Exceeded allowed attempts 1 in interval 1h, delaying/.test(e.message ?? '');
    const a = await h.untilAlloc('patient-a0', (x) => (x.status?.taskStates?.t?.events ?? []).some(delaying), 'a delayed restart');
    assert.notEqual(a.status?.clientStatus, 'failed');
    assert.deepEqual(eventTypes(a, 't'), ['Received', 'Setup', 'Started', 'Terminated', 'Restarting', 'Started', 'Terminated', 'Restarting']);
    assert.equal(a.status!.taskStates!.t!.failed ?? false, false);
  });
});

test('a stopped allocation kills its task with the kill signal, then SIGKILL after killTimeout', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('stubborn', {
      tasks: [
        { name: 'slow', driver: 'mock', killTimeout: '30ms', config: { killAfter: '1h' } },
        { name: 'polite', driver: 'mock', killTimeout: '1h', killSignal: 'SIGINT', config: { killAfter: '1ms' } },
      ],
    }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('stubborn-a0', (a) => a.status?.clientStatus === 'running', 'running');
    await h.client.resource('allocations').patch('stubborn-a0', { spec: { desiredStatus: 'stop', desiredDescription: 'alloc not needed' } }, 'merge', { namespace: 'default' });
    const done = await h.untilAlloc('stubborn-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
    const slow = done.status!.taskStates!.slow!;
    const killing = slow.events!.find((e) => e.type === 'Killing')!;
    assert.match(killing.message!, /alloc not needed: sent SIGTERM, force kill after 30ms/);
    assert.equal(slow.events!.at(-1)!.type, 'Killed');
    assert.equal(slow.events!.at(-1)!.signal, 9);
    assert.equal(slow.events!.at(-1)!.exitCode, 137);
    const polite = done.status!.taskStates!.polite!;
    assert.match(polite.events!.find((e) => e.type === 'Killing')!.message!, /sent SIGINT/);
    assert.equal(polite.events!.at(-1)!.signal, 2);
    assert.equal(slow.failed, false);
    assert.match(done.status!.clientDescription!, /alloc not needed/);
  });
});

test('a bad driver config fails the allocation with a clear event, never the agent', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    const bad = await h.createJob('bad', { tasks: [{ name: 't', driver: 'mock', config: { runFor: 'soon', bogus: 1 } }] });
    const missing = await h.createJob('nodriver', { tasks: [{ name: 't', driver: 'teleport' }] });
    const ports = await h.createJob('badport', { tasks: [{ name: 't', driver: 'mock', config: { ports: ['http'] } as Record<string, unknown> }] });
    const start = await h.createJob('nostart', { restart: { attempts: 0, mode: 'fail' }, tasks: [{ name: 't', driver: 'mock', config: { startError: 'image "nope" not found' } }] });
    for (const j of [bad, missing, ports, start]) await h.place(j);
    const cases: Array<[string, RegExp]> = [
      ['bad-a0', /invalid mock config: config\.runFor: must be a duration.*; config\.bogus: unknown field/],
      ['nodriver-a0', /driver "teleport" is not available on this node/],
      ['badport-a0', /invalid mock config: config\.ports: unknown field/],
      ['nostart-a0', /image "nope" not found/],
    ];
    for (const [name, message] of cases) {
      const a = await h.untilAlloc(name, (x) => x.status?.clientStatus === 'failed', 'failed');
      const failure = a.status!.taskStates!.t!.events!.find((e) => e.type === 'Driver Failure');
      assert.match(failure?.message ?? '', message, name);
      assert.equal(a.status!.taskStates!.t!.failed, true);
    }
    // The agent is fine: a good allocation still runs.
    const good = await h.createJob('good', { tasks: [{ name: 't', driver: 'mock', config: { runFor: '1ms' } }] });
    await h.place(good);
    await h.untilAlloc('good-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
    assert.equal(agent.runners().length, 5);
  });
});

test('an allocation of an unknown job fails with a description, and desired-stop allocations never start', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('gone', { tasks: [{ name: 't', driver: 'mock' }] });
    await h.client.resource('jobs').delete('gone', { namespace: 'default' });
    await h.place(job);
    const a = await h.untilAlloc('gone-a0', (x) => x.status?.clientStatus === 'failed', 'failed');
    assert.match(a.status!.clientDescription!, /job.*gone.*not found/);
    const later = await h.createJob('later', { tasks: [{ name: 't', driver: 'mock' }] });
    await h.place(later, { name: 'later-stopped', desiredStatus: 'stop' });
    const s = await h.untilAlloc('later-stopped', (x) => x.status?.clientStatus === 'complete', 'complete');
    assert.ok(!eventTypes(s, 't').includes('Started'));
  });
});

test('an in-place job update (new jobVersion on the allocation) applies to the running task', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    const job = await h.createJob('inplace', { tasks: [{ name: 't', driver: 'mock', killTimeout: '1h', config: { killAfter: '1h' } }] }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('inplace-a0', (a) => a.status?.clientStatus === 'running', 'running');
    const updated = await h.client.resource<Job>('jobs').patch('inplace', { spec: { groups: [{ ...job.spec.groups[0]!, tasks: [{ ...job.spec.groups[0]!.tasks[0]!, killTimeout: '20ms' }] }] } }, 'merge', { namespace: 'default' });
    assert.notEqual(currentVersion(updated), currentVersion(job));
    await h.client.resource('allocations').patch('inplace-a0', { spec: { jobVersion: currentVersion(updated) } }, 'merge', { namespace: 'default' });
    // The runner takes the new version before the stop (the stop message shows which kill timeout it used).
    await h.until(() => agent.runners()[0]!.jobVersion === currentVersion(updated), 'the runner applies the new version');
    await h.client.resource('allocations').patch('inplace-a0', { spec: { desiredStatus: 'stop' } }, 'merge', { namespace: 'default' });
    const done = await h.untilAlloc('inplace-a0', (a) => a.status?.clientStatus === 'complete', 'complete');
    assert.match(done.status!.taskStates!.t!.events!.find((e) => e.type === 'Killing')!.message!, /force kill after 20ms/);
    assert.deepEqual(eventTypes(done, 't').filter((e) => e === 'Started'), ['Started'], 'not restarted by the update');
  });
});

test('an allocation the cluster marked lost (its node was down) has its tasks stopped and stays lost', async () => {
  await withAgentHarness(async (h) => {
    await h.startAgent();
    const job = await h.createJob('gone', { tasks: [{ name: 't', driver: 'mock' }] }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('gone-a0', (a) => a.status?.clientStatus === 'running', 'running');
    // What the health controller writes when the node's lease expires (the agent may be writing too: retry).
    const allocs = h.client.resource<Allocation>('allocations');
    for (;;) {
      const cur = await h.alloc('gone-a0');
      try {
        await allocs.updateStatus({ ...cur, status: { ...cur.status, clientStatus: 'lost', clientDescription: 'alloc is lost since its node is down' } });
        break;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    const a = await h.untilAlloc('gone-a0', (x) => eventTypes(x, 't').includes('Killed'), 'task killed');
    assert.equal(a.status!.clientStatus, 'lost');
    assert.equal(a.status!.clientDescription, 'alloc is lost since its node is down');
    assert.equal(a.status!.taskStates!.t!.state, 'dead');
    assert.match(a.status!.taskStates!.t!.events!.find((e) => e.type === 'Killing')!.message!, /allocation is lost/);
  });
});
