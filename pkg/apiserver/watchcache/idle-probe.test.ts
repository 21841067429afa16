// The idle probe's history read when it cannot finish within its limit: what it did read still counts, so an
// empty kind in a store with a long foreign history (5,000 nodes and their leases) moves forward probe by probe
// instead of starting from the same revision and timing out forever (seen in the C1M benchmark: every plan
// commit waited for the allocation cache, which stayed at revision 1, and answered 504).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock/clock.ts';
import type { Store, WatchEvent, WatchHandlers } from '../../storage/store.ts';
import type { CacheState } from './cache-state.ts';
import { probeIdle } from './idle-probe.ts';

const PREFIX = '/registry/drover.dev/allocations/';

/** A put of `key` at `rev`. */
const put = (key: string, rev: number): WatchEvent => ({ type: 'put', kv: { key, value: '{}', createRevision: rev, modRevision: rev, version: 1 } });

/** A store at revision `head` whose history watch delivers `batches` and then stalls (a slow read). */
function stallingStore(head: number, batches: WatchEvent[][]): Store {
  return {
    status: async () => ({ revision: head, compactRevision: 0 }),
    watch: (_prefix: string, _from: number, h: WatchHandlers) => {
      queueMicrotask(() => batches.forEach((b) => h.onEvents(b)));
      return { cancel() {} };
    },
  } as unknown as Store;
}

const cases: Array<{ name: string; batches: WatchEvent[][]; want: unknown }> = [
  {
    name: 'foreign events read up to revision 40, then the limit: advance to 40',
    batches: [[put('/registry/drover.dev/nodes/n1', 2), put('/registry/drover.dev/leases/l1', 3)], [put('/registry/drover.dev/nodes/n2', 40)]],
    want: { advanceTo: 40 },
  },
  {
    name: 'an event of our own kind on the way: behind (the cache watch brings it)',
    batches: [[put('/registry/drover.dev/nodes/n1', 2)], [put(`${PREFIX}default/a`, 5)]],
    want: { behind: true },
  },
  { name: 'nothing read before the limit: behind', batches: [], want: { behind: true } },
  {
    name: 'the whole history read: advance to the head',
    batches: [[put('/registry/drover.dev/nodes/n1', 2)], [put('/registry/drover.dev/nodes/n1', 100)]],
    want: { advanceTo: 100 },
  },
];

for (const c of cases) {
  test(`idle probe: ${c.name}`, async () => {
    const clock = new ManualClock(0);
    const probing = probeIdle({ store: stallingStore(100, c.batches), prefix: PREFIX, clock, timeoutMs: 3000 }, { rev: 1 } as CacheState, 100);
    // Let the watch deliver what it has, then reach the time limit.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    clock.advance(3000);
    assert.deepEqual(await probing, c.want);
  });
}
