// Allocations the health controller reported lost while their node was down, seen by the scheduler only once the
// node is back (through the harness: real API server, plan commits): system and service alike, the lost one is
// stopped and linked to its replacement, never left `desired run / status lost` beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, JobSpec, Node } from '../../../api/schemas/index.ts';
import { liveAllocs, startHarness } from '../testing/harness.ts';

for (const type of ['system', 'service'] as const) {
  test(`${type}: an allocation reported lost while its node was down is stopped and replaced once the node is back`, async () => {
    const h = await startHarness();
    try {
      const node = await h.addNode('n1');
      await h.putJob('job', [{ name: 'g' }], { type } as Partial<JobSpec>);
      await h.settled((await h.createEval('job', { name: 'register' })).metadata.name);
      const [old] = liveAllocs(await h.allocs(), 'job');
      assert.ok(old, 'placed');

      // The node goes down and the health controller marks its allocation lost; the node comes back before any
      // evaluation of the job ran.
      const nodes = h.client.resource<Node>('nodes');
      const down = await nodes.updateStatus({ ...node, status: { ...node.status!, phase: 'down' } });
      await h.client.resource<Allocation>('allocations').updateStatus({ ...old, status: { ...old.status, clientStatus: 'lost' } });
      await nodes.updateStatus({ ...down, status: { ...down.status!, phase: 'ready' } });
      const ev = await h.settled((await h.createEval('job', { name: 'node-back', triggeredBy: 'node-update' })).metadata.name);
      assert.equal(ev.status?.phase, 'complete');

      const all = (await h.allocs()).filter((a) => a.spec.jobName === 'job');
      const before = all.find((a) => a.metadata.name === old.metadata.name)!;
      const [replacement] = liveAllocs(all, 'job');
      assert.ok(replacement, 'replaced');
      assert.equal(replacement.spec.nodeName, 'n1');
      assert.deepEqual([before.spec.desiredStatus, before.status?.clientStatus], ['stop', 'lost']);
      assert.equal(before.spec.nextAllocation, replacement.metadata.name);
      assert.equal(replacement.spec.previousAllocation, old.metadata.name);
      assert.equal(all.length, 2);
    } finally {
      await h.close();
    }
  });
}
