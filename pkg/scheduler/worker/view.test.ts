// ClusterView.waitForAllocations: a worker re-planning after a partial commit waits for every allocation it
// placed, not only for the revision — the informer reports a revision reached on its first event, and a node's
// placements are one transaction of many events (seen in the C1M benchmark as jobs placed past their count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation } from '../../../api/schemas/index.ts';
import { createApiServer } from '../../apiserver/server.ts';
import { createClient } from '../../client/client.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import { ClusterView } from './view.ts';

/** A stopped allocation (REST may create those; live ones only come from a plan commit). */
function stoppedAlloc(name: string): Allocation {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Allocation',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'n1', jobName: 'web', jobVersion: 1, groupName: 'g', index: 0, desiredStatus: 'stop', resources: { tasks: {}, ports: [] } },
  } as unknown as Allocation;
}

/** Yield to the event loop a few times (lets informer events arrive). */
const settle = () => new Promise((r) => setTimeout(r, 50));

test('waitForAllocations resolves once every named allocation is in the view, or the informer is past rv', async () => {
  const store = await openMemoryStore();
  const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0 });
  const url = await server.listen({ port: 0 });
  const client = createClient({ server: url });
  const view = new ClusterView({ client, logger: silentLogger, clock: realClock });
  try {
    await view.start();
    const allocs = client.resource<Allocation>('allocations');
    const first = await allocs.create(stoppedAlloc('a1'));
    const rv = Number(first.metadata.resourceVersion);
    await view.waitFor('allocations', rv);

    // Named allocations: waits while one is missing, even though the informer has reached rv.
    let resolved = false;
    const waiting = view.waitForAllocations('default', ['a1', 'a2'], rv).then(() => (resolved = true));
    await settle();
    assert.equal(resolved, false, 'a2 is not in the view yet');
    const second = await allocs.create(stoppedAlloc('a2'));
    await waiting;
    assert.ok(view.revisions().allocations >= Number(second.metadata.resourceVersion));

    // Already there: resolves at once.
    await view.waitForAllocations('default', ['a1'], rv);

    // A name that never appears: resolves once the informer is past rv (it was deleted, or never was).
    let gone = false;
    const past = view.waitForAllocations('default', ['never'], Number(second.metadata.resourceVersion)).then(() => (gone = true));
    await settle();
    assert.equal(gone, false);
    await allocs.create(stoppedAlloc('a3'));
    await past;
  } finally {
    view.stop();
    await client.close();
    await server.close();
    await store.close();
  }
});
