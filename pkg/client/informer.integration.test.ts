// The informer against the real API server over a memory store: list+watch with selectors, and recovery when
// the server goes away — changes made while the informer was cut off (deletes included) arrive once it is back,
// whether the server can replay them (resume) or the history was compacted (410, relist and diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { ManualClock } from '../clock/clock.ts';
import { jsonLogger } from '../log/logger.ts';
import { startApiServer, type TestApiServer } from '../../test/support/server.ts';
import { createClient, type Client } from './client.ts';
import { createInformer, type Informer } from './informer.ts';

async function until(cond: () => boolean, tick?: () => void): Promise<void> {
  while (!cond()) {
    tick?.();
    await new Promise((r) => setTimeout(r, 5));
  }
}

const job = (name: string, labels: Record<string, string> = {}, count = 1): ApiObject => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default', labels },
  spec: { type: 'batch', datacenters: ['dc1'], groups: [{ name: 'g', count, tasks: [{ name: 't', driver: 'mock', config: { runFor: '1s' } }] }] },
});

async function harness(fn: (h: { api: TestApiServer; client: Client; clock: ManualClock; logs: string[]; start(labelSelector?: string): Promise<{ inf: Informer; seen: string[] }> }) => Promise<void>) {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  const clock = new ManualClock(0);
  const informers: Informer[] = [];
  const logs: string[] = [];
  const logger = jsonLogger({ level: 'debug', out: (line) => logs.push(JSON.parse(line).msg) });
  try {
    await fn({
      api,
      client,
      clock,
      logs,
      async start(labelSelector) {
        const inf = createInformer({ client, kind: 'jobs', namespace: 'default', labelSelector, logger, clock, backoff: { initialMs: 100, maxMs: 100 } });
        informers.push(inf);
        const seen: string[] = [];
        inf.on('add', (o) => seen.push(`add ${o.metadata.name}`));
        inf.on('update', (_a, b) => seen.push(`update ${b.metadata.name}`));
        inf.on('delete', (o) => seen.push(`delete ${o.metadata.name}`));
        await inf.start();
        return { inf, seen };
      },
    });
  } finally {
    for (const i of informers) i.stop();
    await client.close();
    await api.close();
  }
}

test('lists, then follows adds, updates and deletes matching its label selector', async () => {
  await harness(async ({ client, start }) => {
    const jobs = client.resource('jobs');
    await jobs.create(job('before', { team: 'a' }));
    await jobs.create(job('other', { team: 'b' }));
    const { inf, seen } = await start('team=a');
    assert.deepEqual(seen, ['add before']);
    const created = await jobs.create(job('live', { team: 'a' }));
    await jobs.create(job('ignored', { team: 'b' }));
    await jobs.apply(job('live', { team: 'a' }, 3), { fieldManager: 'test', force: true });
    await jobs.delete('before', { namespace: 'default' });
    await until(() => seen.length === 4);
    assert.deepEqual(seen, ['add before', 'add live', 'update live', 'delete before']);
    assert.deepEqual(inf.list().map((o) => o.metadata.name), ['live']);
    assert.equal(inf.get('default', 'live')?.metadata.uid, created.metadata.uid);
    assert.ok(Number(inf.lastSyncResourceVersion()) > Number(created.metadata.resourceVersion));
  });
});

for (const compacted of [false, true]) {
  test(`after a server restart${compacted ? ' with compacted history' : ''} the informer catches up, deletes included`, async () => {
    await harness(async ({ api, client, clock, logs, start }) => {
      const jobs = client.resource('jobs');
      for (const n of ['stays', 'deleted', 'changed']) await jobs.create(job(n));
      const { inf, seen } = await start();
      assert.deepEqual([...seen].sort(), ['add changed', 'add deleted', 'add stays']);
      seen.length = 0;
      // The informer's watch breaks; it waits on the manual clock, so these changes happen while it is away.
      await api.restart();
      await jobs.delete('deleted', { namespace: 'default' });
      await jobs.apply(job('changed', {}, 5), { fieldManager: 'test', force: true });
      await jobs.create(job('added'));
      if (compacted) {
        const { revision } = await api.store.status();
        await api.store.compact(revision);
      }
      // A fresh server's watch cache starts now: the informer's revision is older than anything it holds.
      await api.restart();
      await until(() => seen.length >= 3, () => clock.advance(100));
      assert.deepEqual([...seen].sort(), ['add added', 'delete deleted', 'update changed']);
      assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['added', 'changed', 'stays']);
      if (compacted) assert.ok(logs.includes('resourceVersion expired, relisting'), 'caught up through a relist');
      // Still watching afterwards.
      await jobs.delete('stays', { namespace: 'default' });
      await until(() => seen.includes('delete stays'), () => clock.advance(100));
    });
  });
}

test('a transaction of several objects: positions count as complete, progress only moves forward, nothing is missed', async () => {
  await harness(async ({ api, client, start }) => {
    const jobs = client.resource('jobs');
    for (const n of ['a', 'b', 'c']) await jobs.create(job(n));
    const { inf, seen } = await start();
    const progress: string[] = [];
    inf.on('progress', (rv) => progress.push(rv));
    // One store transaction rewrites all three (as a plan commit writes a node's allocations).
    const current = await Promise.all(['a', 'b', 'c'].map((n) => jobs.get(n, { namespace: 'default' })));
    const ops = current.map((o) => {
      const { resourceVersion: _rv, ...metadata } = o.metadata;
      return { type: 'put' as const, key: `/registry/drover.dev/jobs/default/${o.metadata.name}`, value: JSON.stringify({ ...o, metadata: { ...metadata, labels: { v: '2' } } }) };
    });
    const { revision } = await api.store.txn([], ops);
    await until(() => inf.lastSyncResourceVersion() === String(revision));
    assert.deepEqual(seen.slice(-3), ['update a', 'update b', 'update c']);
    const nums = progress.map(Number);
    assert.deepEqual([...nums].sort((x, y) => x - y), nums, `progress moves forward: ${progress}`);
    assert.deepEqual(progress.slice(-3), [`${revision - 1}.1`, `${revision - 1}.2`, String(revision)]);
  });
});
