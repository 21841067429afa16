// computeJobStatus as a table: Nomad's job status, the summary, and the Ready / Reconciling / Stalled verdicts
// each situation must give (the kstatus reading of the job: Current only when Ready).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Deployment, Evaluation, Job, JobSpec } from '../../../api/schemas/index.ts';
import { computeJobStatus, jobState, READY, RECONCILING, STALLED, type JobStatusInput } from './compute.ts';
import { conditionOf, settleConditions } from '../../../api/schemas/conditions.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');

function job(spec: Partial<JobSpec> = {}, generation = 1, evaluatedGeneration: number | null = generation): Job {
  return {
    apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'web', namespace: 'default', generation },
    spec: { type: 'service', groups: [{ name: 'g', count: 2, tasks: [{ name: 't', driver: 'mock', config: {} }] }], ...spec },
    ...(evaluatedGeneration !== null ? { status: { evaluatedGeneration } } : {}),
  };
}

let n = 0;
function alloc(clientStatus: NonNullable<Allocation['status']>['clientStatus'], opts: { version?: number; desired?: 'run' | 'stop'; healthy?: boolean; group?: string } = {}): Allocation {
  return {
    apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: `web-${n++}`, namespace: 'default' },
    spec: { nodeName: 'n1', jobName: 'web', jobVersion: opts.version ?? 1, groupName: opts.group ?? 'g', desiredStatus: opts.desired ?? 'run' },
    status: { clientStatus, ...(opts.healthy !== undefined ? { deploymentStatus: { healthy: opts.healthy } } : {}) },
  };
}

function evaluation(phase: NonNullable<Evaluation['status']>['phase'], extra: Partial<NonNullable<Evaluation['status']>> = {}): Evaluation {
  return { apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: `web-e${n++}`, namespace: 'default' }, spec: { jobName: 'web', triggeredBy: 'job-register' }, status: { phase, ...extra } };
}

function deployment(phase: NonNullable<Deployment['status']>['phase'], jobVersion = 1): Deployment {
  return { apiVersion: 'drover.dev/v1', kind: 'Deployment', metadata: { name: `web-d${jobVersion}`, namespace: 'default' }, spec: { jobName: 'web', jobVersion, groups: { g: { desiredTotal: 2 } } }, status: { phase } };
}

const input = (j: Job, rest: Partial<JobStatusInput> = {}): JobStatusInput => ({ job: j, allocs: [], evals: [], deployments: [], stable: false, now: T0, ...rest });

/** `Ready/Reconciling/Stalled` statuses and the reason of the True one (or Ready's). */
function verdict(i: JobStatusInput): string {
  const c = computeJobStatus(i).conditions;
  const s = (t: string) => conditionOf(c, t)?.status === 'True' ? 'T' : 'F';
  const reason = [STALLED, RECONCILING].map((t) => conditionOf(c, t)).find((x) => x?.status === 'True')?.reason ?? conditionOf(c, READY)?.reason;
  return `${s(READY)}${s(RECONCILING)}${s(STALLED)} ${reason}`;
}

