// The namespace lifecycle end to end over the memory store: a new Namespace is Active with the `kubernetes`
// finalizer; its delete marks it Terminating, refuses new content, and the namespace controller deletes every
// object in it (jobs, allocations, evaluations, config maps...), waits for one held by a finalizer, then the
// namespace goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, ApiObject, Job, Namespace } from '../../../api/schemas/index.ts';
import { isNotFound } from '../../apierrors/status.ts';
import { realClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { allocDraft, createNode, place, startTestCluster, testJob, until } from '../evaluator/testkit.ts';
import { startNamespaceController } from './namespace.ts';

test('deleting a namespace deletes everything in it, then the namespace', async () => {
  const c = await startTestCluster();
  const ctl = await startNamespaceController({ client: c.client, clock: realClock, logger: silentLogger, pollMs: 20 });
  try {
    const namespaces = c.client.resource<Namespace>('namespaces');
    const created = await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } } as Namespace);
    assert.equal(created.status?.phase, 'Active');
    assert.deepEqual(created.spec?.finalizers, ['kubernetes']);
    const P = { namespace: 'probe' };
    await c.client.resource<Job>('jobs').create(testJob('web', {}, 'probe'));
    await createNode(c.client, 'n1');
    await place(c.client, [allocDraft('web-a0', 'web', 'n1')], 'probe');
    const allocs = c.client.resource<Allocation>('allocations');
    const a = await allocs.get('web-a0', P);
    await allocs.updateStatus({ ...a, status: { clientStatus: 'running' } });
    const held = await c.client.resource<ApiObject>('configmaps').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'probe', finalizers: ['example.com/hold'] } } as ApiObject);

    const marked = (await namespaces.delete('probe')) as Namespace;
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal(marked.status?.phase, 'Terminating');
    await assert.rejects(c.client.resource<Job>('jobs').create(testJob('late', {}, 'probe')), /being terminated/);

    // Everything goes but the object a finalizer holds; the namespace waits for it.
    // (The controller goes kind by kind: wait for the held ConfigMap's mark too, not only for the jobs to go.)
    await until(async () => (await allocs.list(P)).items.length === 0 && (await c.client.resource('jobs').list(P)).items.length === 0
      && (await c.client.resource<ApiObject>('configmaps').get('held', P)).metadata.deletionTimestamp !== undefined);
    assert.equal((await c.client.resource('evaluations').list(P)).items.length, 0);
    const waiting = await namespaces.get('probe');
    assert.equal(waiting.status?.phase, 'Terminating');
    assert.deepEqual(waiting.spec?.finalizers, ['kubernetes']);
    const cm = await c.client.resource<ApiObject>('configmaps').get('held', P);
    assert.ok(cm.metadata.deletionTimestamp);
    await c.client.resource<ApiObject>('configmaps').update({ ...cm, metadata: { ...cm.metadata, finalizers: [] } });
    assert.notEqual(held.metadata.uid, undefined);
    await until(async () => {
      try {
        await namespaces.get('probe');
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    });
    // The name is free again, for a new, empty namespace.
    const again = await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } } as Namespace);
    assert.equal(again.status?.phase, 'Active');
    assert.equal((await c.client.resource('jobs').list(P)).items.length, 0);
  } finally {
    await ctl.stop();
    await c.close();
  }
});
