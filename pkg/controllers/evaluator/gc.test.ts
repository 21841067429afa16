// Evaluation garbage collection: the rule as a table, then one round against a real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Evaluation, Job } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { collectable } from './gc.ts';
import { evaluatorHarness, testJob } from './testkit.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');

function ev(name: string, job: string, phase: NonNullable<Evaluation['status']>['phase'], ageMs: number): Evaluation {
  return {
    apiVersion: API_VERSION, kind: 'Evaluation',
    metadata: { name, namespace: 'default', creationTimestamp: new Date(NOW - ageMs).toISOString(), resourceVersion: String(1_000_000 - ageMs / 1000) },
    spec: { jobName: job, triggeredBy: 'job-register' },
    status: { phase },
  };
}

const cases: Array<{ name: string; evals: Evaluation[]; jobs: string[]; want: string[] }> = [
  { name: 'finished and old: collected', evals: [ev('a', 'web', 'complete', 3 * HOUR), ev('b', 'web', 'failed', 2 * HOUR), ev('c', 'web', 'canceled', 2 * HOUR), ev('z', 'web', 'complete', 0)], jobs: ['web'], want: ['a', 'b', 'c'] },
  { name: 'younger than the threshold: kept', evals: [ev('a', 'web', 'complete', HOUR / 2), ev('z', 'web', 'complete', 0)], jobs: ['web'], want: [] },
  { name: 'pending and blocked: kept however old', evals: [ev('a', 'web', 'pending', 5 * HOUR), ev('b', 'web', 'blocked', 5 * HOUR), ev('z', 'web', 'complete', 0)], jobs: ['web'], want: [] },
  { name: "an existing job's latest: kept however old", evals: [ev('a', 'web', 'complete', 5 * HOUR), ev('b', 'web', 'complete', 4 * HOUR)], jobs: ['web'], want: ['a'] },
  { name: "a deleted job's latest: collected too", evals: [ev('a', 'old', 'complete', 5 * HOUR), ev('b', 'old', 'complete', 4 * HOUR)], jobs: [], want: ['a', 'b'] },
  { name: 'per job', evals: [ev('a', 'web', 'complete', 5 * HOUR), ev('b', 'api', 'complete', 5 * HOUR)], jobs: ['web', 'api'], want: [] },
];

for (const c of cases) {
  test(`gc: ${c.name}`, () => {
    const got = collectable(c.evals, (_ns, name) => c.jobs.includes(name), NOW, HOUR).map((e) => e.metadata.name).sort();
    assert.deepEqual(got, c.want);
  });
}

test('a GC round deletes old finished evaluations and keeps each job\'s latest', async () => {
  const h = await evaluatorHarness({ gcThresholdMs: HOUR });
  try {
    await h.client.resource<Job>('jobs').create(testJob('web'));
    const evals = h.client.resource<Evaluation>('evaluations');
    for (const [name, phase] of [['e1', 'complete'], ['e2', 'canceled'], ['e3', 'pending'], ['e4', 'complete']] as const) {
      const e = await evals.create({ apiVersion: API_VERSION, kind: 'Evaluation', metadata: { name, namespace: 'default' }, spec: { jobName: 'web', triggeredBy: 'job-register' } });
      // Created within one second: the latest is the one with the highest resourceVersion.
      await evals.updateStatus({ ...e, status: { phase } });
    }
    await h.sync();
    h.clock.advance(2 * HOUR);
    await h.evaluator.collectGarbage();
    assert.deepEqual((await h.evals()).map((e) => e.metadata.name), ['e3', 'e4']);
  } finally {
    await h.close();
  }
});
