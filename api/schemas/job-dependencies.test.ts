// The one definition of a dependency being Ready, and of which groups are held: a table of job statuses, group
// allocations, and the gates of jobs with job-level and group-level dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, JobSpec } from './index.ts';
import type { Condition } from './conditions.ts';
import { dependencyGates, describeHeld, groupNotReady, heldGroups, isJobReady, jobNotReady, type DependencyAlloc } from './job-dependencies.ts';
import { cycleThrough } from './dependency-cycles.ts';

function job(name: string, spec: Partial<JobSpec> = {}, ready?: Partial<Condition>, generation = 1): Job {
  const conditions = ready ? [{ type: 'Ready', status: 'True', reason: 'Running', message: '', observedGeneration: generation, ...ready } as Condition] : undefined;
  return {
    apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default', generation },
    spec: { groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock', config: {} }] }], ...spec },
    ...(conditions ? { status: { conditions } } : {}),
  } as Job;
}

test('jobNotReady: service Ready Running, batch Ready Complete, judged at the current generation; anything else says why', () => {
  const cases: Array<[string, Job | undefined, string | undefined]> = [
    ['missing', undefined, 'not found (waiting for it to be created)'],
    ['service running', job('db', {}, { reason: 'Running' }), undefined],
    ['system running', job('db', { type: 'system' }, { reason: 'Running' }), undefined],
    ['batch running is not complete', job('db', { type: 'batch' }, { reason: 'Running' }), 'not complete (Ready True, Running)'],
    ['batch complete', job('db', { type: 'batch' }, { reason: 'Complete' }), undefined],
    ['sysbatch complete', job('db', { type: 'sysbatch' }, { reason: 'Complete' }), undefined],
    ['deployment running', job('db', {}, { status: 'False', reason: 'DeploymentRunning', message: 'deployment db-deploy-1 is running' }), 'not Ready (Ready False, DeploymentRunning: deployment db-deploy-1 is running)'],
    ['stale generation', job('db', {}, { observedGeneration: 1 }, 2), 'generation 2 not yet judged'],
    ['no status yet', job('db'), 'generation 1 not yet judged'],
    ['stopped', job('db', { stop: true }, { reason: 'Stopped' }), 'stopped'],
    ['periodic template', job('db', { type: 'batch', periodic: { crons: ['* * * * *'] } } as Partial<JobSpec>, { reason: 'Template' }), 'a periodic or parameterized template, never Ready itself'],
  ];
  for (const [what, dep, want] of cases) {
    assert.equal(jobNotReady(dep), want, what);
    assert.equal(isJobReady(dep), want === undefined, what);
  }
  const deleting = job('db', {}, { reason: 'Running' });
  deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  assert.equal(jobNotReady(deleting), 'being deleted');
});

const alloc = (groupName: string, clientStatus: DependencyAlloc['clientStatus'], extra: Partial<DependencyAlloc> = {}): DependencyAlloc => ({ groupName, jobVersion: 1, clientStatus, ...extra });

test('groupNotReady: count running healthy at this version (service), count complete (batch)', () => {
  const svc = job('app', { groups: [{ name: 'db', count: 2, tasks: [] }, { name: 'web', dependsOn: ['db'], tasks: [] }] } as Partial<JobSpec>);
  assert.equal(groupNotReady(svc, 'db', [alloc('db', 'running')]), '1 of 2 running healthy at version 1');
  assert.equal(groupNotReady(svc, 'db', [alloc('db', 'running'), alloc('db', 'running', { healthy: false })]), '1 of 2 running healthy at version 1');
  assert.equal(groupNotReady(svc, 'db', [alloc('db', 'running'), alloc('db', 'running', { jobVersion: 0 })]), '1 of 2 running healthy at version 1');
  assert.equal(groupNotReady(svc, 'db', [alloc('db', 'running'), alloc('db', 'running', { desiredStatus: 'stop' })]), '1 of 2 running healthy at version 1');
  assert.equal(groupNotReady(svc, 'db', [alloc('db', 'running'), alloc('db', 'running')]), undefined);
  const batch = { ...svc, spec: { ...svc.spec, type: 'batch' as const } };
  assert.equal(groupNotReady(batch, 'db', [alloc('db', 'running'), alloc('db', 'complete')]), '1 of 2 complete at version 1');
  assert.equal(groupNotReady(batch, 'db', [alloc('db', 'complete'), alloc('db', 'complete')]), undefined);
});

test('dependencyGates: groups not yet placed with dependencies, each with what it waits for; placed or count-0 groups are never held', () => {
  const app = job('app', {
    dependsOn: ['db'],
    groups: [{ name: 'migrate', tasks: [] }, { name: 'web', dependsOn: ['migrate'], tasks: [] }, { name: 'off', count: 0, tasks: [] }],
  } as Partial<JobSpec>);
  const jobs = new Map<string, Job>();
  const lookup = (n: string) => jobs.get(n);
  let gates = dependencyGates(app, lookup, []);
  assert.deepEqual([...gates], [
    ['migrate', ['job db: not found (waiting for it to be created)']],
    ['web', ['job db: not found (waiting for it to be created)', 'group migrate: 0 of 1 running healthy at version 1']],
  ]);
  assert.equal(describeHeld(heldGroups(gates)), 'group migrate waits for job db: not found (waiting for it to be created); group web waits for job db: not found (waiting for it to be created), group migrate: 0 of 1 running healthy at version 1');
  jobs.set('db', job('db', {}, { reason: 'Running' }));
  gates = dependencyGates(app, lookup, []);
  assert.deepEqual([...heldGroups(gates).keys()], ['web']);
  assert.deepEqual(gates.get('migrate'), [], 'free: every dependency Ready');
  // migrate placed (and running): it is no longer gated, and web is free.
  gates = dependencyGates(app, lookup, [alloc('migrate', 'running')]);
  assert.deepEqual([...gates], [['web', []]]);
  // Once placed, a group is never held again, whatever its dependencies do.
  jobs.delete('db');
  assert.deepEqual([...dependencyGates(app, lookup, [alloc('migrate', 'complete'), alloc('web', 'running')])], []);
});

test('cycleThrough: the path of a cycle through the start node; none when the start is not on one', () => {
  const edges = new Map([['a', ['b']], ['b', ['c', 'd']], ['c', ['b']], ['d', ['a']]]);
  assert.deepEqual(cycleThrough(edges, 'a'), ['a', 'b', 'd', 'a']);
  assert.deepEqual(cycleThrough(edges, 'c'), ['c', 'b', 'c']);
  assert.equal(cycleThrough(new Map([['x', ['y']], ['y', ['y']]]), 'x'), undefined, 'a cycle the start only reaches is not through it');
  assert.deepEqual(cycleThrough(new Map([['x', ['y']], ['y', ['y']]]), 'y'), ['y', 'y']);
  assert.equal(cycleThrough(new Map([['x', ['y', 'z']], ['y', ['z']], ['z', []]]), 'x'), undefined);
});
