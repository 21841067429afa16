import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock/clock.ts';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { Compactor } from './compaction.ts';
import { ApiMetrics } from './metrics.ts';

async function writes(store: Awaited<ReturnType<typeof openMemoryStore>>, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) await store.create(`/registry/drover.dev/things/${tag}-${i}`, '{}');
}

test('each round compacts to the revision seen one round earlier, keeping the newest N', async () => {
  const store = await openMemoryStore();
  try {
    const c = new Compactor({ store, clock: new ManualClock(), logger: silentLogger, minRetainedRevisions: 3 });
    await writes(store, 10, 'a');
    assert.equal(await c.round(), undefined, 'the first round only records the revision');
    const seen = (await store.status()).revision;
    await writes(store, 10, 'b');
    assert.equal(await c.round(), seen);
    assert.equal((await store.status()).compactRevision, seen);
    assert.equal(await c.round(), (await store.status()).revision - 3, 'nothing newer than the newest 3 revisions');
    assert.equal(await c.round(), undefined, 'no writes: nothing more to compact');
  } finally {
    await store.close();
  }
});

test('the compactor runs on its clock and stops cleanly', async () => {
  const store = await openMemoryStore();
  const clock = new ManualClock();
  const metrics = new ApiMetrics();
  try {
    const c = new Compactor({ store, clock, logger: silentLogger, metrics, intervalMs: 1000, minRetainedRevisions: 0 });
    c.start();
    await writes(store, 5, 'a');
    clock.advance(0);
    await c.settled();
    const mark = (await store.status()).revision;
    await writes(store, 5, 'b');
    clock.advance(1000);
    await c.settled();
    assert.equal((await store.status()).compactRevision, mark);
    assert.match(await metrics.registry.metrics(), /apiserver_storage_compactions_total 1/);
    await c.stop();
    await writes(store, 5, 'c');
    clock.advance(5000);
    await c.settled();
    assert.equal((await store.status()).compactRevision, mark, 'stopped: no more rounds');
  } finally {
    await store.close();
  }
});
