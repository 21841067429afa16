// The wording of `drover plan`'s failure explanations (Nomad's formatAllocMetrics) and its exit codes, from
// hand-made metrics and plan results: every line kind, in Nomad's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupChanges, JobPlanResult } from '../../../pkg/apiserver/jobplan/types.ts';
import { jobDiff } from '../../../pkg/apiserver/jobplan/diff.ts';
import type { JobSpec } from '../../../api/schemas/index.ts';
import { newMetric } from '../../../pkg/scheduler/metrics.ts';
import { formatDiff, formatDryRun, formatMetric, planExitCode } from './plan-format.ts';

test('formatMetric: eligibility, datacenters, filters, exhaustion and quota, in Nomad\'s order', () => {
  const m = newMetric();
  m.nodesAvailable = { dc2: 0, dc1: 4 };
  m.classFiltered = { gpu: 2 };
  m.constraintFiltered = { 'missing drivers': 1, '${attr.kernel.name} = windows': 2 };
  m.nodesExhausted = 3;
  m.classExhausted = { big: 3 };
  m.dimensionExhausted = { memory: 2, cpu: 1 };
  m.quotaExhausted = ['memory'];
  assert.deepEqual(formatMetric(m, '  '), [
    '  * No nodes were eligible for evaluation',
    '  * No nodes are available in datacenter "dc2"',
    '  * Class "gpu": 2 nodes excluded by filter',
    '  * Constraint "${attr.kernel.name} = windows": 2 nodes excluded by filter',
    '  * Constraint "missing drivers": 1 nodes excluded by filter',
    '  * Resources exhausted on 3 nodes',
    '  * Class "big" exhausted on 3 nodes',
    '  * Dimension "cpu" exhausted on 1 nodes',
    '  * Dimension "memory" exhausted on 2 nodes',
    '  * Quota limit hit "memory"',
  ]);
});

const changes = (over: Partial<GroupChanges>): GroupChanges => ({ place: 0, stop: 0, inPlaceUpdate: 0, destructiveUpdate: 0, migrate: 0, ignore: 0, canary: 0, lost: 0, reschedule: 0, ...over });

function result(over: Partial<JobPlanResult>): JobPlanResult {
  return {
    apiVersion: 'drover.dev/v1', kind: 'JobPlanResult', namespace: 'default', jobName: 'j', jobType: 'service', jobVersion: 1, jobModifyIndex: 0,
    diff: { type: 'None', id: 'j', fields: [], objects: [], taskGroups: [] }, desiredChanges: {}, nodes: {}, failedGroups: {}, queued: {},
    placementMetrics: {}, followups: [], basis: { nodes: 0, allocations: 0, jobs: 0 }, ...over,
  };
}

test('formatDryRun: system jobs are warned per node; the failed count comes from the queued placements', () => {
  const m = { ...newMetric(), nodesEvaluated: 2, nodesFiltered: 2, constraintFiltered: { 'missing drivers': 2 } };
  assert.deepEqual(formatDryRun(result({ jobType: 'system', failedGroups: { agent: m }, queued: { agent: 1 } })), [
    'Scheduler dry-run:',
    '- WARNING: Failed to place allocations on all nodes.',
    '  Task Group "agent" (failed to place 1 allocation):',
    '    * Constraint "missing drivers": 2 nodes excluded by filter',
  ]);
});

test('planExitCode: 1 when allocations would be created or destroyed, 0 for nothing or in-place updates only', () => {
  const rows: Array<[Partial<GroupChanges>, number]> = [
    [{}, 0], [{ ignore: 3 }, 0], [{ inPlaceUpdate: 2 }, 0], [{ place: 1 }, 1], [{ stop: 1 }, 1], [{ migrate: 1 }, 1],
    [{ destructiveUpdate: 1 }, 1], [{ lost: 1 }, 1], [{ reschedule: 1 }, 1],
  ];
  for (const [c, want] of rows) assert.equal(planExitCode(result({ desiredChanges: { g: changes(c) } })), want, JSON.stringify(c));
});

test('formatDiff: markers, aligned names, nested objects; unchanged parts only with --verbose', () => {
  const spec = (image: string, count: number) =>
    ({ type: 'service', groups: [{ name: 'web', count, network: { ports: [{ label: 'http' }] }, tasks: [{ name: 'srv', driver: 'docker', config: { image } }] }] }) as unknown as JobSpec;
  const old = spec('a:1', 1);
  const next = spec('a:2', 1);
  assert.deepEqual(formatDiff(jobDiff('j', old, next, false), false), [
    '+/- Job: "j"',
    '+/- Task Group: "web"',
    '  +/- Task: "srv"',
    '    ~ config {',
    '      ~ image: "a:1" => "a:2"',
    '      }',
  ]);
  assert.deepEqual(formatDiff(jobDiff('j', old, next, true), true), [
    '+/- Job: "j"',
    '  type: "service"',
    '+/- Task Group: "web"',
    '  count: "1"',
    '  network {',
    '    ports[http] {',
    '      label: "http"',
    '    }',
    '  }',
    '  +/- Task: "srv"',
    '      driver: "docker"',
    '    ~ config {',
    '      ~ image: "a:1" => "a:2"',
    '      }',
  ]);
});
