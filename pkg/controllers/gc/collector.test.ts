// The garbage collector against a real API server over the memory store: background collection of what a
// deleted Job owned (waiting for allocations to finish and for job versions nothing runs), foreground deletion
// (the owner waits for its blocking dependents, records do not hold it), orphan propagation (dependents kept,
// the reference to the owner removed), owners that remain, and a dependent created before its owner is cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, ApiObject, Evaluation, Job, JobVersion } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { controllerRef, recordOwnerRefs } from '../../../api/schemas/owner.ts';
import { isNotFound } from '../../apierrors/status.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { allocDraft, createNode, place, startTestCluster, testJob, until, type TestCluster } from '../evaluator/testkit.ts';
import { startGarbageCollector, type GarbageCollector } from './collector.ts';

async function withGc(fn: (c: TestCluster, gc: GarbageCollector) => Promise<void>): Promise<void> {
  const c = await startTestCluster();
  const gc = await startGarbageCollector({ client: c.client, clock: new ManualClock(Date.now()), logger: silentLogger });
  try {
    await fn(c, gc);
  } finally {
    await gc.stop();
    await c.close();
  }
}

const NS = { namespace: 'default' };

async function gone(c: TestCluster, plural: string, name: string): Promise<boolean> {
  try {
    await c.client.resource(plural).get(name, NS);
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

/** A job with one allocation (its controller reference blocking), one evaluation and one job version (records). */
async function jobWithDependents(c: TestCluster, name = 'web') {
  const job = await c.client.resource<Job>('jobs').create(testJob(name));
  if (!(await c.client.resource('nodes').list()).items.some((n) => n.metadata.name === 'n1')) await createNode(c.client, 'n1');
  // Placed through a plan commit, which stamps the job as the allocation's (blocking) controller.
  await place(c.client, [allocDraft(`${name}-a0`, name, 'n1')]);
  const alloc = await c.client.resource<Allocation>('allocations').get(`${name}-a0`, NS);
  assert.deepEqual(alloc.metadata.ownerReferences, [controllerRef(job, { blockOwnerDeletion: true })]);
  const ev = await c.client.resource<Evaluation>('evaluations').create({
    apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name: `${name}-e1`, namespace: 'default', ownerReferences: recordOwnerRefs(job) }, spec: { jobName: name, triggeredBy: 'job-register', priority: 50 },
  });
  const version = await c.client.resource<JobVersion>('jobversions').create({
    apiVersion: API_VERSION, kind: 'JobVersion', metadata: { name: `${name}-v1`, namespace: 'default', ownerReferences: recordOwnerRefs(job) }, spec: { jobName: name, version: 1, jobSpec: job.spec },
  } as JobVersion);
  return { job, alloc, ev, version };
}

async function finish(c: TestCluster, plural: 'allocations' | 'evaluations', name: string): Promise<void> {
  const rc = c.client.resource<ApiObject>(plural);
  const cur = await rc.get(name, NS);
  const status = plural === 'allocations' ? { ...(cur.status as object), clientStatus: 'complete' } : { ...(cur.status as object), phase: 'complete' };
  await rc.updateStatus({ ...cur, status });
}

test('background: what a deleted job owned is collected once it may go', async () => {
  await withGc(async (c) => {
    const { alloc } = await jobWithDependents(c);
    const allocs = c.client.resource<Allocation>('allocations');
    await allocs.updateStatus({ ...alloc, status: { clientStatus: 'running' } });
    await c.client.resource('jobs').delete('web', NS);
    // Nothing running is deleted, nor the evaluation still to run, nor the version the allocation runs at.
    await finish(c, 'evaluations', 'web-e1');
    await until(() => gone(c, 'evaluations', 'web-e1'));
    assert.equal(await gone(c, 'allocations', 'web-a0'), false, 'a running allocation waits for its agent');
    assert.equal(await gone(c, 'jobversions', 'web-v1'), false, 'the version a live allocation runs at stays');
    await finish(c, 'allocations', 'web-a0');
    await until(async () => (await gone(c, 'allocations', 'web-a0')) && (await gone(c, 'jobversions', 'web-v1')));
  });
});

test('foreground: the job stays, marked, until its blocking dependents are gone', async () => {
  await withGc(async (c) => {
    await jobWithDependents(c);
    const jobs = c.client.resource<Job>('jobs');
    const marked = (await jobs.delete('web', { ...NS, propagationPolicy: 'Foreground' })) as Job;
    assert.ok(marked.metadata.deletionTimestamp);
    assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
    // The evaluation is a record (does not block) but is collected once finished, as before.
    await finish(c, 'evaluations', 'web-e1');
    await until(() => gone(c, 'evaluations', 'web-e1'));
    const held = await jobs.get('web', NS);
    assert.deepEqual(held.metadata.finalizers, ['foregroundDeletion'], 'the running allocation blocks the job');
    await finish(c, 'allocations', 'web-a0');
    await until(() => gone(c, 'jobs', 'web'));
    assert.ok(await gone(c, 'allocations', 'web-a0'));
    await until(() => gone(c, 'jobversions', 'web-v1'));
  });
});

test('foreground with no dependents: the finalizer is removed and the object goes', async () => {
  await withGc(async (c) => {
    await c.client.resource<Job>('jobs').create(testJob('lonely'));
    await c.client.resource('jobs').delete('lonely', { ...NS, propagationPolicy: 'Foreground' });
    await until(() => gone(c, 'jobs', 'lonely'));
  });
});

test('orphan: the dependents stay, without the reference to the deleted owner', async () => {
  await withGc(async (c) => {
    const { job } = await jobWithDependents(c);
    const other = await c.client.resource<Job>('jobs').create(testJob('other'));
    // A second owner on the version: orphaning keeps it.
    const versions = c.client.resource<JobVersion>('jobversions');
    const v = await versions.get('web-v1', NS);
    await versions.update({ ...v, metadata: { ...v.metadata, ownerReferences: [...(v.metadata.ownerReferences ?? []), controllerRef(other, { blockOwnerDeletion: false })].map((r, i) => (i === 1 ? { ...r, controller: false } : r)) } });
    const marked = (await c.client.resource('jobs').delete('web', { ...NS, propagationPolicy: 'Orphan' })) as Job;
    assert.deepEqual(marked.metadata.finalizers, ['orphan']);
    await until(() => gone(c, 'jobs', 'web'));
    const alloc = await c.client.resource<Allocation>('allocations').get('web-a0', NS);
    assert.equal(alloc.metadata.ownerReferences, undefined);
    const ev = await c.client.resource<Evaluation>('evaluations').get('web-e1', NS);
    assert.equal(ev.metadata.ownerReferences, undefined);
    const kept = await versions.get('web-v1', NS);
    assert.deepEqual(kept.metadata.ownerReferences?.map((r) => r.uid), [other.metadata.uid]);
    assert.notEqual(job.metadata.uid, other.metadata.uid);
  });
});

test('a dependent with a remaining owner loses only the reference to the absent one', async () => {
  await withGc(async (c) => {
    const a = await c.client.resource<Job>('jobs').create(testJob('a'));
    const b = await c.client.resource<Job>('jobs').create(testJob('b'));
    const child = testJob('child');
    child.metadata.ownerReferences = [controllerRef(a, { blockOwnerDeletion: true }), { ...controllerRef(b, { blockOwnerDeletion: false }), controller: false }];
    await c.client.resource<Job>('jobs').create(child);
    await c.client.resource('jobs').delete('a', NS);
    await until(async () => (await c.client.resource<Job>('jobs').get('child', NS)).metadata.ownerReferences?.length === 1);
    const kept = await c.client.resource<Job>('jobs').get('child', NS);
    assert.equal(kept.metadata.ownerReferences?.[0]?.uid, b.metadata.uid);
    await c.client.resource('jobs').delete('b', NS);
    await until(() => gone(c, 'jobs', 'child'));
  });
});

test('a reference to an owner of another uid (deleted and created again) is dangling; one to an unknown kind is kept', async () => {
  await withGc(async (c, gc) => {
    const jobs = c.client.resource<Job>('jobs');
    const old = await jobs.create(testJob('web'));
    await jobs.delete('web', NS);
    await jobs.create(testJob('web'));
    const stale = testJob('stale');
    stale.metadata.ownerReferences = [controllerRef(old, { blockOwnerDeletion: false })];
    await jobs.create(stale);
    const foreign = testJob('foreign');
    foreign.metadata.ownerReferences = [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'u-w', controller: true }];
    await jobs.create(foreign);
    await until(() => gone(c, 'jobs', 'stale'));
    await gc.reconcile('jobs|default/foreign');
    assert.equal(await gone(c, 'jobs', 'foreign'), false);
  });
});
