// A job with a deletionTimestamp (held by a finalizer after its delete) is stopping: a scale-up patched onto it
// places nothing, and what it had running is stopped — as for `spec.stop` (api/schemas/job-stopping.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../../api/schemas/index.ts';
import { liveAllocs, startHarness } from '../testing/harness.ts';

test('a job held by a finalizer after its delete places nothing and its allocations stop', async () => {
  const h = await startHarness({});
  try {
    await h.addNode('n1');
    await h.putJob('web', [{ count: 1, cpu: 100 }]);
    await h.createEval('web', { name: 'e1' });
    await h.settled('e1');
    const [first] = liveAllocs(await h.allocs(), 'web');
    const job = await h.client.resource<Job>('jobs').get('web', { namespace: 'default' });
    assert.deepEqual(first!.metadata.ownerReferences, [{ apiVersion: 'drover.dev/v1', kind: 'Job', name: 'web', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }], 'the plan commit stamps the job as controller');

    const jobs = h.client.resource<Job>('jobs');
    await jobs.patch('web', { metadata: { finalizers: ['example.com/hold'] } }, 'merge', { namespace: 'default' });
    await jobs.delete('web', { namespace: 'default' });
    const held = await jobs.patch('web', [{ op: 'replace', path: '/spec/groups/0/count', value: 3 }], 'json', { namespace: 'default' });
    assert.ok(held.metadata.deletionTimestamp, 'the finalizer holds the deleted job');
    assert.equal(held.spec.groups?.[0]?.count, 3);

    await h.createEval('web', { name: 'e2' });
    const e2 = await h.settled('e2');
    assert.equal(e2.status?.phase, 'complete');
    const placed = h.plans.filter((p) => p.eval.metadata.name === 'e2').flatMap((p) => p.response.placed);
    assert.deepEqual(placed, [], 'nothing is placed for a job being deleted');
    assert.equal(liveAllocs(await h.allocs(), 'web').length, 0, 'its allocation is stopped');
    const stopped = (await h.allocs()).filter((a) => a.spec.desiredStatus === 'stop');
    assert.equal(stopped.length, 1);
    assert.equal(stopped[0]!.spec.evalName, 'e2');
  } finally {
    await h.close();
  }
});
