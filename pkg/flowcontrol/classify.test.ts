// Classification: Drover's own agents and components are the system (their leases and writes in `system`, their
// reads in `workload-high`), an authenticated user is classified by groups, everyone else is `global-default`;
// the flow is the user, or the User-Agent until there is one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, LEVELS } from './classify.ts';

test('node heartbeats and component writes are system; their lists and watches workload-high', () => {
  assert.deepEqual(classify({ userAgent: 'drover-agent-simulated/0.1', verb: 'update', resource: 'leases', namespace: 'drover-node-lease' }), { level: LEVELS.system, flow: 'ua:drover-agent-simulated/0.1' });
  assert.equal(classify({ userAgent: 'drover-agent/0.1', verb: 'get', resource: 'leases' }).level, LEVELS.system, 'a lease read is part of a renewal');
  assert.equal(classify({ userAgent: 'drover-agent/0.1', verb: 'update', resource: 'allocations', subresource: 'status' }).level, LEVELS.system);
  assert.equal(classify({ userAgent: 'drover server/components', verb: 'create', resource: 'evaluations' }).level, LEVELS.system);
  assert.equal(classify({ userAgent: 'drover server/components', verb: 'watch', resource: 'allocations' }).level, LEVELS.workloadHigh);
  assert.equal(classify({ userAgent: 'drover-agent/0.1', verb: 'list', resource: 'allocations' }).level, LEVELS.workloadHigh);
});

test('anyone else is global-default, one flow per client identity', () => {
  assert.deepEqual(classify({ userAgent: 'kubectl/v1.31', verb: 'list', resource: 'allocations' }), { level: LEVELS.globalDefault, flow: 'ua:kubectl/v1.31' });
  assert.deepEqual(classify({ verb: 'update', resource: 'leases' }), { level: LEVELS.globalDefault, flow: 'anonymous' }, 'a lease write from an unknown client is no heartbeat');
  assert.equal(classify({ userAgent: 'drover/0.1', verb: 'create', resource: 'jobs' }).level, LEVELS.globalDefault, 'the CLI is a user');
});

test("Drover's own identities (pkg/auth) are the system; an administrator is not", () => {
  assert.equal(classify({ user: { name: 'drover:node:n1', groups: ['drover:nodes', 'system:authenticated'] }, verb: 'update', resource: 'leases' }).level, LEVELS.system);
  assert.equal(classify({ user: { name: 'drover:components', groups: ['drover:controllers', 'drover:schedulers', 'drover:nodes'] }, verb: 'create', resource: 'evaluations' }).level, LEVELS.system);
  assert.equal(classify({ user: { name: 'drover:admin', groups: ['system:masters'] }, verb: 'list', resource: 'allocations' }).level, LEVELS.globalDefault);
});

test('an authenticated user is classified by name and groups, not by what its User-Agent claims', () => {
  assert.deepEqual(classify({ user: { name: 'system:node:n1', groups: ['system:nodes'] }, userAgent: 'curl/8', verb: 'update', resource: 'leases' }), { level: LEVELS.system, flow: 'user:system:node:n1' });
  assert.deepEqual(classify({ user: { name: 'alice', groups: ['dev'] }, userAgent: 'drover-agent/0.1', verb: 'update', resource: 'leases' }), { level: LEVELS.globalDefault, flow: 'user:alice' });
});
