import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readinessCheck, datacenterCheck, driverCheck, hostVolumeCheck, datacenterMatches, escapesClass } from './checks.ts';
import { FILTER_REASONS as R } from './reasons.ts';
import { mkNode, mkJob, mkGroup } from '../testing/fixtures.ts';
import { PlanState } from '../state.ts';
import { ClusterSnapshot } from '../cluster.ts';
import type { GroupView, JobView, NodeView } from '../structs.ts';
import type { FeasibilityCheck } from './types.ts';

const run = (c: FeasibilityCheck, node: NodeView, job: JobView = mkJob(), group: GroupView = job.groups[0]) =>
  c.check(node, { job, group, state: new PlanState(ClusterSnapshot.from([node], []), job) });

test('readiness: not ready, ineligible and draining nodes are filtered with their reason', () => {
  assert.equal(run(readinessCheck, mkNode('a')), undefined);
  assert.equal(run(readinessCheck, mkNode('a', { ready: false })), R.nodeNotReady);
  assert.equal(run(readinessCheck, mkNode('a', { eligible: false })), R.nodeIneligible);
  assert.equal(run(readinessCheck, mkNode('a', { draining: true })), R.nodeDraining);
});

test('datacenters match exactly or by glob', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', 'anything', true], ['dc1', 'dc1', true], ['dc1', 'dc2', false], ['us-*', 'us-east-1', true],
    ['us-*', 'eu-west-1', false], ['dc?', 'dc7', true], ['dc?', 'dc10', false], ['a.b', 'axb', false],
  ];
  for (const [pattern, dc, want] of cases) assert.equal(datacenterMatches(pattern, dc), want, `${pattern} ~ ${dc}`);
  const job = mkJob({ datacenters: ['eu-*', 'dc2'] });
  assert.equal(run(datacenterCheck, mkNode('a', { datacenter: 'dc2' }), job), undefined);
  assert.equal(run(datacenterCheck, mkNode('a', { datacenter: 'dc1' }), job), R.datacenter);
});

test('drivers must be detected and healthy; driver.<name> attributes count when no drivers map entry exists', () => {
  const job = mkJob({ groups: [mkGroup({ drivers: ['docker'] })] });
  assert.equal(run(driverCheck, mkNode('a'), job), undefined);
  assert.equal(run(driverCheck, mkNode('a', { drivers: { docker: { detected: true, healthy: false } } }), job), R.missingDrivers);
  assert.equal(run(driverCheck, mkNode('a', { drivers: {} }), job), R.missingDrivers);
  assert.equal(run(driverCheck, mkNode('a', { drivers: {}, attributes: { 'driver.docker': '1' } }), job), undefined);
});

test('host volumes must exist and be writable unless mounted read-only', () => {
  const rw = mkJob({ groups: [mkGroup({ hostVolumes: [{ name: 'data', source: 'pg', readOnly: false }] })] });
  const ro = mkJob({ groups: [mkGroup({ hostVolumes: [{ name: 'data', source: 'pg', readOnly: true }] })] });
  const writable = mkNode('a', { hostVolumes: { pg: { path: '/srv/pg', readOnly: false } } });
  const readOnly = mkNode('b', { hostVolumes: { pg: { path: '/srv/pg', readOnly: true } } });
  assert.equal(run(hostVolumeCheck, writable, rw), undefined);
  assert.equal(run(hostVolumeCheck, readOnly, rw), R.missingHostVolumes);
  assert.equal(run(hostVolumeCheck, readOnly, ro), undefined);
  assert.equal(run(hostVolumeCheck, mkNode('c'), ro), R.missingHostVolumes);
});

test('constraints on unique attributes escape the computed class', () => {
  assert.equal(escapesClass([{ attribute: '${attr.kernel.name}', operator: '=', value: 'linux' }]), false);
  assert.equal(escapesClass([{ attribute: '${node.unique.name}', operator: '!=', value: 'a' }]), true);
  assert.equal(escapesClass([{ attribute: '${attr.unique.hostname}', operator: 'regexp', value: 'x' }]), true);
});
