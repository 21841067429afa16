// `drover deployment status|pause|resume|fail` and `drover rollout status` in-process against a real API server,
// with the Deployment's status written here as the deployment controller would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, Job } from '../../api/schemas/index.ts';
import type { Client } from '../../pkg/client/client.ts';
import { ManualClock } from '../../pkg/clock/clock.ts';
import { startCliHarness, type CliHarness } from './testing.ts';

let h: CliHarness;
let client: Client;
const NS = { namespace: 'default' };

before(async () => {
  h = await startCliHarness({ clock: new ManualClock(0) });
  client = h.client;
  await client.resource<Job>('jobs').create({
    apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'web', namespace: 'default' },
    spec: { update: { maxParallel: 1, autoRevert: true }, groups: [{ name: 'g', count: 3, tasks: [{ name: 't', driver: 'mock', config: { runFor: '1h' } }] }] },
  });
});
after(() => h.close());

const drover = (args: string[]) => h.drover(args);

async function putDeployment(name: string, status: Deployment['status']): Promise<Deployment> {
  const deployments = client.resource<Deployment>('deployments');
  await deployments.delete(name, NS).catch(() => undefined);
  const d = await deployments.create({
    apiVersion: 'drover.dev/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { jobName: 'web', jobVersion: 1, groups: { g: { desiredTotal: 3, autoRevert: true } } },
  });
  return deployments.updateStatus({ ...d, status });
}

const running = { phase: 'running' as const, description: 'Deployment is running', groups: { g: { placed: 1, healthy: 0, unhealthy: 0, requireProgressBy: '2030-01-01T00:10:00Z' } } };

test('deployment status: by name or by job, Nomad-style', async () => {
  await putDeployment('web-deploy-1', running);
  const want = [
    'Name          = web-deploy-1',
    'Job           = web',
    'Job Version   = 1',
    'Status        = running',
    'Description   = Deployment is running',
    '',
    'Deployed',
    'Task Group   Auto Revert   Desired   Placed   Healthy   Unhealthy   Progress Deadline',
    'g            true          3         1        0         0           2030-01-01T00:10:00Z',
  ].join('\n') + '\n';
  const byName = await drover(['deployment', 'status', 'web-deploy-1']);
  assert.equal(byName.err, '');
  assert.equal(byName.out, want);
  assert.equal((await drover(['deployment', 'status', '--job', 'web'])).out, byName.out);
  assert.equal((await drover(['deployment', 'status'])).code, 1);
});

test('deployment pause, resume and fail write the spec; a finished deployment refuses', async () => {
  await putDeployment('web-deploy-1', running);
  const get = () => client.resource<Deployment>('deployments').get('web-deploy-1', NS);
  const cases: Array<[string, string, Partial<Deployment['spec']>]> = [
    ['pause', 'paused', { paused: true }],
    ['resume', 'resumed', { paused: false }],
    ['fail', 'marked as failed', { failed: true }],
  ];
  for (const [action, said, want] of cases) {
    const r = await drover(['deployment', action, 'web-deploy-1']);
    assert.equal(r.out, `deployment.drover.dev "web-deploy-1" ${said}\n`);
    assert.deepEqual({ paused: (await get()).spec.paused, failed: (await get()).spec.failed }, { paused: false, failed: false, ...want, ...(action === 'fail' ? { paused: false } : {}) });
  }
  await putDeployment('web-deploy-1', { phase: 'successful', description: 'Deployment completed successfully' });
  const refused = await drover(['deployment', 'pause', 'web-deploy-1']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /is successful: nothing to pause/);
});

test('rollout status follows until the end: 0 when successful, 1 when failed', async () => {
  await putDeployment('web-deploy-1', running);
  const following = drover(['rollout', 'status', 'web']);
  await new Promise((r) => setTimeout(r, 100));
  const d = await client.resource<Deployment>('deployments').get('web-deploy-1', NS);
  await client.resource<Deployment>('deployments').updateStatus({ ...d, status: { phase: 'successful', description: 'Deployment completed successfully', groups: { g: { placed: 3, healthy: 3, unhealthy: 0 } } } });
  const ok = await following;
  assert.equal(ok.code, 0);
  assert.equal(ok.out, [
    'web-deploy-1 (job version 1) running: g: 0 of 3 healthy, 1 placed',
    'web-deploy-1 (job version 1) successful: g: 3 of 3 healthy, 3 placed',
    'Deployment completed successfully',
  ].join('\n') + '\n');

  await putDeployment('web-deploy-1', { phase: 'failed', description: 'Failed due to progress deadline - rolling back to job version 0', groups: { g: { placed: 1, healthy: 0, unhealthy: 1 } } });
  const failed = await drover(['rollout', 'status', 'web']);
  assert.equal(failed.code, 1);
  assert.equal(failed.out, 'web-deploy-1 (job version 1) failed: g: 0 of 3 healthy, 1 placed, 1 unhealthy\nerror: Failed due to progress deadline - rolling back to job version 0\n');
});
