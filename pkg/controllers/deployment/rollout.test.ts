// Rollouts end to end over the scheduler harness: the scheduler, the evaluator and the deployment controller
// together, with fake agents reporting health (testing.ts). The cases: a 3-instance update with
// maxParallel 1 replaces every allocation, batch after batch; a broken version with autoRevert is rolled back
// and never takes the service below count − maxParallel healthy allocations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Deployment, Job } from '../../../api/schemas/index.ts';
import { isLive } from '../../../api/schemas/allocation-state.ts';
import { isHealthyAlloc, startRolloutSim, type RolloutSim } from './testing.ts';

const NS = { namespace: 'default' };
const phase = async (s: RolloutSim, name: string) => (await s.h.client.resource<Deployment>('deployments').get(name, NS).catch(() => undefined))?.status?.phase;
const live = (allocs: Allocation[]) => allocs.filter((a) => a.spec.jobName === 'web' && isLive(a));

async function deployed(s: RolloutSim, name: string, want: string): Promise<void> {
  await s.h.until(`${name} ${want}`, async () => (await phase(s, name)) === want);
}

test('a rolling update with maxParallel 1 replaces every allocation, one healthy batch after another', async () => {
  let worst = Infinity;
  let most = 0;
  let watching = false;
  const s = await startRolloutSim({
    sample: (allocs) => {
      if (!watching) return;
      worst = Math.min(worst, live(allocs).filter(isHealthyAlloc).length);
      most = Math.max(most, live(allocs).length);
    },
  });
  try {
    const update = { maxParallel: 1, healthCheck: 'task_states' as const, minHealthyTime: '0s', progressDeadline: '10m' };
    await s.putJob('web', { count: 3, cpu: 100, update });
    await deployed(s, 'web-deploy-1', 'successful');
    watching = true;
    await s.putJob('web', { count: 3, cpu: 120, update });
    await deployed(s, 'web-deploy-2', 'successful');
    const now = live(await s.h.allocs());
    assert.deepEqual(now.map((a) => a.spec.jobVersion).sort(), [2, 2, 2]);
    assert.deepEqual(now.map((a) => a.spec.deploymentName), ['web-deploy-2', 'web-deploy-2', 'web-deploy-2']);
    assert.ok(worst >= 2, `never fewer than count - maxParallel healthy (saw ${worst})`);
    assert.ok(most <= 4, `never more than count + maxParallel live (saw ${most})`);
    const d = await s.h.client.resource<Deployment>('deployments').get('web-deploy-2', NS);
    assert.equal(d.status?.groups?.web?.placed, 3);
    assert.equal(d.status?.groups?.web?.healthy, 3);
  } finally {
    await s.close();
  }
});

test('a broken version with autoRevert fails at its progress deadline and the last stable version comes back', async () => {
  let worst = Infinity;
  let watching = false;
  const s = await startRolloutSim({ sample: (allocs) => watching && (worst = Math.min(worst, live(allocs).filter(isHealthyAlloc).length)) });
  try {
    const update = { maxParallel: 1, healthCheck: 'task_states' as const, minHealthyTime: '0s', progressDeadline: '30s', autoRevert: true };
    await s.putJob('web', { count: 3, cpu: 100, update });
    await deployed(s, 'web-deploy-1', 'successful');
    watching = true;
    await s.putJob('web', { count: 3, cpu: 120, update, broken: true });
    // Its allocations fail and are rescheduled within the deployment; the others are never touched meanwhile.
    await s.h.until('a failed allocation of version 2', async () => (await s.h.allocs()).some((a) => a.spec.jobVersion === 2 && a.status?.clientStatus === 'failed'));
    await s.h.until('web-deploy-2 failed', async () => {
      s.clock.advance(5_000);
      return (await phase(s, 'web-deploy-2')) === 'failed';
    });
    await deployed(s, 'web-deploy-3', 'successful');
    const job = await s.h.client.resource<Job>('jobs').get('web', NS);
    assert.equal(job.metadata.generation, 3);
    assert.equal(job.spec.meta?.broken, 'false');
    assert.deepEqual(live(await s.h.allocs()).map((a) => a.spec.jobVersion), [3, 3, 3]);
    assert.ok(worst >= 2, `never fewer than count - maxParallel healthy (saw ${worst})`);
  } finally {
    await s.close();
  }
});

