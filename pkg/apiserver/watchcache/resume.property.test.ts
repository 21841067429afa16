// Property (issue 9), on the memory store and on a real etcd: for random transactions that create, update and
// delete several keys at once (with another kind's keys in the same transactions, some written before the cache
// starts and some while the client watches), a client that disconnects after any event and resumes from the
// resourceVersion of the last event it processed sees every change exactly once, in order — the oracle is an
// independent model of the history — and ends with exactly the store's state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { ManualClock } from '../../clock/clock.ts';
import { openEtcdStore } from '../../storage/etcd/store.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import type { Store, TxnOp } from '../../storage/store.ts';
import type { WatchCache } from './watch-cache.ts';
import { JOBS, NODES, job, jobKey, openCache, settle, storeState, tick } from './testkit.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../../../test/support/etcd.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

const NAMES = ['p', 'q', 'r', 's', 't'];
const BOOKMARK_MS = 1_000;
const LAST: Write[] = [{ t: 'put', name: 'last' }];

/** One write of a transaction: a put (create or update) or a delete of a job, or a put of another kind. */
type Write = { t: 'put' | 'del'; name: string } | { t: 'other'; name: string };

const txnArb: fc.Arbitrary<Write[]> = fc
  .uniqueArray(
    fc.record({ t: fc.constantFrom('put' as const, 'put' as const, 'del' as const, 'other' as const), name: fc.constantFrom(...NAMES) }),
    { minLength: 1, maxLength: 5, selector: (w) => `${w.t === 'other' ? 'o' : 'j'}${w.name}` },
  );

/** One generated case. */
interface Case {
  txns: Write[][];
  beforeCache: number;
  beforeClient: number;
  cuts: number[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  txns: fc.array(txnArb, { minLength: 1, maxLength: 12 }),
  /** How many transactions are written before the cache starts (their events come from the store directly). */
  beforeCache: fc.nat(),
  /** How many are written before the client starts; the rest while it watches. */
  beforeClient: fc.nat(),
  /** After which processed events (1-based counts) the client disconnects and resumes. */
  cuts: fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
});

/** The oracle: the events a watch of the jobs prefix must deliver for `txns`, from a model of the key space. */
function expectedEvents(txns: Write[][], ids: number[][]): string[] {
  const present = new Map<string, number>(); // name → write id of its current value
  const out: string[] = [];
  txns.forEach((txn, i) => {
    txn.forEach((w, j) => {
      if (w.t === 'other') return;
      const had = present.get(w.name);
      if (w.t === 'put') {
        out.push(`${had === undefined ? 'ADDED' : 'MODIFIED'} ${w.name} w${ids[i][j]}`);
        present.set(w.name, ids[i][j]);
      } else if (had !== undefined) {
        out.push(`DELETED ${w.name} w${had}`);
        present.delete(w.name);
      }
    });
  });
  return out;
}

/** Write one transaction (deletes of absent jobs are left out: etcd rejects nothing, but they change nothing). */
async function write(store: Store, txn: Write[], ids: number[], live: Set<string>): Promise<void> {
  const ops: TxnOp[] = [];
  txn.forEach((w, j) => {
    if (w.t === 'other') ops.push({ type: 'put', key: `${NODES}${w.name}`, value: JSON.stringify({ w: ids[j] }) });
    else if (w.t === 'put') ops.push({ type: 'put', key: jobKey('default', w.name), value: job('default', w.name, {}, { w: ids[j] }) });
    else if (live.has(w.name)) ops.push({ type: 'delete', key: jobKey('default', w.name) });
  });
  for (const w of txn) if (w.t === 'put') live.add(w.name);
  for (const w of txn) if (w.t === 'del') live.delete(w.name);
  if (ops.length > 0) await store.txn([], ops);
}

const describe = (e: { type: string; obj: ApiObject }) => `${e.type} ${e.obj.metadata.name} w${(e.obj.spec as { w: number }).w}`;

/** A client that resumes after each cut from the resourceVersion of the last event it processed. */
class ResumingClient {
  readonly seen: string[] = [];
  readonly state = new Map<string, ApiObject>();
  private last: number;
  private gen = 0;
  private handle?: { cancel(): void };
  /** Highest bookmark of the current watch (proves it has consumed everything up to it). */
  bookmark = 0;
  error?: Error;

