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

const v2canary = mkJob({ version: 2, groups: [mkGroup({ count: 3, fingerprint: 'fp-2', update: { maxParallel: 1, canary: 2 } })] });
const canaryRun = (existing: AllocView[], deployment: DeploymentView = running, promotedCanaries?: Set<string>) =>
  reconcile({ job: v2canary, existing, taintedNodes: new Map(), now: 100_000, deployment, promotedCanaries });
const olds3 = () => [0, 1, 2].map((i) => old(i));
const canary = (i: number, over: Partial<AllocView> = {}) => fresh(i, { canary: true, id: `canary-${i}`, ...over });

test('canaries: placed beside the old version under the first names; nothing is replaced meanwhile', () => {
  const r = canaryRun(olds3());
  assert.deepEqual(r.place.map((p) => `${p.name}:${p.canary}`), ['app.web[0]:true', 'app.web[1]:true']);
  assert.deepEqual(r.destructiveUpdate, []);
  assert.deepEqual(r.stop, []);
  // One placed (healthy even): only the missing one follows, still nothing replaced.
  const again = canaryRun([...olds3(), canary(0, { healthy: true })]);
  assert.deepEqual(again.place.map((p) => `${p.name}:${p.canary}`), ['app.web[1]:true']);
  assert.deepEqual(again.destructiveUpdate, []);
  assert.deepEqual(again.stop, []);
});

test('canaries: once promoted they stand in for the old allocations of their names; the rest rolls on', () => {
  const promoted = { ...running, promoted: new Set(['web']) };
  const r = canaryRun([...olds3(), canary(0, { healthy: true }), canary(1, { healthy: true })], promoted);
  assert.deepEqual(r.stop.map((s) => s.alloc.id).sort(), ['app-web-0-node-0', 'app-web-1-node-1']);
  assert.deepEqual(r.place, []);
  assert.deepEqual(destructive(r), ['app.web[2]']);
});

test('canaries: those of a rollout that ended unpromoted are stopped; promoted ones are ordinary', () => {
  const v3 = { ...v2canary, version: 3 };
  const d3: DeploymentView = { name: 'app-deploy-3', jobVersion: 3, paused: false, failed: false };
  const left = [old(0), old(1), old(2), canary(0)];
  const r = reconcile({ job: v3, existing: left, taintedNodes: new Map(), now: 100_000, deployment: d3 });
  assert.deepEqual(r.stop.map((s) => s.alloc.id), ['canary-0']);
  const kept = reconcile({ job: v3, existing: left, taintedNodes: new Map(), now: 100_000, deployment: d3, promotedCanaries: new Set([`${D}/web`]) });
  assert.ok(!kept.stop.some((s) => s.alloc.id === 'canary-0'));
  // A failed deployment's own canaries go too.
  assert.deepEqual(canaryRun([...olds3(), canary(0)], { ...running, failed: true }).stop.map((s) => s.alloc.id), ['canary-0']);
});

test('canaries: a first version has nothing to test against and places its allocations at once', () => {
  const r = canaryRun([]);
  assert.deepEqual(r.place.map((p) => `${p.name}:${p.canary ?? false}`), ['app.web[0]:false', 'app.web[1]:false', 'app.web[2]:false']);
});

test("a replaced allocation whose successor the view has not seen yet holds its slot and the rollout's budget", () => {
  // [2] was replaced by a plan whose placement this view missed (the stop and the placement are one commit).
  const existing = [fresh(0, { healthy: true }), fresh(1, { healthy: true }), old(2, { desiredStatus: 'stop', nextAllocation: 'new-2' }), old(3)];
  const r = run(existing);
  assert.deepEqual(r.place, [], 'no new allocation under [2]');
  assert.deepEqual(destructive(r), ['app.web[3]'], 'the unseen successor is in flight: one left of maxParallel 2');
  // Once it shows up, it counts as itself.
  const seen = run([...existing, fresh(2, { healthy: true, id: 'new-2' })]);
  assert.deepEqual(seen.place, []);
  assert.deepEqual(destructive(seen), ['app.web[3]']);
});
