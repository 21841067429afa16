// ClusterView.waitForAllocations: a worker re-planning after a partial commit waits for every allocation it
// placed, or for the informer to complete the revision of the commit (a node's placements are one transaction
// of many events; seen in the C1M benchmark as jobs placed past their count while the informer still reported
// a revision reached at its first event).
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

    // Named allocations: waits while one is missing and the revision named is not complete.
    let resolved = false;
    const waiting = view.waitForAllocations('default', ['a1', 'a2'], rv + 1).then(() => (resolved = true));
    await settle();
    assert.equal(resolved, false, 'a2 is not in the view yet');
    const second = await allocs.create(stoppedAlloc('a2'));
    await waiting;
    assert.ok(view.snapshot.jobAllocs('default', 'web').some((a) => a.id === 'a2'), 'a2 is in the view');
    await view.waitFor('allocations', Number(second.metadata.resourceVersion)); // the server's bookmark confirms it

    // Already there: resolves at once.
    await view.waitForAllocations('default', ['a1'], rv);

    // A name missing at a completed revision: resolves at once (it was deleted, or never was).
    await view.waitForAllocations('default', ['never'], Number(second.metadata.resourceVersion));
    // ... and one not complete yet waits for it.
    let gone = false;
    const past = view.waitForAllocations('default', ['never'], Number(second.metadata.resourceVersion) + 1).then(() => (gone = true));
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