test('conditions: Ready only when every group runs its count healthy at this version and the deployment succeeded', () => {
  const cases: Array<{ name: string; in: JobStatusInput; want: string }> = [
    { name: 'just registered, not evaluated', in: input(job({}, 1, null)), want: 'FTF Evaluating' },
    { name: 'evaluated, evaluation pending', in: input(job(), { evals: [evaluation('pending')] }), want: 'FTF Evaluating' },
    { name: 'placed, starting', in: input(job(), { allocs: [alloc('pending'), alloc('running')], evals: [evaluation('complete')] }), want: 'FTF Starting' },
    { name: 'all running', in: input(job(), { allocs: [alloc('running'), alloc('running')], evals: [evaluation('complete')] }), want: 'TFF Running' },
    { name: 'one reported unhealthy', in: input(job(), { allocs: [alloc('running'), alloc('running', { healthy: false })] }), want: 'FFT Unplaced' },
    { name: 'new generation not evaluated yet', in: input(job({}, 2, 1), { allocs: [alloc('running'), alloc('running')] }), want: 'FTF Evaluating' },
    { name: 'old version still running beside the new', in: input(job({}, 2), { allocs: [alloc('running', { version: 2 }), alloc('running', { version: 2 }), alloc('running', { version: 1 })] }), want: 'FTF Replacing' },
    { name: 'only old versions run, nothing under way', in: input(job({}, 2), { allocs: [alloc('running'), alloc('running')] }), want: 'FFT Unplaced' },
    { name: 'blocked evaluation', in: input(job(), { allocs: [alloc('running')], evals: [evaluation('blocked', { queuedAllocations: { g: 1 } })] }), want: 'FFT PlacementFailed' },
    { name: 'failed, nothing rescheduling', in: input(job(), { allocs: [alloc('failed'), alloc('running')] }), want: 'FFT AllocationsFailed' },
    { name: 'failed, reschedule pending', in: input(job(), { allocs: [alloc('failed'), alloc('running')], evals: [evaluation('pending')] }), want: 'FTF Evaluating' },
    { name: 'deployment running', in: input(job(), { allocs: [alloc('running'), alloc('running')], deployments: [deployment('running')] }), want: 'FTF DeploymentRunning' },
    { name: 'a group waits for its dependencies (not Stalled Unplaced)', in: input(job(), { evals: [evaluation('complete')], held: new Map([['g', ['job db: not found']]]) }), want: 'FTF WaitingForDependencies' },
    { name: 'waiting, its deployment created but nothing placed', in: input(job(), { deployments: [deployment('running')], held: new Map([['g', ['job db: not found']]]) }), want: 'FTF WaitingForDependencies' },
    { name: 'deployment paused', in: input(job(), { allocs: [alloc('running'), alloc('running')], deployments: [deployment('paused')] }), want: 'FTF DeploymentPaused' },
    { name: 'deployment failed', in: input(job(), { allocs: [alloc('running'), alloc('running')], deployments: [deployment('failed')] }), want: 'FFT DeploymentFailed' },
    { name: 'deployment successful', in: input(job(), { allocs: [alloc('running'), alloc('running')], deployments: [deployment('successful')] }), want: 'TFF Running' },
    { name: 'a deployment of an older version does not gate', in: input(job({}, 2), { allocs: [alloc('running', { version: 2 }), alloc('running', { version: 2 })], deployments: [deployment('failed', 1)] }), want: 'TFF Running' },
    { name: 'batch, all complete', in: input(job({ type: 'batch' }), { allocs: [alloc('complete'), alloc('complete')], evals: [evaluation('complete')] }), want: 'TFF Complete' },
    { name: 'batch, one complete one running', in: input(job({ type: 'batch' }), { allocs: [alloc('complete'), alloc('running')] }), want: 'TFF Running' },
    { name: 'stopped, still running', in: input(job({ stop: true }), { allocs: [alloc('running')] }), want: 'FTF Stopping' },
    { name: 'stopped, all stopped', in: input(job({ stop: true }), { allocs: [alloc('running', { desired: 'stop' })] }), want: 'TFF Stopped' },
    { name: 'periodic template', in: input(job({ type: 'batch', periodic: { cron: '* * * * *' } })), want: 'TFF Template' },
    { name: 'system job: every placed allocation running', in: input(job({ type: 'system' }), { allocs: [alloc('running'), alloc('running'), alloc('running')] }), want: 'TFF Running' },
  ];
  for (const c of cases) assert.equal(verdict(c.in), c.want, c.name);
});

