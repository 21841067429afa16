// Watch and compaction part of the conformance suite (see conformance.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertOrderedOnce, collect, describeEvent, filler, rejectsWith, withStore, type OpenStore } from './conformance-support.ts';
import type { KeyValue, Store, WatchEvent } from './store.ts';

/** Registers the watch and compaction tests. */
export function watchConformance(open: OpenStore, t: { timeout: number }): void {
  test('watch from any retained revision replays then follows, with no gap and no duplicate', t, () =>
    withStore(open, async (s) => {
      const expected: string[] = [];
      const record = (events: WatchEvent[]) => expected.push(...events.map(describeEvent));
      let n = 0;
      // A mix of creates, updates, deletes and txns, logged as the events a watch must show.
      const writeSome = async (count: number) => {
        for (let i = 0; i < count; i++, n++) record(await churn(s, n));
      };
      await writeSome(30);
      const revisions = expected.map((e) => Number(e.split('@')[1]));
      const starts = [revisions[0]!, revisions[7]!, revisions[29]!, revisions[29]! + 1];
      const watches = starts.map((start) => ({ start, ...collect(s, '/w/', start) }));
      await s.create('/elsewhere/x', 'not watched');
      await writeSome(30);
      const last = Number(expected.at(-1)!.split('@')[1]);
      for (const w of watches) {
        await w.c.untilRevision(last);
        w.watch.cancel();
        assert.deepEqual(w.c.errors, []);
        const want = expected.filter((e) => Number(e.split('@')[1]) >= w.start);
        assert.deepEqual(w.c.events.map(describeEvent), want, `watch from ${w.start}`);
      }
    }),
  );

  test('watch delivers deletes carrying the deleted value and the delete revision', t, () =>
    withStore(open, async (s) => {
      const { watch, c } = collect(s, '/d/', (await s.status()).revision + 1);
      const a = await s.create('/d/a', 'alpha');
      const gone = await s.delete('/d/a');
      await c.untilRevision(gone.modRevision);
      watch.cancel();
      assert.equal(c.events.length, 2);
      const [put, del] = c.events as [WatchEvent, WatchEvent];
      assert.equal(put.type, 'put');
      assert.deepEqual(put.kv, a);
      assert.equal(del.type, 'delete');
      assert.equal(del.kv.key, '/d/a');
      assert.equal(del.kv.value, 'alpha');
      assert.equal(del.kv.modRevision, gone.modRevision);
      if (del.prevKv) assert.deepEqual(del.prevKv, a);
    }),
  );

  test('watch sees every write of many concurrent writers exactly once, in revision order', t, () =>
    withStore(open, async (s) => {
      const { watch, c } = collect(s, '/cw/', (await s.status()).revision + 1);
      const writers = 8;
      const perWriter = 40;
      const written = await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const out: KeyValue[] = [];
          let kv = await s.create(`/cw/${w}`, 'v0');
          out.push(kv);
          for (let i = 1; i < perWriter; i++) out.push((kv = await s.update(`/cw/${w}`, `v${i}`, kv.modRevision)));
          return out;
        }),
      );
      const all = written.flat().sort((x, y) => x.modRevision - y.modRevision);
      await c.untilRevision(all.at(-1)!.modRevision);
      watch.cancel();
      assertOrderedOnce(c.events);
      assert.deepEqual(
        c.events.map((e) => e.kv),
        all,
      );
    }),
  );

  test('a cancelled watch delivers nothing more; other prefixes are not delivered', t, () =>
    withStore(open, async (s) => {
      const start = (await s.status()).revision + 1;
      const a = collect(s, '/ca/', start);
      const b = collect(s, '/cb/', start);
      const first = await s.create('/ca/1', 'x');
      await a.c.untilRevision(first.modRevision);
      a.watch.cancel();
      await s.create('/ca/2', 'y');
      const marker = await s.create('/cb/1', 'z');
      await b.c.untilRevision(marker.modRevision);
      b.watch.cancel();
      assert.deepEqual(a.c.events.map(describeEvent), [`put /ca/1=x@${first.modRevision}`]);
      assert.deepEqual(b.c.events.map(describeEvent), [`put /cb/1=z@${marker.modRevision}`]);
    }),
  );

  test('watch replays more than 4 MiB of history (large values)', { timeout: t.timeout * 2 }, () =>
    withStore(open, async (s) => {
      const start = (await s.status()).revision + 1;
      const size = 700 * 1024;
      let last = 0;
      for (let i = 0; i < 12; i++) last = (await s.create(`/lw/${i}`, filler(i, size))).modRevision;
      const { watch, c } = collect(s, '/lw/', start);
      await c.untilRevision(last);
      watch.cancel();
      assert.deepEqual(c.errors, []);
      assert.equal(c.events.length, 12);
      c.events.forEach((e, i) => assert.ok(e.kv.value === filler(i, size), `event ${i} carries its value`));
    }),
  );

  test('compaction: reads and watches below the compact revision are Compacted, at it they work', t, () =>
    withStore(open, async (s) => {
      const k1 = await s.create('/cp/k1', 'v1');
      const k1b = await s.update('/cp/k1', 'v2', k1.modRevision);
      const k2 = await s.create('/cp/k2', 'w1');
      await s.compact(k1b.modRevision);
      assert.equal((await s.status()).compactRevision, k1b.modRevision);
      await rejectsWith(s.list('/cp/', { revision: k1.modRevision }), 'Compacted');
      const at = await s.list('/cp/', { revision: k1b.modRevision });
      assert.deepEqual(at.kvs, [k1b]);
      const below = collect(s, '/cp/', k1.modRevision);
      const err = await below.c.untilError();
      assert.ok(err.name === 'StoreError' && (err as { code?: string }).code === 'Compacted', String(err));
      assert.deepEqual(below.c.events, []);
      const from = collect(s, '/cp/', k1b.modRevision);
      await from.c.untilRevision(k2.modRevision);
      from.watch.cancel();
      assert.deepEqual(from.c.events.map(describeEvent), [`put /cp/k1=v2@${k1b.modRevision}`, `put /cp/k2=w1@${k2.modRevision}`]);
      await rejectsWith(s.compact(k1.modRevision), 'Compacted');
      await rejectsWith(s.compact(k2.modRevision + 100), 'FutureRevision');
      const later = await s.update('/cp/k2', 'w2', k2.modRevision);
      assert.deepEqual((await s.get('/cp/k2')).kv, later, 'writes go on after compaction');
    }),
  );
}

/** The n-th write of a deterministic mix (create, update, delete, txn) under /w/; returns its events. */
async function churn(s: Store, n: number): Promise<WatchEvent[]> {
  const key = `/w/k${n % 7}`;
  const cur = (await s.get(key)).kv;
  if (n % 5 === 4) {
    const other = `/w/t${n}`;
    const res = await s.txn(cur ? [{ key, target: 'mod', equals: cur.modRevision }] : [{ key, target: 'create', equals: 0 }], [
      { type: 'put', key, value: `txn${n}` },
      { type: 'put', key: other, value: `side${n}` },
    ]);
    assert.equal(res.succeeded, true);
    return res.written.map((kv) => ({ type: 'put', kv: kv! }));
  }
  if (!cur) return [{ type: 'put', kv: await s.create(key, `c${n}`) }];
  if (n % 3 === 0) return [{ type: 'delete', kv: await s.delete(key, cur.modRevision) }];
  return [{ type: 'put', kv: await s.update(key, `u${n}`, cur.modRevision) }];
}
