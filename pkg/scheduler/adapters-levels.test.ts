// Every level at which a job can say something the scheduler acts on reaches the group view the scheduler
// decides with: job, group and task constraints and affinities; job and group spreads; the group's update,
// migrate and reschedule over the job's, field by field. The behaviour of each field is tested where it acts
// (feasible/, rank/, reconcile/, stack.test.ts); this file shows no level is dropped on the way
// (test/job-fields.test.ts points here for the job-level and task-level fields).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../api/schemas/index.ts';
import { jobFromApi } from './adapters.ts';

const job = (spec: Partial<Job['spec']>): Job =>
  ({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'levels', namespace: 'default' }, spec: { groups: [], ...spec } }) as Job;

const task = (over: Record<string, unknown> = {}) => ({ name: 't', driver: 'mock', resources: { cpu: 100, memoryMB: 64 }, ...over });

test('constraints: the job keeps its own; group and task constraints reach the group view', () => {
  const view = jobFromApi(job({
    constraints: [{ attribute: '${attr.kernel.name}', operator: '=', value: 'linux' }],
    groups: [{
      name: 'g',
      constraints: [{ attribute: '${meta.rack}', operator: '!=', value: 'r1' }],
      tasks: [task({ constraints: [{ attribute: '${attr.cpu.arch}', value: 'amd64' }] })],
    }],
  } as never));
  assert.deepEqual(view.constraints, [{ attribute: '${attr.kernel.name}', operator: '=', value: 'linux' }]);
  assert.deepEqual(view.groups[0].constraints, [
    { attribute: '${meta.rack}', operator: '!=', value: 'r1' },
    { attribute: '${attr.cpu.arch}', operator: '=', value: 'amd64' },
  ]);
});

test('affinities of the job, the group and the task all reach the group, with their weights', () => {
  const view = jobFromApi(job({
    affinities: [{ attribute: '${node.datacenter}', value: 'dc1', weight: 20 }],
    groups: [{
      name: 'g',
      affinities: [{ attribute: '${meta.rack}', operator: '=', value: 'r2', weight: -30 }],
      tasks: [task({ affinities: [{ attribute: '${attr.cpu.arch}', value: 'arm64', weight: 70 }] })],
    }],
  } as never));
  assert.deepEqual(view.groups[0].affinities, [
    { attribute: '${node.datacenter}', operator: '=', value: 'dc1', weight: 20 },
    { attribute: '${meta.rack}', operator: '=', value: 'r2', weight: -30 },
    { attribute: '${attr.cpu.arch}', operator: '=', value: 'arm64', weight: 70 },
  ]);
});

test('job spreads and group spreads both apply to the group, targets included', () => {
  const view = jobFromApi(job({
    spreads: [{ attribute: '${node.datacenter}', weight: 40, targets: [{ value: 'dc1', percent: 70 }, { value: 'dc2', percent: 30 }] }],
    groups: [{ name: 'g', spreads: [{ attribute: '${meta.rack}' }], tasks: [task()] }],
  } as never));
  assert.deepEqual(view.groups[0].spreads, [
    { attribute: '${node.datacenter}', weight: 40, targets: [{ value: 'dc1', percent: 70 }, { value: 'dc2', percent: 30 }] },
    { attribute: '${meta.rack}', weight: 50, targets: [] },
  ]);
});

test('update, migrate and reschedule: the job level is the default, the group level wins field by field', () => {
  const view = jobFromApi(job({
    update: { maxParallel: 3, canary: 1 },
    migrate: { maxParallel: 4 },
    reschedule: { attempts: 5, interval: '1h', delay: '10s', delayFunction: 'fibonacci', maxDelay: '5m', unlimited: false },
    groups: [
      { name: 'inherits', tasks: [task()] },
      { name: 'own', update: { maxParallel: 2, canary: 0 }, migrate: { maxParallel: 1 }, reschedule: { attempts: 2, delay: '1s' }, tasks: [task()] },
    ],
  } as never));
  const [inherits, own] = view.groups;
  assert.deepEqual(inherits.update, { maxParallel: 3, canary: 1 });
  assert.equal(inherits.migrateMaxParallel, 4);
  assert.deepEqual(
    { attempts: inherits.reschedule.attempts, intervalMs: inherits.reschedule.intervalMs, delayMs: inherits.reschedule.delayMs, fn: inherits.reschedule.delayFunction, maxDelayMs: inherits.reschedule.maxDelayMs, unlimited: inherits.reschedule.unlimited },
    { attempts: 5, intervalMs: 3_600_000, delayMs: 10_000, fn: 'fibonacci', maxDelayMs: 300_000, unlimited: false },
  );
  assert.deepEqual(own.update, { maxParallel: 2, canary: 0 });
  assert.equal(own.migrateMaxParallel, 1);
  // The group's reschedule overrides attempts and delay; the rest is still the job's.
  assert.deepEqual([own.reschedule.attempts, own.reschedule.delayMs, own.reschedule.intervalMs, own.reschedule.delayFunction], [2, 1000, 3_600_000, 'fibonacci']);
});
