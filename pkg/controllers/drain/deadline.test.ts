// A drain whose deadline passes, against the real scheduler (pkg/scheduler/testing/harness.ts: API server over
// the memory store, scheduler workers) with the drain controller on a ManualClock: what is left at the deadline is
// stopped, even when no other node has room for it (its replacement waits in a blocked evaluation, as in Nomad),
// and the drain completes: spec.drain cleared, the node still ineligible, a DrainComplete Event. System
// allocations marked at the deadline are stopped too, even when their evaluation runs after the drain has ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Node } from '../../../api/schemas/index.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { startHarness } from '../../scheduler/testing/harness.ts';
import { T0 } from '../health/testkit.ts';
import { startDrainController } from './drain.ts';

test('at the deadline the allocations left are stopped, with no room elsewhere too, and the drain completes', async () => {
  const h = await startHarness();
  const clock = new ManualClock(T0);
  const d = await startDrainController({ client: h.client, clock, logger: silentLogger, workers: 1 });
  try {
    await h.addNode('d1');
    // A batch allocation (left to finish before the deadline), a service one and a system one (last), all on the
    // only node.
    await h.putJob('report', [{ name: 'work' }], { type: 'batch' });
    await h.putJob('web', [{ name: 'web' }]);
    await h.putJob('logs', [{ name: 'ship' }], { type: 'system' });
    for (const job of ['report', 'web', 'logs']) await h.settled((await h.createEval(job)).metadata.name);
    const placed = await h.allocs();
    assert.deepEqual(placed.filter(isLive).map((a) => `${a.spec.jobName}@${a.spec.nodeName}`).sort(), ['logs@d1', 'report@d1', 'web@d1']);
    // The agent's part: both run.
    const allocations = h.client.resource<Allocation>('allocations');
    for (const a of placed) await allocations.updateStatus({ ...a, status: { ...a.status, clientStatus: 'running' } });

    await h.client.resource<Node>('nodes').patch('d1', { spec: { eligibility: 'ineligible', drain: { deadline: '30m', startedAt: new Date(T0).toISOString() } } }, 'merge');
    // Before the deadline the service allocation is marked (and stopped: a migration stops what it moves, as
    // Nomad's does, whether or not its replacement fits); the batch one is left to finish.
    const live = async () => (await h.allocs()).filter(isLive).map((a) => a.spec.jobName).sort();
    await h.until('the service allocation to be moved off d1', async () => (await live()).join() === 'logs,report');

    clock.advance(30 * 60_000);
    await h.until('the drain to complete', async () => (await h.client.resource<Node>('nodes').get('d1')).spec?.drain === undefined);
    await h.until('nothing to be left running on d1', async () => (await live()).length === 0);
    const node = await h.client.resource<Node>('nodes').get('d1');
    assert.equal(node.spec?.eligibility, 'ineligible', 'a drained node stays ineligible');
    // The drain ends at the deadline; the scheduler stops what was marked, the drain over or not.
    const stopped = (await h.allocs()).filter((a) => a.spec.jobName !== 'web');
    assert.deepEqual(stopped.map((a) => [a.spec.jobName, a.spec.desiredStatus, a.spec.desiredTransition?.migrate]).sort(), [['logs', 'stop', true], ['report', 'stop', true]]);
    const events = (await h.client.resource('events').list({ namespace: 'default' })).items as unknown as Array<{ reason: string; involvedObject: { name: string } }>;
    assert.deepEqual(events.map((e) => [e.reason, e.involvedObject.name]), [['DrainComplete', 'd1']]);
  } finally {
    await d.stop();
    await h.close();
  }
});