  constructor(
    private readonly cache: WatchCache,
    fromRv: number,
    private readonly cuts: Set<number>,
  ) {
    this.last = fromRv;
  }

  open(): void {
    const gen = ++this.gen;
    this.bookmark = 0;
    const handle = this.cache.watch({
      fromRv: this.last,
      onEvent: (e) => {
        if (gen !== this.gen) return; // disconnected: nothing after the cut is processed
        this.seen.push(describe(e));
        if (e.type === 'DELETED') this.state.delete(e.key);
        else this.state.set(e.key, e.obj);
        this.last = Number(e.obj.metadata.resourceVersion);
        if (this.cuts.has(this.seen.length)) {
          this.gen++;
          setImmediate(() => {
            handle.cancel();
            this.open();
          });
        }
      },
      onBookmark: (rv) => {
        if (gen === this.gen) this.bookmark = rv;
      },
      onError: (err) => void (this.error = err),
    });
    this.handle = handle;
  }

  stop(): void {
    this.gen++;
    this.handle?.cancel();
  }
}

async function runCase(openStore: () => Promise<Store>, c: Case): Promise<void> {
  const store = await openStore();
  const clock = new ManualClock(1_000_000);
  let closeCache = async () => store.close();
  try {
    let id = 0;
    const ids = c.txns.map((t) => t.map(() => ++id));
    const live = new Set<string>();
    const { revision: start } = await store.status();
    const beforeCache = c.beforeCache % (c.txns.length + 1);
    const beforeClient = Math.max(beforeCache, c.beforeClient % (c.txns.length + 1));
    for (let i = 0; i < beforeCache; i++) await write(store, c.txns[i], ids[i], live);
    const opened = await openCache({ store, clock, bookmarkIntervalMs: BOOKMARK_MS });
    closeCache = opened.close;
    const cache = opened.cache;
    for (let i = beforeCache; i < beforeClient; i++) await write(store, c.txns[i], ids[i], live);
    const client = new ResumingClient(cache, start, new Set(c.cuts));
    client.open();
    for (let i = beforeClient; i < c.txns.length; i++) {
      await write(store, c.txns[i], ids[i], live);
      await tick();
    }
    // A last write of the kind: a watch still reading the store directly (started before the cache's window) hands
    // over to the cache when it meets a revision past the window.
    await write(store, LAST, [++id], live);
    const end = await settle(cache, store);
    // Done once the current watch confirms it consumed everything up to the end (periodic bookmarks go only to
    // watchers that are caught up, never during a direct store read).
    while (client.bookmark < end && !client.error) {
      clock.advance(BOOKMARK_MS);
      await new Promise((r) => setTimeout(r, 1));
    }
    client.stop();
    assert.equal(client.error, undefined);
    assert.deepEqual(client.seen, expectedEvents([...c.txns, LAST], [...ids, [id]]), 'every change exactly once, in order');
    const want = await storeState(store, JOBS);
    const got = new Map([...client.state].map(([k, o]) => [k, { ...o, metadata: { ...o.metadata, resourceVersion: String(Math.ceil(Number(o.metadata.resourceVersion))) } }]));
    assert.deepEqual(got, want, 'the client ends with the store state (event resourceVersions map back to revisions)');
  } finally {
    await closeCache();
  }
}

test('resuming from the last processed event never skips or repeats (memory store)', { timeout: TEST_HANG_GUARD_MS }, async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, (c) => runCase(() => openMemoryStore({}), c)),
    { numRuns: Number(process.env.RUNS ?? 60) },
  );
});

let etcd: EtcdCluster | undefined;
const etcdOpts = etcdTestOptions();
before(async () => {
  if (!etcdOpts.skip) etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

test('resuming from the last processed event never skips or repeats (etcd)', { ...etcdOpts, timeout: TEST_HANG_GUARD_MS }, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, (c) => runCase(() => openEtcdStore({ endpoints: etcd!.endpoints, prefix: `/resume-${process.pid}-${++run}` }), c)),
    { numRuns: Number(process.env.RUNS ?? 25) },
  );
});
