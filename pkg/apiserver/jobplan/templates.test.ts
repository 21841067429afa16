// The job plan of a template (periodic or parameterized job): nothing would be placed under its own name, since
// only its children run — as the evaluator never evaluates a template.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../../api/schemas/index.ts';
import type { Job } from '../../../api/schemas/index.ts';
import { planCommitPlugin } from '../../plancommit/route.ts';
import { testServer, type TestServer } from '../test-support.ts';
import { jobPlanPlugin } from './route.ts';
import { addNode, planPath, webJob } from './test-support.ts';
import type { JobPlanResult } from './types.ts';

let t: TestServer;

before(async () => {
  t = await testServer({ kinds, plugins: [planCommitPlugin(), jobPlanPlugin()] });
  await addNode((m, p, b) => t.req(m, p, b), 'n1');
});
after(() => t.close());

test('planning a periodic or parameterized job places nothing; the same job without the block places its count', async () => {
  const cases: Array<[string, Partial<Job['spec']>, number]> = [
    ['cron', { type: 'batch', periodic: { cron: '@daily' } }, 0],
    ['dispatchable', { type: 'batch', parameterized: { payload: 'optional' } }, 0],
    ['plainbatch', { type: 'batch' }, 2],
  ];
  for (const [name, extra, placed] of cases) {
    const job = webJob(name, { count: 2 });
    job.spec = { ...job.spec, ...extra };
    const r = await t.req('POST', planPath(name), job);
    assert.equal(r.code, 200, r.text);
    const body = r.body as JobPlanResult;
    const places = Object.values(body.nodes).reduce((n, np) => n + np.place.length, 0);
    assert.equal(places, placed, name);
    assert.deepEqual(body.failedGroups, {}, name);
  }
});