test('a canary update waits beside the old version for the promotion, then completes', async () => {
  let most = 0;
  let watching = false;
  const s = await startRolloutSim({ sample: (allocs) => watching && (most = Math.max(most, live(allocs).length)) });
  try {
    const update = { maxParallel: 1, canary: 1, healthCheck: 'task_states' as const, minHealthyTime: '0s', progressDeadline: '30s' };
    await s.putJob('web', { count: 3, cpu: 100, update });
    await deployed(s, 'web-deploy-1', 'successful');
    watching = true;
    await s.putJob('web', { count: 3, cpu: 120, update });
    const deployments = s.h.client.resource<Deployment>('deployments');
    const awaiting = await s.h.until('the canary healthy, awaiting promotion', async () => {
      const d = await deployments.get('web-deploy-2', NS).catch(() => undefined);
      return d?.status?.description === 'Deployment is running but requires manual promotion' ? d : undefined;
    });
    assert.equal(awaiting.spec.groups.web?.desiredCanaries, 1);
    assert.equal(awaiting.status?.groups?.web?.placedCanaries?.length, 1);
    // The clock moves well past the progress deadline: a deployment waiting for its operator does not fail.
    s.clock.advance(120_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await phase(s, 'web-deploy-2'), 'running');
    const versions = live(await s.h.allocs()).map((a) => a.spec.jobVersion).sort();
    assert.deepEqual(versions, [1, 1, 1, 2], 'the canary runs beside every old allocation');
    const d = await deployments.get('web-deploy-2', NS);
    await deployments.update({ ...d, spec: { ...d.spec, groups: { web: { ...d.spec.groups.web!, promoted: true } } } });
    await deployed(s, 'web-deploy-2', 'successful');
    assert.deepEqual(live(await s.h.allocs()).map((a) => a.spec.jobVersion), [2, 2, 2]);
    assert.ok(most <= 4, `never more than count + canaries live (saw ${most})`);
  } finally {
    await s.close();
  }
});

test('a system job rolls out node by node under a Deployment, and a broken version is reverted', async () => {
  let worst = Infinity;
  let watching = false;
  const s = await startRolloutSim({ nodes: 4, sample: (allocs) => watching && (worst = Math.min(worst, live(allocs).filter(isHealthyAlloc).length)) });
  try {
    const update = { maxParallel: 1, healthCheck: 'task_states' as const, minHealthyTime: '0s', progressDeadline: '30s', autoRevert: true };
    await s.putJob('web', { type: 'system', count: 1, cpu: 100, update });
    await deployed(s, 'web-deploy-1', 'successful');
    const first = await s.h.client.resource<Deployment>('deployments').get('web-deploy-1', NS);
    assert.equal(first.spec.jobType, 'system');
    assert.equal(live(await s.h.allocs()).length, 4, 'one allocation on each of the 4 nodes');
    watching = true;
    await s.putJob('web', { type: 'system', count: 1, cpu: 120, update });
    await deployed(s, 'web-deploy-2', 'successful');
    const two = await s.h.client.resource<Deployment>('deployments').get('web-deploy-2', NS);
    assert.equal(two.spec.groups.web?.desiredTotal, 4, 'the slots the job held when the rollout began');
    assert.deepEqual(two.status?.groups?.web && [two.status.groups.web.placed, two.status.groups.web.healthy], [4, 4]);
    assert.deepEqual(live(await s.h.allocs()).map((a) => a.spec.jobVersion), [2, 2, 2, 2]);
    assert.equal(new Set(live(await s.h.allocs()).map((a) => a.spec.nodeName)).size, 4);
    assert.ok(worst >= 3, `never fewer than nodes - maxParallel healthy (saw ${worst})`);
    // A broken version: one node at a time fails, the deployment fails at its deadline, version 2 comes back.
    await s.putJob('web', { type: 'system', count: 1, cpu: 140, update, broken: true });
    await s.h.until('a failed allocation of version 3', async () => (await s.h.allocs()).some((a) => a.spec.jobVersion === 3 && a.status?.clientStatus === 'failed'));
    await s.h.until('web-deploy-3 failed', async () => {
      s.clock.advance(5_000);
      return (await phase(s, 'web-deploy-3')) === 'failed';
    });
    await deployed(s, 'web-deploy-4', 'successful');
    const job = await s.h.client.resource<Job>('jobs').get('web', NS);
    assert.equal(job.spec.meta?.broken, 'false');
    assert.deepEqual(live(await s.h.allocs()).map((a) => a.spec.jobVersion), [4, 4, 4, 4]);
    assert.ok(worst >= 3, `never fewer than nodes - maxParallel healthy (saw ${worst})`);
  } finally {
    await s.close();
  }
});
