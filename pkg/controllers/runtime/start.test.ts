// startController over shared informers (against the scripted fake API): workers start only once every
// informer has listed, keys come from each informer's key function, stop() unsubscribes without stopping the
// process's informers, resync re-queues, work-queue metrics are registered, and stop({drain}) finishes the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { until, withSharedInformers } from '../../client/testing/shared-informers.ts';
import { silentLogger } from '../../log/logger.ts';
import { startController } from './start.ts';

test('reconciles start on a full cache; keys from the key function; stop unsubscribes and leaves the informer running', async () => {
  await withSharedInformers(async ({ api, factory, clock }) => {
    for (const n of ['a', 'b', 'c']) api.put(n);
    const jobs = factory.informer<ApiObject>('jobs');
    const seen: Array<{ key: string; cached: number }> = [];
    const metrics = new Registry();
    const c = await startController({
      name: 'upper',
      clock,
      logger: silentLogger,
      metrics,
      informers: { jobs },
      keys: { jobs: (o: ApiObject) => o.metadata.name.toUpperCase() },
      reconcile: async (key) => void seen.push({ key, cached: jobs.list().length }),
    });
    await until(() => seen.length === 3);
    assert.deepEqual(seen.map((s) => s.key).sort(), ['A', 'B', 'C']);
    assert.ok(seen.every((s) => s.cached === 3), 'no reconcile ran on a half-filled cache');
    const adds = (await metrics.getSingleMetric('drover_workqueue_adds_total')!.get()).values.find((v) => v.labels.name === 'upper');
    assert.equal(adds?.value, 3, 'work-queue metrics are on');
    api.put('d');
    await until(() => seen.length === 4);
    assert.equal(seen[3]!.key, 'D');
    // d's revision is complete once the server says so (this fake server sends bookmarks only when told).
    api.bookmark();
    const newest = String(Math.max(...jobs.list().map((o) => Number(o.metadata.resourceVersion))));
    await until(() => c.lastSyncResourceVersions().jobs === newest);
    await c.stop();
    api.put('e');
    await until(() => jobs.list().length === 5);
    assert.equal(seen.length, 4, 'a stopped controller is not called');
    assert.equal(jobs.hasSynced(), true, 'the shared informer keeps running');
  });
});

test('two controllers on one factory share one list and one watch; resync re-queues every key', async () => {
  await withSharedInformers(async ({ api, factory, clock }) => {
    api.put('a');
    api.put('b');
    const jobs = factory.informer<ApiObject>('jobs');
    const counts = { one: 0, two: 0 };
    const start = (name: 'one' | 'two', resync?: number) =>
      startController({ name, clock, logger: silentLogger, informers: { jobs }, keys: { jobs: true }, resyncMs: resync ? { jobs: resync } : undefined, reconcile: async () => void counts[name]++ });
    const [one, two] = await Promise.all([start('one', 60_000), start('two')]);
    await until(() => counts.one === 2 && counts.two === 2);
    assert.equal(api.requests.filter((r) => !r.watch).length, 1, 'one list');
    clock.advance(60_000);
    await until(() => counts.one === 4);
    assert.equal(counts.two, 2, 'resync is per controller');
    await Promise.all([one.stop(), two.stop()]);
  });
});

test('stop({drain: true}) reconciles what is queued first; a plain stop drops it', async () => {
  await withSharedInformers(async ({ api, factory, clock }) => {
    api.put('a');
    const jobs = factory.informer<ApiObject>('jobs');
    const done: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const c = await startController({
      name: 'drain',
      clock,
      logger: silentLogger,
      workers: 1,
      informers: { jobs },
      keys: { jobs: true },
      reconcile: async (key) => {
        if (key === 'default/a') await held;
        done.push(key);
      },
    });
    await until(() => c.queue.inProgress() === 1);
    c.queue.add('x');
    c.queue.add('y');
    const stopping = c.stop({ drain: true });
    release();
    await stopping;
    assert.deepEqual(done, ['default/a', 'x', 'y']);

    const d = await startController({ name: 'drop', clock, logger: silentLogger, workers: 1, informers: {}, keys: {}, reconcile: async (key) => void done.push(key) });
    d.queue.shutDown(); // nothing handed out after a plain stop
    d.queue.add('z');
    await d.stop();
    assert.deepEqual(done, ['default/a', 'x', 'y']);
  });
});

test('an aborted signal during the wait for the informers returns a stopped controller', async () => {
  await withSharedInformers(async ({ factory, clock }) => {
    const never = factory.informer<ApiObject>('nodes'); // the fake API serves jobs only: never lists
    const abort = new AbortController();
    const starting = startController({ name: 'x', clock, logger: silentLogger, signal: abort.signal, informers: { never }, keys: { never: true }, reconcile: async () => assert.fail('no reconcile') });
    abort.abort();
    const c = await starting;
    assert.equal(c.queue.isShuttingDown(), true);
    await c.stop();
  });
});
