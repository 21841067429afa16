// The allocation usage guard is built into the API server: a server started without the plan-commit plugin
// (and with admission hooks of its own) still refuses every REST write that would add to what a node holds,
// and has no plan route, so nothing can place an allocation on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../api/schemas/index.ts';
import type { AdmissionHook } from './admission.ts';
import { testServer } from './test-support.ts';

const V1 = '/apis/drover.dev/v1';
const ALLOCS = `${V1}/namespaces/default/allocations`;

function allocation(name: string, desiredStatus?: 'run' | 'stop'): Record<string, unknown> {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Allocation',
    metadata: { name },
    spec: {
      nodeName: 'n1',
      jobName: 'web',
      jobVersion: 1,
      groupName: 'app',
      index: 0,
      resources: { tasks: { main: { cpu: 100, memoryMB: 64 } }, diskMB: 0, ports: [] },
      ...(desiredStatus ? { desiredStatus } : {}),
    },
  };
}

test('without the plan-commit plugin no REST write can make an allocation hold resources', async () => {
  // An admission hook of the caller's own: the guard is added to whatever the caller passes, never replaced.
  const allowAll: AdmissionHook = { kinds: ['Allocation'], validate: () => [] };
  const t = await testServer({ kinds, admission: [allowAll] });
  try {
    for (const desired of [undefined, 'run'] as const) {
      const live = await t.req('POST', ALLOCS, allocation(`live-${desired ?? 'default'}`, desired));
      assert.equal(live.code, 403, live.text);
      assert.equal(live.body.reason, 'Forbidden');
    }
    const applied = await t.req('PATCH', `${ALLOCS}/applied?fieldManager=test`, JSON.stringify(allocation('applied')), { 'content-type': 'application/apply-patch+yaml' });
    assert.equal(applied.code, 403, `server-side apply creates through the same guard: ${applied.text}`);

    const stopped = await t.req('POST', ALLOCS, allocation('s1', 'stop'));
    assert.equal(stopped.code, 201, stopped.text);
    const again = { ...stopped.body, spec: { ...stopped.body.spec, desiredStatus: 'run' } };
    const revived = await t.req('PUT', `${ALLOCS}/s1`, again);
    assert.equal(revived.code, 422, revived.text);
    assert.deepEqual(revived.body.details.causes.map((c: { field: string }) => c.field), ['spec.desiredStatus']);

    const evaluation = { apiVersion: 'drover.dev/v1', kind: 'Evaluation', metadata: { name: 'e1' }, spec: { jobName: 'web', triggeredBy: 'job-register' } };
    assert.equal((await t.req('POST', `${V1}/namespaces/default/evaluations`, evaluation)).code, 201);
    const plan = await t.req('POST', `${V1}/namespaces/default/evaluations/e1/plan`, { placements: [allocation('p1')], stops: [], updates: [] });
    assert.equal(plan.code, 404, `no plan route without the plugin: ${plan.text}`);

    const listed = (await t.req('GET', ALLOCS)).body.items as Array<{ metadata: { name: string } }>;
    assert.deepEqual(listed.map((a) => a.metadata.name), ['s1']);
  } finally {
    await t.close();
  }
});
