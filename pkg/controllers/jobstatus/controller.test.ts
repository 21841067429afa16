// The job status controller against a real API server over the memory store, beside a running evaluator: the
// status it writes through /status (observedGeneration, version, status, summary, conditions), the Events it
// records, that `kubectl wait --for=condition=Ready` returns once the job is ready, and that a client's get → PUT of the Job after apply never conflicts with Drover's own writes.
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import type { Allocation, ApiObject, Event, Evaluation, Job } from '../../../api/schemas/index.ts';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { createEvaluator } from '../evaluator/evaluator.ts';
import { allocDraft, createNode, place, startTestCluster, testJob, until, type TestCluster } from '../evaluator/testkit.ts';
import { conditionOf } from '../../../api/schemas/conditions.ts';
import { startJobStatusController, type JobStatusController } from './controller.ts';
import { READY, RECONCILING, STALLED } from './compute.ts';

interface Running {
  c: TestCluster;
  ctl: JobStatusController;
  jobs: ReturnType<typeof jobsOf>;
}

const jobsOf = (c: TestCluster) => c.client.resource<Job>('jobs');

async function withControllers(fn: (r: Running) => Promise<void>): Promise<void> {
  const c = await startTestCluster();
  const clock = new ManualClock(Date.now());
  const evaluator = createEvaluator({ client: c.client, clock, logger: silentLogger });
  await evaluator.start();
  const ctl = await startJobStatusController({ client: c.client, clock, logger: silentLogger });
  try {
    await fn({ c, ctl, jobs: jobsOf(c) });
  } finally {
    await ctl.stop();
    await evaluator.stop();
    await c.close();
  }
}

const cond = (j: Job, type: string) => conditionOf(j.status?.conditions, type);
const get = (r: Running) => r.jobs.get('web', { namespace: 'default' });

/** Mark the job's open evaluations complete, as a scheduler worker would after placing. */
async function completeEvals(r: Running): Promise<void> {
  const evals = r.c.client.resource<Evaluation>('evaluations');
  for (const e of (await evals.list({ namespace: 'default' })).items) {
    if ((e.status?.phase ?? 'pending') === 'pending') await evals.updateStatus({ ...e, status: { ...e.status, phase: 'complete' } });
  }
}

async function report(r: Running, name: string, clientStatus: 'running' | 'failed'): Promise<void> {
  const allocs = r.c.client.resource<Allocation>('allocations');
  const a = await allocs.get(name, { namespace: 'default' });
  await allocs.updateStatus({ ...a, status: { ...a.status, clientStatus } });
}

test('status goes Evaluating → Starting → Ready as the job is evaluated, placed and runs; Events record it', async () => {
  await withControllers(async (r) => {
    await createNode(r.c.client, 'n1');
    await r.c.client.resource<Job>('jobs').apply(testJob('web', { groups: [{ name: 'g', count: 2, tasks: [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 100, memoryMB: 64 } }] }] }), { fieldManager: 'kubectl' });
    await until(async () => cond(await get(r), RECONCILING)?.reason === 'Evaluating' && (await get(r)).status?.evaluatedGeneration === 1);
    let job = await get(r);
    assert.deepEqual({ og: job.status?.observedGeneration, v: job.status?.version, s: job.status?.status, ready: cond(job, READY)?.status }, { og: 1, v: 1, s: 'pending', ready: 'False' });
    assert.equal(cond(job, READY)?.observedGeneration, 1);

    await place(r.c.client, [allocDraft('web-a', 'web', 'n1', { cpu: 100, memoryMB: 64 }), { ...allocDraft('web-b', 'web', 'n1', { cpu: 100, memoryMB: 64 }), spec: { ...allocDraft('web-b', 'web', 'n1').spec, index: 1, resources: { tasks: { t: { cpu: 100, memoryMB: 64 } } } } }]);
    await completeEvals(r);
    await report(r, 'web-a', 'running');
    await until(async () => /group g: 1 of 2 running healthy/.test(cond(await get(r), RECONCILING)?.message ?? ''));
    job = await get(r);
    assert.equal(job.status?.status, 'running');
    assert.equal(cond(job, RECONCILING)?.reason, 'Starting');
    assert.match(cond(job, RECONCILING)?.message ?? '', /group g: 1 of 2 running healthy at version 1/);

    await report(r, 'web-b', 'running');
    await until(async () => cond(await get(r), READY)?.status === 'True');
    job = await get(r);
    assert.deepEqual(job.status?.summary, { g: { queued: 0, starting: 0, running: 2, failed: 0, complete: 0, lost: 0 } });
    assert.equal(cond(job, STALLED)?.status, 'False');
    assert.equal(cond(job, RECONCILING)?.status, 'False');

    const events = await r.c.client.resource<Event & ApiObject>('events').list({ namespace: 'default' });
    const reasons = events.items.filter((e) => e.involvedObject?.name === 'web').map((e) => e.reason);
    assert.ok(reasons.includes('JobRunning'), reasons.join(','));
    assert.ok(reasons.includes('Running'), reasons.join(','));
    assert.ok(reasons.includes('Evaluating'), `the evaluator's Event: ${reasons.join(',')}`);
  });
});

