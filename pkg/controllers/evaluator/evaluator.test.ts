// The evaluator running for real: controllers fed by informers, under leader election with two candidates.
// Only the leader creates evaluations; when it stops, the other takes over. Leader-election time is a
// ManualClock the test advances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Evaluation, Job, Lease } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { EVALUATOR_LEASE, startEvaluator, type RunningEvaluator } from './leader.ts';
import { SYSTEM_NAMESPACE } from '../runtime/index.ts';
import { createNode, startTestCluster, testJob, until } from './testkit.ts';

test('one of two candidates runs the evaluator; its controllers turn changes into evaluations; the other takes over', async () => {
  const cluster = await startTestCluster();
  const clock = new ManualClock(Date.now());
  const candidates: RunningEvaluator[] = [];
  try {
    for (const identity of ['a', 'b']) candidates.push(await startEvaluator({ client: cluster.client, clock, logger: silentLogger, identity }));
    await until(() => candidates.some((c) => c.isLeader()));
    const [leader, follower] = candidates[0]!.isLeader() ? candidates : [candidates[1]!, candidates[0]!];
    assert.equal(follower!.isLeader(), false);

    const evals = () => cluster.client.resource<Evaluation>('evaluations').list({ namespace: 'default' }).then((l) => l.items);
    const jobs = cluster.client.resource<Job>('jobs');
    await jobs.create(testJob('web'));
    await jobs.create(testJob('logs', { type: 'system' }));
    await until(async () => (await evals()).length === 2);
    // The scheduler's part, done by hand: both evaluations complete.
    for (const x of await evals()) await cluster.client.resource<Evaluation>('evaluations').updateStatus({ ...x, status: { ...x.status, phase: 'complete' } });

    // A blocked evaluation of web is unblocked by a node joining with room (a capacity event through the informer).
    const e = await cluster.client.resource<Evaluation>('evaluations').create({ apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name: 'web-blocked', namespace: 'default' }, spec: { jobName: 'web', triggeredBy: 'queued-allocs' } });
    await cluster.client.resource<Evaluation>('evaluations').updateStatus({ ...e, status: { phase: 'blocked', snapshotRevision: e.metadata.resourceVersion, failedTGAllocs: { g: {} } } });
    await createNode(cluster.client, 'n1');
    await until(async () => (await evals()).find((x) => x.metadata.name === 'web-blocked')?.status?.phase === 'pending');
    assert.equal((await evals()).find((x) => x.metadata.name === 'web-blocked')?.status?.statusDescription, 'unblocked: capacity on node n1');
    // The join also evaluated the system job for the new node.
    await until(async () => (await evals()).some((x) => x.spec.jobName === 'logs' && x.spec.triggeredBy === 'node-update' && x.spec.nodeName === 'n1'));

    await leader!.stop();
    const lease = await cluster.client.resource<Lease>('leases').get(EVALUATOR_LEASE, { namespace: SYSTEM_NAMESPACE });
    assert.equal(lease.spec?.holderIdentity, '', 'the leader released the lease on stop');
    await until(() => (clock.advance(1000), follower!.isLeader()));
    await jobs.create(testJob('api'));
    await until(async () => (await evals()).some((x) => x.spec.jobName === 'api' && x.spec.triggeredBy === 'job-register'));
  } finally {
    for (const c of candidates) await c.stop();
    await cluster.close();
  }
});
