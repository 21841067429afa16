// Property: for random write sequences (creates, updates, deletes, multi-key transactions, other kinds' writes,
// some before the cache starts), a watch from ANY revision — replayed from the buffer, caught up from the store,
// or live — applied to the state at that revision reconstructs exactly the final state, with and without a
// filter or namespace prefix; and listAt(rv) is exactly the store at rv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import type { Store, TxnOp } from '../../storage/store.ts';
import { JOBS, NODES, applyEvents, job, jobKey, openCache, recorder, settle, storeState, tick, type Recorder } from './testkit.ts';

type Op =
  | { t: 'put'; ns: string; name: string; color: string }
  | { t: 'del'; ns: string; name: string }
  | { t: 'txn'; names: string[]; color: string }
  | { t: 'other' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('put' as const), ns: fc.constantFrom('a', 'b'), name: fc.constantFrom('p', 'q', 'r', 's'), color: fc.constantFrom('red', 'blue') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('del' as const), ns: fc.constantFrom('a', 'b'), name: fc.constantFrom('p', 'q', 'r', 's') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('txn' as const), names: fc.uniqueArray(fc.constantFrom('p', 'q', 'r', 's'), { minLength: 1, maxLength: 3 }), color: fc.constantFrom('red', 'blue') }) },
  { weight: 2, arbitrary: fc.constant({ t: 'other' as const }) },
);

/** Apply one op to the store (unconditional writes; deletes of absent keys are skipped). */
async function run(store: Store, op: Op, seq: number): Promise<void> {
  if (op.t === 'other') {
    await store.txn([], [{ type: 'put', key: `${NODES}n${seq % 3}`, value: '{}' }]);
  } else if (op.t === 'put') {
    await store.txn([], [{ type: 'put', key: jobKey(op.ns, op.name), value: job(op.ns, op.name, { color: op.color }, { seq }) }]);
  } else if (op.t === 'del') {
    if ((await store.get(jobKey(op.ns, op.name))).kv) await store.delete(jobKey(op.ns, op.name));
  } else {
    const ops: TxnOp[] = op.names.map((n) => ({ type: 'put', key: jobKey('a', n), value: job('a', n, { color: op.color }, { seq }) }));
    await store.txn([], ops);
  }
}

/** A watcher under test: where it starts and what it sees. */
interface Probe {
  fromRv: number;
  prefix?: string;
  red?: boolean;
  rec: Recorder;
}

const isRed = (o: ApiObject) => o.metadata.labels?.color === 'red';

function view(state: Map<string, ApiObject>, p: Probe): Map<string, ApiObject> {
  const out = new Map<string, ApiObject>();
  for (const [k, o] of state) if ((!p.prefix || k.startsWith(JOBS + p.prefix)) && (!p.red || isRed(o))) out.set(k, o);
  return out;
}

const probeArb = fc.record({ at: fc.nat(), prefix: fc.constantFrom(undefined, 'a/', 'b/'), red: fc.boolean() });

test('any watch from any revision reconstructs the final state; listAt matches the store', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { maxLength: 8 }),
      fc.array(opArb, { minLength: 1, maxLength: 25 }),
      fc.array(probeArb, { minLength: 1, maxLength: 6 }),
      async (before, after, probes) => {
        const store = await openMemoryStore({});
        let seq = 0;
        for (const op of before) await run(store, op, seq++);
        const { cache, close } = await openCache({ store, listPageSize: 3 });
        const watched: Probe[] = [];
        const watchFrom = (fromRv: number, p: { prefix?: string; red: boolean }) => {
          const probe: Probe = { fromRv, prefix: p.prefix, red: p.red, rec: recorder() };
          cache.watch({ fromRv, prefix: p.prefix, filter: p.red ? isRed : undefined, ...probe.rec.opts });
          watched.push(probe);
        };
        // Half the watchers start now (live, or catching up from before the cache), half after the writes.
        const early = probes.slice(0, probes.length >> 1);
        for (const p of early) watchFrom(1 + (p.at % cache.revision()), p);
        watchFrom(0, { red: false });
        for (const op of after) await run(store, op, seq++);
        const final = await settle(cache, store);
        for (const p of probes.slice(probes.length >> 1)) watchFrom(1 + (p.at % final), p);
        for (let i = 0; i < 4; i++) await tick(); // direct store catch-ups hand over to the buffer

        const end = await storeState(store, JOBS);
        for (const p of watched) {
          assert.equal(p.rec.error, undefined, `watch from ${p.fromRv}: ${p.rec.error}`);
          const initial = p.fromRv === 0 ? new Map() : await storeState(store, JOBS, p.fromRv);
          for (const e of p.rec.events) assert.ok(p.fromRv === 0 || e.rv > p.fromRv, `event at ${e.rv} not after ${p.fromRv}`);
          const rvs = p.rec.events.map((e) => e.rv);
          if (p.fromRv !== 0) assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y), 'events in revision order');
          assert.deepEqual(applyEvents(view(initial, p), p.rec.events), view(end, p), `watch from ${p.fromRv} prefix=${p.prefix} red=${p.red}`);
        }
        // From the buffer's window down into revisions before the cache started (store reads).
        const windowRv = cache.list().rv - after.length;
        for (let rv = Math.max(1, windowRv); rv <= final; rv++) {
          const got = await cache.listAt(rv, { limit: 2 + (rv % 3) });
          let items = got.items;
          let next = got.nextKey;
          while (next) {
            const page = await cache.listAt(rv, { limit: 2, continueKey: next });
            items = items.concat(page.items);
            next = page.nextKey;
          }
          assert.deepEqual(items, [...(await storeState(store, JOBS, rv)).values()], `listAt ${rv}`);
        }
        await close();
      },
    ),
    { numRuns: 60 },
  );
});
