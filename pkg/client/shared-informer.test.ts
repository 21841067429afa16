// The shared informer factory against the scripted fake API: one list+watch per kind however many subscribe,
// replay to late subscribers, named indexes kept in step (and current inside handlers), unsubscribe, resync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../../api/schemas/kind.ts';
import type { IndexDefinition } from './shared-informer.ts';
import type { FakeApi } from './testing/fake-api.ts';
import { until, withSharedInformers } from './testing/shared-informers.ts';

const has = (inf: { list(): ApiObject[] }, name: string) => inf.list().some((o) => o.metadata.name === name);

type Obj = ApiObject & { spec?: { group?: string } };
const BY_GROUP: IndexDefinition<Obj> = { name: 'by-group', values: (o) => (o.spec?.group ? [o.spec.group] : []) };

const lists = (api: FakeApi) => api.requests.filter((r) => !r.watch).length;
const watches = (api: FakeApi) => api.requests.filter((r) => r.watch).length;

test('one informer per kind: two users, one list and one watch', async () => {
  await withSharedInformers(async ({ api, factory }) => {
    api.put('a');
    const one = factory.informer<Obj>('jobs');
    const two = factory.informer<Obj>('jobs');
    assert.equal(one, two);
    await Promise.all([one.start(), two.start()]);
    await until(() => api.openWatches() === 1);
    assert.equal(lists(api), 1);
    assert.equal(watches(api), 1);
    assert.deepEqual(factory.created(), ['jobs/']);
    assert.notEqual(factory.informer('jobs', { namespace: 'x' }), one, 'a namespaced informer is a different one');
  });
});

test('a handler registered after the first list is handed every cached object as add, then live events', async () => {
  await withSharedInformers(async ({ api, factory }) => {
    api.put('a');
    api.put('b');
    const inf = factory.informer<Obj>('jobs');
    await inf.start();
    const seen: string[] = [];
    const off = inf.addEventHandler({ add: (o) => seen.push(`add ${o.metadata.name}`), update: (_o, n) => seen.push(`update ${n.metadata.name}`), delete: (o) => seen.push(`delete ${o.metadata.name}`) });
    assert.deepEqual(seen.sort(), ['add a', 'add b']);
    api.put('c');
    api.put('a', { group: 'g' });
    api.remove('b');
    await until(() => seen.length === 5);
    assert.deepEqual(seen.slice(2), ['add c', 'update a', 'delete b']);
    off();
    api.put('d');
    await until(() => has(inf, 'd'));
    assert.equal(seen.length, 5, 'nothing after unsubscribe');
  });
});

test('indexes follow adds, moves and deletes, and are current inside handlers', async () => {
  await withSharedInformers(async ({ api, factory }) => {
    api.put('a', { group: 'g1' });
    const inf = factory.informer<Obj>('jobs');
    await inf.start();
    inf.addIndex(BY_GROUP); // added after the list: built from the cache
    inf.addIndex(BY_GROUP); // idempotent
    assert.throws(() => inf.addIndex({ name: 'by-group', values: () => [] }), /already defined differently/);
    assert.deepEqual(inf.byIndex(BY_GROUP, 'g1').map((o) => o.metadata.name), ['a']);
    const insideHandler: string[] = [];
    inf.on('update', (_o, n) => insideHandler.push(`${n.metadata.name}:${inf.countByIndex(BY_GROUP, 'g2')}`));
    api.put('b', { group: 'g1' });
    api.put('a', { group: 'g2' });
    await until(() => insideHandler.length === 1);
    assert.deepEqual(insideHandler, ['a:1'], 'the index already shows the move when the handler runs');
    assert.deepEqual(inf.byIndex(BY_GROUP, 'g1').map((o) => o.metadata.name), ['b']);
    api.remove('b');
    await until(() => inf.countByIndex(BY_GROUP, 'g1') === 0);
    assert.deepEqual(inf.byIndex(BY_GROUP, 'g1'), []);
    assert.throws(() => inf.byIndex({ name: 'nope', values: () => [] }, 'x'), /no index nope/);
  });
});

test('a throwing handler does not stop the others; per-handler resync re-delivers to that handler only', async () => {
  await withSharedInformers(async ({ api, factory, clock }) => {
    api.put('a');
    const inf = factory.informer<Obj>('jobs');
    await inf.start();
    inf.on('add', () => {
      throw new Error('bug');
    });
    let updates = 0;
    let resynced = 0;
    inf.on('update', () => updates++);
    const off = inf.addEventHandler({ update: (o, n) => void (o === n && resynced++) }, { resyncMs: 1000 });
    api.put('b');
    await until(() => has(inf, 'b'));
    clock.advance(1000);
    assert.equal(resynced, 2, 'both cached objects re-delivered');
    assert.equal(updates, 0, 'other handlers see no resync');
    off();
    clock.advance(5000);
    assert.equal(resynced, 2);
  });
});
