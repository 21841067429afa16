import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocation, AllocationStatus } from './index.ts';
import { allocationPhase, withAllocationConditions, CHECKS_PASSING } from './allocation-conditions.ts';
import { isLive } from './allocation-state.ts';

type Desired = 'run' | 'stop' | 'evict';
type Client = 'pending' | 'running' | 'complete' | 'failed' | 'lost';

function alloc(desired: Desired, status: AllocationStatus = {}, generation = 1): Allocation {
  return {
    apiVersion: 'drover.dev/v1', kind: 'Allocation',
    metadata: { name: 'a', namespace: 'default', generation },
    spec: { jobName: 'j', groupName: 'g', nodeName: 'n', desiredStatus: desired } as Allocation['spec'],
    status,
  };
}

const condition = (s: AllocationStatus, type: string) => s.conditions?.find((c) => c.type === type)?.status;

test('allocation conditions: the table of the file comment', () => {
  const rows: Array<[Desired, AllocationStatus, string, string]> = [
    ['run', {}, 'Reconciling', 'Pending'],
    ['run', { clientStatus: 'pending' }, 'Reconciling', 'Pending'],
    ['run', { clientStatus: 'running' }, 'Ready', 'Running'],
    ['run', { clientStatus: 'running', conditions: [{ type: CHECKS_PASSING, status: 'False', reason: 'ChecksPending' }] }, 'Reconciling', 'ChecksPending'],
    ['run', { clientStatus: 'running', conditions: [{ type: CHECKS_PASSING, status: 'True' }] }, 'Ready', 'Running'],
    ['run', { clientStatus: 'running', deploymentStatus: { healthy: false } }, 'Stalled', 'Unhealthy'],
    ['run', { clientStatus: 'complete' }, 'Ready', 'Complete'],
    ['run', { clientStatus: 'failed' }, 'Stalled', 'Failed'],
    ['run', { clientStatus: 'lost' }, 'Stalled', 'Lost'],
    ['stop', { clientStatus: 'running' }, 'Reconciling', 'Stopping'],
    ['evict', {}, 'Reconciling', 'Stopping'],
    ['stop', { clientStatus: 'complete' }, 'Ready', 'Stopped'],
    ['stop', { clientStatus: 'lost' }, 'Stalled', 'Lost'],
  ];
  for (const [desired, status, on, reason] of rows) {
    const got = allocationPhase(alloc(desired, status));
    assert.deepEqual([got.on, got.reason], [on, reason], `${desired}/${JSON.stringify(status)}`);
  }
});

test('allocation conditions: exactly one of the three is True, other types are kept, transitions keep their time', () => {
  const desired = fc.constantFrom<Desired>('run', 'stop', 'evict');
  const client = fc.option(fc.constantFrom<Client>('pending', 'running', 'complete', 'failed', 'lost'), { nil: undefined });
  const checks = fc.option(fc.constantFrom<'True' | 'False' | 'Unknown'>('True', 'False', 'Unknown'), { nil: undefined });
  const healthy = fc.option(fc.boolean(), { nil: undefined });
  const step = fc.record({ client, checks, healthy });
  fc.assert(fc.property(desired, fc.array(step, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 9 }), (d, steps, generation) => {
    let status: AllocationStatus = {};
    let now = 1_700_000_000_000;
    let before: Record<string, { status: string; at: string | undefined }> = {};
    for (const s of steps) {
      now += 1000;
      const next: AllocationStatus = { ...status, clientStatus: s.client, deploymentStatus: s.healthy === undefined ? undefined : { healthy: s.healthy } };
      next.conditions = [...(status.conditions ?? []).filter((c) => c.type !== CHECKS_PASSING), ...(s.checks ? [{ type: CHECKS_PASSING, status: s.checks }] : [])];
      status = withAllocationConditions(alloc(d, next, generation), now);
      const three = ['Ready', 'Reconciling', 'Stalled'].map((t) => condition(status, t));
      assert.equal(three.filter((x) => x === 'True').length, 1, JSON.stringify(status));
      assert.equal(status.observedGeneration, generation);
      assert.equal(condition(status, CHECKS_PASSING), s.checks);
      // The oracle, independent of the table: terminal failure is Stalled; a live allocation is never Ready
      // unless it runs; a stopped one that finished is Ready.
      const live = isLive({ spec: { desiredStatus: d }, status: { clientStatus: s.client } });
      if (s.client === 'failed' || s.client === 'lost') assert.equal(condition(status, 'Stalled'), 'True');
      if (live && s.client !== 'running') assert.notEqual(condition(status, 'Ready'), 'True');
      if (d !== 'run' && s.client === 'complete') assert.equal(condition(status, 'Ready'), 'True');
      for (const c of status.conditions ?? []) {
        if (c.type === CHECKS_PASSING) continue;
        const prev = before[c.type];
        if (prev && prev.status === c.status) assert.equal(c.lastTransitionTime, prev.at, 'an unchanged status keeps its transition time');
        else assert.equal(c.lastTransitionTime, new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      }
      before = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, { status: c.status, at: c.lastTransitionTime }]));
    }
  }));
});