test("job status follows Nomad's getJobStatus", () => {
  const cases: Array<{ name: string; in: Pick<JobStatusInput, 'job' | 'allocs' | 'evals'>; want: string }> = [
    { name: 'nothing yet', in: { job: job(), allocs: [], evals: [] }, want: 'pending' },
    { name: 'evaluation pending', in: { job: job(), allocs: [], evals: [evaluation('pending')] }, want: 'pending' },
    { name: 'blocked, nothing placed', in: { job: job(), allocs: [], evals: [evaluation('blocked')] }, want: 'pending' },
    { name: 'an allocation starting', in: { job: job(), allocs: [alloc('pending')], evals: [] }, want: 'running' },
    { name: 'all finished', in: { job: job({ type: 'batch' }), allocs: [alloc('complete'), alloc('failed')], evals: [evaluation('complete')] }, want: 'dead' },
    { name: 'stopped, allocations stopped', in: { job: job({ stop: true }), allocs: [alloc('running', { desired: 'stop' })], evals: [] }, want: 'dead' },
    { name: 'system runs until stopped', in: { job: job({ type: 'system' }), allocs: [], evals: [] }, want: 'running' },
    { name: 'parameterized runs until stopped', in: { job: job({ type: 'batch', parameterized: {} }), allocs: [], evals: [] }, want: 'running' },
  ];
  for (const c of cases) assert.equal(jobState(c.in), c.want, c.name);
});

test('the summary counts allocations per group by client status, queued from the blocked evaluation', () => {
  const j = job({ groups: [{ name: 'g', count: 3, tasks: [{ name: 't', driver: 'mock', config: {} }] }, { name: 'h', count: 1, tasks: [{ name: 't', driver: 'mock', config: {} }] }] });
  const s = computeJobStatus(input(j, {
    allocs: [alloc('pending'), alloc('running'), alloc('failed'), alloc('complete', { group: 'h' }), alloc('lost', { group: 'h' }), alloc('pending', { desired: 'stop' })],
    evals: [evaluation('blocked', { queuedAllocations: { g: 1 } })],
  }));
  assert.deepEqual(s.summary, {
    g: { queued: 1, starting: 1, running: 1, failed: 1, complete: 0, lost: 0 },
    h: { queued: 0, starting: 0, running: 0, failed: 0, complete: 1, lost: 1 },
  });
  assert.equal(s.observedGeneration, 1);
  assert.equal(s.version, 1);
});

test('conditions keep lastTransitionTime while their status holds and carry the observed generation', () => {
  const first = settleConditions(undefined, [{ type: READY, status: 'False', reason: 'Starting', message: 'a' }], 3, T0);
  assert.deepEqual(first, [{ type: READY, status: 'False', reason: 'Starting', message: 'a', lastTransitionTime: '2030-01-01T00:00:00Z', observedGeneration: 3 }]);
  const same = settleConditions(first, [{ type: READY, status: 'False', reason: 'Evaluating', message: 'b' }], 4, T0 + 5000);
  assert.equal(same[0]!.lastTransitionTime, '2030-01-01T00:00:00Z');
  assert.equal(same[0]!.observedGeneration, 4);
  const flipped = settleConditions(same, [{ type: READY, status: 'True', reason: 'Running', message: '' }], 4, T0 + 9000);
  assert.equal(flipped[0]!.lastTransitionTime, '2030-01-01T00:00:09Z');
});

test('the latest deployment is the one of the highest version', () => {
  const s = computeJobStatus(input(job({}, 2), { deployments: [deployment('successful', 1), deployment('running', 2)] }));
  assert.deepEqual(s.latestDeployment, { name: 'web-d2', jobVersion: 2, phase: 'running' });
});

test('WaitingForDependencies names what each held group waits for', () => {
  const c = computeJobStatus(input(job(), { held: new Map([['g', ['job db: not Ready (Ready False, DeploymentRunning)']]]) })).conditions;
  assert.deepEqual([conditionOf(c, RECONCILING)?.reason, conditionOf(c, RECONCILING)?.message], ['WaitingForDependencies', 'group g waits for job db: not Ready (Ready False, DeploymentRunning)']);
  assert.equal(conditionOf(c, READY)?.status, 'False');
});
