import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Deployment } from '../../../api/schemas/index.ts';
import { assess, DEPLOYMENT_DESC } from './progress.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const dep = (over: Partial<Deployment['spec']> = {}, status?: Deployment['status']): Deployment => ({
  apiVersion: 'drover.dev/v1', kind: 'Deployment', metadata: { name: 'web-deploy-2', namespace: 'default' },
  spec: { jobName: 'web', jobVersion: 2, groups: { g: { desiredTotal: 3, progressDeadline: '30s' } }, ...over },
  ...(status ? { status } : {}),
});
const alloc = (i: number, over: { version?: number; deployment?: string; healthy?: boolean; client?: 'pending' | 'running' | 'failed'; desired?: 'run' | 'stop' } = {}): Allocation => ({
  apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: `a${i}`, namespace: 'default' },
  spec: {
    nodeName: 'n', jobName: 'web', groupName: 'g', jobVersion: over.version ?? 2, index: i, desiredStatus: over.desired ?? 'run',
    ...(over.deployment !== null ? { deploymentName: over.deployment ?? 'web-deploy-2' } : {}),
  },
  status: { clientStatus: over.client ?? 'running', ...(over.healthy !== undefined ? { deploymentStatus: { healthy: over.healthy } } : {}) },
});

test('a fresh deployment runs, counts what it placed, and sets the progress deadline', () => {
  const a = assess(dep(), [alloc(0), alloc(1, { version: 1, deployment: 'web-deploy-1', healthy: true })], T0);
  assert.equal(a.phase, 'running');
  assert.equal(a.status.description, DEPLOYMENT_DESC.running);
  assert.deepEqual(a.status.groups!.g, { placed: 1, healthy: 0, unhealthy: 0, promoted: false, requireProgressBy: '2030-01-01T00:00:30Z' });
  assert.equal(a.evaluate, false);
  assert.equal(a.recheckAt, T0 + 30_000);
});

test('a newly healthy allocation asks for the next batch and moves the deadline', () => {
  const before = assess(dep(), [alloc(0)], T0);
  const later = T0 + 10_000;
  const a = assess(dep({}, before.status), [alloc(0, { healthy: true })], later);
  assert.equal(a.evaluate, true);
  assert.equal(a.status.groups!.g!.healthy, 1);
  assert.equal(a.status.groups!.g!.requireProgressBy, '2030-01-01T00:00:40Z');
  // The same state again: nothing new to evaluate, the deadline stays.
  const again = assess(dep({}, a.status), [alloc(0, { healthy: true })], later + 5000);
  assert.equal(again.evaluate, false);
  assert.equal(again.status.groups!.g!.requireProgressBy, '2030-01-01T00:00:40Z');
});

test('healthy allocations up to desiredTotal make it successful; stopped ones do not count', () => {
  const healthy = [0, 1, 2].map((i) => alloc(i, { healthy: true }));
  assert.equal(assess(dep(), healthy, T0).phase, 'successful');
  const oneStopped = [alloc(0, { healthy: true }), alloc(1, { healthy: true }), alloc(2, { healthy: true, desired: 'stop' })];
  assert.equal(assess(dep(), oneStopped, T0).phase, 'running');
  // Moved to the version in place and still running: counts as healthy.
  const inPlace = [alloc(0, { healthy: true }), alloc(1, { healthy: true }), alloc(2, { deployment: 'web-deploy-1', healthy: true })];
  const a = assess(dep(), inPlace, T0);
  assert.equal(a.phase, 'successful');
  assert.equal(a.status.description, DEPLOYMENT_DESC.successful);
});

test('the progress deadline fails it; without one, the first unhealthy allocation does', () => {
  const first = assess(dep(), [alloc(0, { healthy: false, client: 'failed' })], T0);
  assert.equal(first.phase, 'running', 'an unhealthy allocation waits for the progress deadline');
  const late = assess(dep({}, first.status), [alloc(0, { healthy: false, client: 'failed' })], T0 + 30_000);
  assert.equal(late.phase, 'failed');
  assert.equal(late.status.description, DEPLOYMENT_DESC.progressDeadline);
  assert.equal(late.status.groups!.g!.unhealthy, 1);
  const noDeadline = dep({ groups: { g: { desiredTotal: 3, progressDeadline: '0s' } } });
  const now = assess(noDeadline, [alloc(0, { healthy: false })], T0);
  assert.equal(now.phase, 'failed');
  assert.equal(now.status.description, DEPLOYMENT_DESC.unhealthy);
});