test("a client's get → PUT of the Job after apply does not conflict with Drover's writes, and keeps the evaluator's record", async () => {
  await withControllers(async (r) => {
    const manifest = testJob('web');
    await r.c.client.resource<Job>('jobs').apply(manifest, { fieldManager: 'kubectl' });
    // Drover has reacted to the apply: evaluated, status written, nothing left queued.
    const evalsOf = async () => (await r.c.client.resource<Evaluation>('evaluations').list({ namespace: 'default' })).items;
    await until(async () => {
      const j = await get(r);
      const [e] = await evalsOf();
      const seen = r.ctl.lastSyncResourceVersions();
      return j.status?.evaluatedGeneration === 1 && j.status?.observedGeneration === 1 && cond(j, RECONCILING)?.reason === 'Evaluating'
        && e?.status?.phase === 'pending' && Number(seen.evaluations) >= Number(e.metadata.resourceVersion)
        && Number(seen.jobs) >= Number(j.metadata.resourceVersion) && r.ctl.queue.len() === 0 && r.ctl.queue.inProgress() === 0;
    });
    const before = await get(r);
    // The user's object is as written: no annotations, no field of metadata or spec owned by a controller.
    assert.equal(before.metadata.annotations, undefined);
    const owners = (before.metadata.managedFields ?? []).filter((m) => m.subresource !== 'status').map((m) => m.manager);
    assert.deepEqual(owners, ['kubectl']);
    // A third party replaces the job from its own copy of the manifest, with the resourceVersion it read.
    const replaced = await r.jobs.update({ ...manifest, metadata: { ...manifest.metadata, labels: { team: 'a' }, resourceVersion: before.metadata.resourceVersion } } as Job);
    assert.equal(replaced.metadata.labels?.team, 'a');
    assert.equal(replaced.status?.evaluatedGeneration, 1, 'the evaluator record survives a replace');
    assert.equal((await evalsOf()).length, 1, 'no second evaluation: the replace changed no spec');
  });
});

const KUBECTL = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl'].find((p) => existsSync(p));

test('kubectl wait --for=condition=Ready jobs.drover.dev/NAME returns once every allocation runs', async () => {
  assert.ok(KUBECTL, 'kubectl is required (installed on these machines)');
  await withControllers(async (r) => {
    const dir = mkdtempSync(join(tmpdir(), 'drover-kubectl-wait-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: d\n  cluster: {server: "${r.c.api.url}"}\ncontexts:\n- name: d\n  context: {cluster: d, user: u, namespace: default}\ncurrent-context: d\nusers:\n- name: u\n  user: {}\n`);
    try {
      await createNode(r.c.client, 'n1');
      await r.c.client.resource<Job>('jobs').apply(testJob('web', { groups: [{ name: 'g', count: 1, tasks: [{ name: 't', driver: 'mock', config: {}, resources: { cpu: 100, memoryMB: 64 } }] }] }), { fieldManager: 'kubectl' });
      await until(async () => cond(await get(r), READY)?.status === 'False');
      let exited = false;
      // The bound only guards a hang: the job is made ready right below.
      const waiting = promisify(execFile)(KUBECTL!, ['wait', '--for=condition=Ready', 'jobs.drover.dev/web', '--timeout=120s'], { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig } })
        .finally(() => (exited = true));
      await place(r.c.client, [allocDraft('web-a', 'web', 'n1', { cpu: 100, memoryMB: 64 })]);
      await completeEvals(r);
      assert.equal(exited, false, 'kubectl wait returned before the job was ready');
      await report(r, 'web-a', 'running');
      const { stdout } = await waiting;
      assert.match(stdout, /job\.drover\.dev\/web condition met/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
