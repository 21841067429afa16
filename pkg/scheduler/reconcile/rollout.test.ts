// The reconciler under a Deployment: how many destructive updates a rollout allows (Nomad's computeLimit) and
// which failed allocations it reschedules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile, type DeploymentView } from './reconcile.ts';
import { mkJob, mkGroup, mkAlloc } from '../testing/fixtures.ts';
import type { AllocView } from '../structs.ts';

const v1 = mkJob({ groups: [mkGroup({ count: 4 })] });
const v2 = mkJob({ version: 2, groups: [mkGroup({ count: 4, fingerprint: 'fp-2', update: { maxParallel: 2 } })] });
const D = 'app-deploy-2';
const running: DeploymentView = { name: D, jobVersion: 2, paused: false, failed: false };
const old = (i: number, over: Partial<AllocView> = {}) => mkAlloc(v1, `node-${i}`, i, over);
const fresh = (i: number, over: Partial<AllocView> = {}) => mkAlloc(v2, `node-${i}`, i, { deploymentName: D, id: `new-${i}`, ...over });
const run = (existing: AllocView[], deployment: DeploymentView | undefined = running) =>
  reconcile({ job: v2, existing, taintedNodes: new Map(), now: 100_000, deployment });
const destructive = (r: ReturnType<typeof run>) => r.destructiveUpdate.map((p) => p.name).sort();

interface Case {
  name: string;
  existing: AllocView[];
  deployment?: DeploymentView;
  want: string[];
}

const cases: Case[] = [
  { name: 'nothing placed yet: maxParallel replacements', existing: [0, 1, 2, 3].map((i) => old(i)), want: ['app.web[0]', 'app.web[1]'] },
  {
    name: 'placed and running but not yet healthy: still in flight (no health fallback inside a deployment)',
    existing: [fresh(0), fresh(1), old(2), old(3)], want: [],
  },
  { name: 'one turned healthy: one more', existing: [fresh(0, { healthy: true }), fresh(1), old(2), old(3)], want: ['app.web[2]'] },
  { name: 'both healthy: the next two', existing: [fresh(0, { healthy: true }), fresh(1, { healthy: true }), old(2), old(3)], want: ['app.web[2]', 'app.web[3]'] },
  {
    name: 'one unhealthy allocation stops the rollout',
    existing: [fresh(0, { healthy: true }), fresh(1, { healthy: false }), old(2), old(3)], want: [],
  },
  {
    name: 'a failed one waiting for its reschedule delay still holds the budget',
    existing: [fresh(0, { healthy: true }), fresh(1, { clientStatus: 'failed', finishTime: 99_000 }), old(2), old(3)], want: ['app.web[2]'],
  },
  { name: 'paused: none', existing: [0, 1, 2, 3].map((i) => old(i)), deployment: { ...running, paused: true }, want: [] },
  { name: 'failed: none', existing: [0, 1, 2, 3].map((i) => old(i)), deployment: { ...running, failed: true }, want: [] },
];

for (const c of cases) {
  test(`rollout budget: ${c.name}`, () => {
    assert.deepEqual(destructive(run(c.existing, c.deployment)), c.want);
  });
}

test('replacing a failed allocation of the rollout spends its budget', () => {
  // [1] failed long ago: rescheduled now, and its replacement is in flight, so only one old one may go.
  const r = run([fresh(0, { healthy: true }), fresh(1, { clientStatus: 'failed', finishTime: 1000 }), old(2), old(3)]);
  assert.deepEqual(r.place.map((p) => `${p.name}:${p.reason}`), ['app.web[1]:reschedule']);
  assert.deepEqual(destructive(r), ['app.web[2]']);
});

test('failed allocations of a failed deployment are not rescheduled and keep their slots', () => {
  const failed = { ...running, failed: true };
  const existing = [fresh(0, { clientStatus: 'failed', finishTime: 1000, healthy: false }), old(1), old(2), old(3)];
  const r = run(existing, failed);
  assert.deepEqual(r.place, []);
  assert.deepEqual(r.rescheduleLater, []);
  assert.deepEqual(r.destructiveUpdate, []);
  // A newer version (a revert) takes the group over: the failed one is replaced then.
  const v3 = mkJob({ version: 3, groups: [mkGroup({ count: 4, update: { maxParallel: 2 } })] });
  const next = reconcile({ job: v3, existing, taintedNodes: new Map(), now: 100_000, deployment: { name: 'app-deploy-3', jobVersion: 3, paused: false, failed: false } });
  assert.deepEqual(next.place.map((p) => `${p.name}:${p.reason}`), ['app.web[0]:reschedule']);
});

test("an older rollout's allocations still in flight hold the new rollout's budget", () => {
  const v3 = mkJob({ version: 3, groups: [mkGroup({ count: 4, fingerprint: 'fp-3', update: { maxParallel: 2 } })] });
  const d3: DeploymentView = { name: 'app-deploy-3', jobVersion: 3, paused: false, failed: false };
  // Version 2 replaced [0] (healthy now) and [1] (not yet); its failed [2] waits for a reschedule.
  const existing = [fresh(0, { healthy: true }), fresh(1), fresh(2, { clientStatus: 'failed', finishTime: 99_000, healthy: false }), old(3)];
  const r = reconcile({ job: v3, existing, taintedNodes: new Map(), now: 100_000, deployment: d3 });
  assert.deepEqual(destructive(r), [], 'two slots are not healthy already: nothing more may go');
  const settled = [fresh(0, { healthy: true }), fresh(1, { healthy: true }), fresh(2, { healthy: true }), old(3)];
  assert.deepEqual(destructive(reconcile({ job: v3, existing: settled, taintedNodes: new Map(), now: 100_000, deployment: d3 })), ['app.web[0]', 'app.web[1]']);
});
