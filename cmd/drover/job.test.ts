// `drover job status|history|revert|scale|stop` in-process against a real API server: what they print and what
// they write on the Job. The status and history they read are written here as the controllers would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Evaluation, Job, JobSpec, JobVersion } from '../../api/schemas/index.ts';
import type { Client } from '../../pkg/client/client.ts';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { allocDraft, createNode, place, until } from '../../pkg/controllers/evaluator/testkit.ts';
import { startJobStatusController } from '../../pkg/controllers/jobstatus/index.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { startCliHarness, type CliHarness } from './testing.ts';

let h: CliHarness;
let client: Client;
const clock = new ManualClock(Date.now());

before(async () => {
  h = await startCliHarness({ clock });
  client = h.client;
  await createNode(client, 'n1');
});
after(() => h.close());

const drover = (args: string[]) => h.drover(args);

const spec = (count: number, env = 'a'): JobSpec => ({
  type: 'service', groups: [{ name: 'g', count, tasks: [{ name: 't', driver: 'mock', config: {}, env: { V: env }, resources: { cpu: 100, memoryMB: 64 } }] }],
});
const jobs = () => client.resource<Job>('jobs');

async function createJob(name: string, s: JobSpec): Promise<Job> {
  return jobs().create({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec: s });
}

async function recordVersion(job: string, version: number, jobSpec: JobSpec, stable = false): Promise<void> {
  await client.resource<JobVersion>('jobversions').create({
    apiVersion: 'drover.dev/v1', kind: 'JobVersion', metadata: { name: `${job}-v${version}`, namespace: 'default' }, spec: { jobName: job, version, jobSpec, stable },
  });
}

test('job status: the status fields, summary, placement failures of the blocked evaluation and the allocations', async () => {
  const job = await createJob('web', spec(3));
  await jobs().updateStatus({
    ...job,
    status: {
      observedGeneration: 1, version: 1, status: 'running', stable: false,
      summary: { g: { queued: 1, starting: 0, running: 2, failed: 0, complete: 0, lost: 0 } },
      conditions: [{ type: 'Ready', status: 'False', reason: 'PlacementFailed', message: 'evaluation web-b is blocked' }],
    },
  });
  await place(client, [allocDraft('web-a', 'web', 'n1', { cpu: 100, memoryMB: 64 })]);
  const evals = client.resource<Evaluation>('evaluations');
  const blocked = await evals.create({ apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: 'web-b', namespace: 'default' }, spec: { jobName: 'web', triggeredBy: 'queued-allocs' } });
  await evals.updateStatus({ ...blocked, status: { phase: 'blocked', queuedAllocations: { g: 1 }, failedTGAllocs: { g: { nodesEvaluated: 1, nodesExhausted: 1, dimensionExhausted: { memory: 1 } } } } });

  const r = await drover(['job', 'status', 'web']);
  assert.equal(r.code, 0, r.err);
  for (const line of [
    /^ID +=  ?web$/m, /^Status += running$/m, /^Version += 1$/m, /^Stable += false$/m, /^Ready += False \(PlacementFailed: evaluation web-b is blocked\)$/m,
    /^g +1 +0 +2 +0 +0 +0$/m,
    /^Placement Failure \(evaluation web-b\)$/m, /^Task Group "g" \(failed to place 1 allocation\):$/m, /^ {2}\* Dimension "memory" exhausted on 1 nodes$/m,
    /^web-a +n1 +g +1 +run +pending +- +/m,
  ]) assert.match(r.out, line);
  // `get jobs` shows the STATUS and VERSION columns from the same status.
  const g = await drover(['get', 'jobs', 'web']);
  assert.match(g.out, /^NAME +TYPE +PRIORITY +STATUS +VERSION +AGE\nweb +service +50 +running +1 +/);
});