test('a pause stops the deadline clock; a resume restarts it and asks for an evaluation', () => {
  const running = assess(dep(), [alloc(0)], T0);
  const paused = assess(dep({ paused: true }, running.status), [alloc(0)], T0 + 60_000);
  assert.equal(paused.phase, 'paused');
  assert.equal(paused.status.description, DEPLOYMENT_DESC.paused);
  assert.equal(paused.recheckAt, undefined);
  const resumed = assess(dep({ paused: false }, paused.status), [alloc(0)], T0 + 120_000);
  assert.equal(resumed.phase, 'running');
  assert.equal(resumed.evaluate, true);
  assert.equal(resumed.status.groups!.g!.requireProgressBy, '2030-01-01T00:02:30Z');
});

test('an operator fail, and terminal phases are left alone', () => {
  const failed = assess(dep({ failed: true }), [alloc(0)], T0);
  assert.equal(failed.phase, 'failed');
  assert.equal(failed.status.description, DEPLOYMENT_DESC.failedByUser);
  for (const phase of ['successful', 'failed', 'cancelled'] as const) {
    const d = dep({}, { phase, description: 'x' });
    assert.deepEqual(assess(d, [alloc(0, { healthy: true })], T0), { status: d.status, phase, evaluate: false });
  }
});

test('canaries: waiting for a promotion stops the deadline once all are healthy; autoPromote or the operator promotes', () => {
  const canaryDep = (over: Partial<Deployment['spec']['groups']['g']> = {}, status?: Deployment['status']) =>
    dep({ groups: { g: { desiredTotal: 3, desiredCanaries: 1, progressDeadline: '30s', ...over } } }, status);
  const c0 = (healthy?: boolean) => ({ ...alloc(0, healthy === undefined ? {} : { healthy }), spec: { ...alloc(0).spec, canary: true } });
  const olds = [1, 2, 3].map((i) => alloc(i, { version: 1, deployment: 'web-deploy-1', healthy: true }));
  const placed = assess(canaryDep(), [c0(), ...olds], T0);
  assert.equal(placed.phase, 'running');
  assert.deepEqual(placed.status.groups!.g!.placedCanaries, ['a0']);
  const healthy = assess(canaryDep({}, placed.status), [c0(true), ...olds], T0 + 60_000);
  assert.equal(healthy.phase, 'running', 'no deadline while it waits for the operator');
  assert.equal(healthy.status.description, DEPLOYMENT_DESC.awaitingPromotion);
  assert.equal(healthy.status.groups!.g!.promoted, false);
  const manual = assess(canaryDep({ promoted: true }, healthy.status), [c0(true), ...olds], T0 + 61_000);
  assert.equal(manual.status.groups!.g!.promoted, true);
  assert.equal(manual.evaluate, true, 'the rest of the rollout may go');
  assert.equal(manual.status.description, DEPLOYMENT_DESC.running);
  const auto = assess(canaryDep({ autoPromote: true }, placed.status), [c0(true), ...olds], T0 + 1000);
  assert.equal(auto.status.groups!.g!.promoted, true);
  assert.equal(auto.evaluate, true);
  // Healthy total reached by canaries and in-place updates is not success before the promotion.
  const many = [c0(true), alloc(1, { healthy: true }), alloc(2, { healthy: true })];
  assert.equal(assess(canaryDep(), many, T0).phase, 'running');
  assert.equal(assess(canaryDep({ promoted: true }), many, T0).phase, 'successful');
});

test('conditions: Reconciling while running, Ready once successful, Stalled when failed; transition times kept', () => {
  const of = (s: Deployment['status']) => Object.fromEntries((s?.conditions ?? []).map((c) => [c.type, c.status]));
  const running = assess(dep(), [alloc(0)], T0);
  assert.deepEqual(of(running.status), { Ready: 'False', Reconciling: 'True', Stalled: 'False' });
  assert.equal(running.status.observedGeneration, 1);
  const later = assess(dep({}, running.status), [alloc(0, { healthy: true })], T0 + 5000);
  assert.deepEqual(later.status.conditions, running.status.conditions!.map((c) => ({ ...c })), 'same phase: the conditions do not move');
  const done = assess(dep({}, later.status), [0, 1, 2].map((i) => alloc(i, { healthy: true })), T0 + 9000);
  assert.deepEqual(of(done.status), { Ready: 'True', Reconciling: 'False', Stalled: 'False' });
  assert.equal(done.status.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2030-01-01T00:00:09Z');
  assert.equal(done.status.conditions!.find((c) => c.type === 'Stalled')!.lastTransitionTime, '2030-01-01T00:00:00Z');
  assert.deepEqual(of(assess(dep({ failed: true }), [], T0).status), { Ready: 'False', Reconciling: 'False', Stalled: 'True' });
});