test('job history lists versions newest first, with diffs under -p; revert puts an old spec back as a new version', async () => {
  await createJob('api', spec(1, 'a'));
  await recordVersion('api', 1, spec(1, 'a'), true);
  const current = await jobs().get('api', { namespace: 'default' });
  await jobs().update({ ...current, spec: spec(1, 'b') });
  await recordVersion('api', 2, spec(1, 'b'));

  const h = await drover(['job', 'history', 'api']);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /^Version {5}= 2\nStable {6}= false\n/);
  assert.match(h.out, /\n\nVersion {5}= 1\nStable {6}= true\n/);
  const p = await drover(['job', 'history', 'api', '-p']);
  assert.match(p.out, /Diff += ?\n.*Job: "api"[\s\S]*Task: "t"[\s\S]*V: "a" => "b"/);

  const rv = await drover(['job', 'revert', 'api', '1']);
  assert.equal(rv.code, 0, rv.err);
  assert.equal(rv.out, 'job.drover.dev "api" reverted to the spec of version 1; it is now version 3\n');
  const reverted = await jobs().get('api', { namespace: 'default' });
  assert.deepEqual(reverted.spec.groups[0]!.tasks[0]!.env, { V: 'a' });
  assert.equal(reverted.metadata.generation, 3);

  const again = await drover(['job', 'revert', 'api', '1']);
  assert.equal(again.code, 1);
  assert.match(again.err, /already runs the spec of version 1/);
  const missing = await drover(['job', 'revert', 'api', '9']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /has no recorded version 9/);
  assert.equal((await drover(['job', 'history', 'nope'])).code, 1);
});

test('job scale sets one group count; refuses unknown groups, bad counts and system jobs', async () => {
  await createJob('svc', spec(1));
  const r = await drover(['job', 'scale', 'svc', 'g', '4']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'job.drover.dev "svc" group "g" scaled from 1 to 4 (version 2)\n');
  assert.equal((await jobs().get('svc', { namespace: 'default' })).spec.groups[0]!.count, 4);
  const unknown = await drover(['job', 'scale', 'svc', 'nope', '2']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /has no group "nope" \(groups: g\)/);
  const bad = await drover(['job', 'scale', 'svc', 'g', '-1']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /invalid count "-1"/);
  await createJob('sys', { ...spec(1), type: 'system' });
  const sys = await drover(['job', 'scale', 'sys', 'g', '2']);
  assert.equal(sys.code, 1);
  assert.match(sys.err, /is a system job/);
});

test('job stop sets spec.stop and keeps the job; --purge deletes it', async () => {
  await createJob('batchy', spec(1));
  const r = await drover(['job', 'stop', 'batchy']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'job.drover.dev "batchy" stopped (version 2); its allocations are being stopped\n');
  assert.equal((await jobs().get('batchy', { namespace: 'default' })).spec.stop, true);
  assert.equal((await drover(['job', 'stop', 'batchy'])).out, 'job.drover.dev "batchy" is already stopped\n');
  const purge = await drover(['job', 'stop', 'batchy', '--purge']);
  assert.equal(purge.code, 0, purge.err);
  await assert.rejects(jobs().get('batchy', { namespace: 'default' }));
  const gone = await drover(['job', 'stop', 'nope']);
  assert.equal(gone.code, 1);
  assert.match(gone.err, /not found/);
});

test('describe job shows the Events the job status controller recorded', async () => {
  const ctl = await startJobStatusController({ client, clock, logger: silentLogger });
  try {
    await createJob('described', spec(1));
    await until(async () => (await jobs().get('described', { namespace: 'default' })).status?.status === 'pending');
    const r = await drover(['describe', 'job', 'described']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Events:\n.*Type +Reason +Age +From +Message\n[\s\S]*Normal +JobPending +\S+ +job-status-controller +job status <none> → pending \(version 1\)$/m);
  } finally {
    await ctl.stop();
  }
});

test('job status: a Dependencies section with each dependency Ready or why not', async () => {
  const db = await createJob('deps-db', spec(1));
  await jobs().updateStatus({ ...db, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'Running', message: 'group g: 1 running', observedGeneration: 1, lastTransitionTime: '2030-01-01T00:00:00Z' }] } });
  const s = spec(1);
  await createJob('deps-app', {
    ...s, dependsOn: ['deps-db', 'deps-missing'],
    groups: [{ ...s.groups[0]!, name: 'cache' }, { ...s.groups[0]!, name: 'web', dependsOn: ['cache'] }],
  });
  const r = await drover(['job', 'status', 'deps-app']);
  assert.equal(r.code, 0, r.err);
  for (const line of [
    /^Dependencies\nKind +Task Group +Depends On +State$/m,
    /^job +\* +deps-db +Ready$/m,
    /^job +\* +deps-missing +not found \(waiting for it to be created\)$/m,
    /^group +web +cache +0 of 1 running healthy at version 1$/m,
  ]) assert.match(r.out, line);
  assert.doesNotMatch((await drover(['job', 'status', 'web'])).out, /Dependencies/, 'no section without dependencies');
});
