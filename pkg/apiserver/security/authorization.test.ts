// RBAC in front of the generic handler, through app.inject(): Roles and RoleBindings grant inside their
// namespace, ClusterRoleBindings everywhere; verbs, subresources and resourceNames are honoured; refusals are
// Kubernetes' 403 Status; SelfSubjectAccessReview and SubjectAccessReview answer with the same evaluator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { widget, widgetsPath } from '../test-support.ts';
import { ADMIN_TOKEN, rbacPath, securedServer, type SecuredServer } from './test-support.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';
const role = (ns: string, name: string, rules: unknown[]) => ({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace: ns }, rules });
const binding = (ns: string, name: string, roleKind: string, roleName: string, subjects: unknown[]) =>
  ({ apiVersion: RBAC, kind: 'RoleBinding', metadata: { name, namespace: ns }, subjects, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName } });
const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** A watch's response: its timeoutSeconds pass on the manual clock, advanced until the stream ends. */
async function endWatch<T>(t: SecuredServer, pending: Promise<T>): Promise<T> {
  let done = false;
  void pending.finally(() => (done = true));
  while (!done) {
    t.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 5));
  }
  return pending;
}

async function withTeams(fn: (t: SecuredServer) => Promise<void>): Promise<void> {
  const t = await securedServer();
  try {
    for (const n of ['a', 'b']) await t.admin('POST', '/api/v1/namespaces', ns(n));
    for (const n of ['a', 'b']) await t.admin('POST', widgetsPath(n), widget('w1'));
    await fn(t);
  } finally {
    await t.close();
  }
}

test('a user with no bindings is refused with Kubernetes 403 messages', () => withTeams(async (t) => {
  const nobody = await t.mintToken('nobody');
  const get = await t.as(nobody, 'GET', widgetsPath('a', 'w1'));
  assert.equal(get.code, 403);
  assert.deepEqual(get.body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
    message: 'widgets.drover.dev "w1" is forbidden: User "nobody" cannot get resource "widgets" in API group "drover.dev" in the namespace "a"',
    details: { name: 'w1', group: 'drover.dev', kind: 'widgets' },
  });
  const list = await t.as(nobody, 'GET', '/apis/drover.dev/v1/widgets');
  assert.equal(list.body.message, 'widgets.drover.dev is forbidden: User "nobody" cannot list resource "widgets" in API group "drover.dev" at the cluster scope');
  const status = await t.as(nobody, 'PUT', widgetsPath('a', 'w1', 'status'), widget('w1'));
  assert.match(status.body.message, /cannot update resource "widgets\/status" in API group "drover.dev" in the namespace "a"$/);
  // An unknown path is as forbidden as a known one: nothing is revealed about what exists.
  assert.equal((await t.as(nobody, 'GET', '/apis/nothere.example/v1/things')).code, 403);
  assert.equal((await t.as(nobody, 'GET', '/apis/drover.dev/v1/namespaces/a/nothings')).code, 403);
}));

test('a Role and RoleBinding grant their verbs in their namespace only', () => withTeams(async (t) => {
  const alice = await t.mintToken('alice');
  await t.admin('POST', rbacPath('roles', 'a'), role('a', 'reader', [{ apiGroups: ['drover.dev'], resources: ['widgets'], verbs: ['get', 'list', 'watch'] }]));
  await t.admin('POST', rbacPath('rolebindings', 'a'), binding('a', 'alice-reads', 'Role', 'reader', [user('alice')]));
  assert.equal((await t.as(alice, 'GET', widgetsPath('a', 'w1'))).code, 200);
  assert.equal((await t.as(alice, 'GET', widgetsPath('a'))).code, 200);
  const watch = await endWatch(t, t.as(alice, 'GET', `${widgetsPath('a')}?watch=true&timeoutSeconds=1&resourceVersion=0`));
  assert.equal(watch.code, 200);
  assert.match(watch.text, /"w1"/);
  assert.equal((await t.as(alice, 'GET', `${widgetsPath('b')}?watch=true&timeoutSeconds=1`)).code, 403, 'watch in another namespace');
  assert.equal((await t.as(alice, 'GET', widgetsPath('b', 'w1'))).code, 403, 'other namespace');
  assert.equal((await t.as(alice, 'GET', '/apis/drover.dev/v1/widgets')).code, 403, 'across namespaces');
  assert.equal((await t.as(alice, 'POST', widgetsPath('a'), widget('w2'))).code, 403, 'create is not granted');
  assert.equal((await t.as(alice, 'PUT', widgetsPath('a', 'w1', 'status'), widget('w1'))).code, 403, 'widgets does not cover widgets/status');
  // Revoking the binding takes effect on the next request.
  await t.admin('DELETE', rbacPath('rolebindings', 'a', 'alice-reads'));
  assert.equal((await t.as(alice, 'GET', widgetsPath('a', 'w1'))).code, 403);
}));

test('resourceNames, subresources and wildcards', () => withTeams(async (t) => {
  const bob = await t.mintToken('bob', ['ops']);
  await t.admin('POST', widgetsPath('a'), widget('w2'));
  await t.admin('POST', rbacPath('roles', 'a'), role('a', 'one', [
    { apiGroups: ['drover.dev'], resources: ['widgets'], resourceNames: ['w1'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: ['*'], resources: ['*/status'], verbs: ['update'] },
  ]));
  await t.admin('POST', rbacPath('rolebindings', 'a'), binding('a', 'ops-one', 'Role', 'one', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }]));
  assert.equal((await t.as(bob, 'GET', widgetsPath('a', 'w1'))).code, 200);
  assert.equal((await t.as(bob, 'GET', widgetsPath('a', 'w2'))).code, 403, 'another name');
  assert.equal((await t.as(bob, 'GET', widgetsPath('a'))).code, 403, 'a list is not one name');
  assert.equal((await t.as(bob, 'GET', `${widgetsPath('a')}?fieldSelector=metadata.name%3Dw1`)).code, 200, 'a list selecting that one name is');
  const w = (await t.admin('GET', widgetsPath('a', 'w2'))).body;
  assert.equal((await t.as(bob, 'PUT', widgetsPath('a', 'w2', 'status'), { ...w, status: { phase: 'x' } })).code, 200, '*/status');
  assert.equal((await t.as(bob, 'PUT', widgetsPath('a', 'w2'), w)).code, 403);
}));

test('ClusterRoles: bound by a RoleBinding they stay in its namespace; a ClusterRoleBinding grants everywhere', () => withTeams(async (t) => {
  const carol = await t.mintToken('carol');
  await t.admin('POST', rbacPath('rolebindings', 'b'), binding('b', 'carol-edit', 'ClusterRole', 'edit', [user('carol')]));
  assert.equal((await t.as(carol, 'POST', widgetsPath('b'), widget('new'))).code, 201);
  assert.equal((await t.as(carol, 'POST', widgetsPath('a'), widget('new'))).code, 403);
  assert.equal((await t.as(carol, 'GET', '/apis/drover.dev/v1/gadgets')).code, 403, 'cluster-scoped kinds need a ClusterRoleBinding');
  await t.admin('POST', rbacPath('clusterrolebindings'), { ...binding('', 'carol-view', 'ClusterRole', 'view', [user('carol')]), kind: 'ClusterRoleBinding', metadata: { name: 'carol-view' } });
  assert.equal((await t.as(carol, 'GET', '/apis/drover.dev/v1/gadgets')).code, 200);
  assert.equal((await t.as(carol, 'GET', '/apis/drover.dev/v1/widgets')).code, 200);
  assert.equal((await t.as(carol, 'GET', '/api/v1/namespaces/a/secrets')).code, 403, 'view does not read secrets');
  assert.equal((await t.as(carol, 'DELETE', widgetsPath('a', 'w1'))).code, 403);
}));

test('ServiceAccount subjects match the account of a TokenRequest token', () => withTeams(async (t) => {
  await t.admin('POST', '/api/v1/namespaces/a/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci' } });
  const token = (await t.admin('POST', '/api/v1/namespaces/a/serviceaccounts/ci/token', {})).body.status.token as string;
  assert.equal((await t.as(token, 'GET', widgetsPath('a'))).code, 403);
  await t.admin('POST', rbacPath('rolebindings', 'a'), binding('a', 'ci-view', 'ClusterRole', 'view', [{ kind: 'ServiceAccount', name: 'ci', namespace: 'a' }]));
  assert.equal((await t.as(token, 'GET', widgetsPath('a'))).code, 200);
}));

test('RBAC object rules: role names are path segments, roleRef cannot change', () => withTeams(async (t) => {
  const crb = { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'team:x' }, subjects: [user('x')], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } };
  const created = await t.admin('POST', rbacPath('clusterrolebindings'), crb);
  const changed = await t.as(ADMIN_TOKEN, 'PUT', rbacPath('clusterrolebindings', undefined, 'team:x'), { ...created.body, roleRef: { ...crb.roleRef, name: 'edit' } });
  assert.equal(changed.code, 422);
  assert.equal(changed.body.details.causes[0].field, 'roleRef');
  const slash = await t.as(ADMIN_TOKEN, 'POST', rbacPath('clusterroles'), { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'a/b' }, rules: [] });
  assert.equal(slash.code, 422);
  const names = (await t.admin('GET', rbacPath('clusterroles'))).body.items.map((r: { metadata: { name: string } }) => r.metadata.name);
  for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'drover:node', 'drover:scheduler', 'drover:controller']) assert.ok(names.includes(n), n);
}));

test('SelfSubjectAccessReview and SubjectAccessReview answer as the authorizer decides', () => withTeams(async (t) => {
  const dan = await t.mintToken('dan');
  await t.admin('POST', rbacPath('rolebindings', 'a'), binding('a', 'dan-view', 'ClusterRole', 'view', [user('dan')]));
  const ssar = (attrs: Record<string, unknown>) => t.as(dan, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } });
  const yes = await ssar({ namespace: 'a', verb: 'list', group: 'drover.dev', resource: 'widgets' });
  assert.equal(yes.code, 201);
  assert.equal(yes.body.status.allowed, true);
  assert.match(yes.body.status.reason, /RoleBinding "dan-view\/a"/);
  assert.equal((await ssar({ namespace: 'b', verb: 'list', group: 'drover.dev', resource: 'widgets' })).body.status.allowed, false);
  assert.equal((await ssar({ namespace: 'a', verb: 'delete', group: 'drover.dev', resource: 'widgets' })).body.status.allowed, false);
  const bad = await t.as(dan, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: {} });
  assert.equal(bad.code, 422);
  const sarPath = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
  const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'dan', resourceAttributes: { namespace: 'a', verb: 'get', group: 'drover.dev', resource: 'widgets' } } };
  assert.equal((await t.as(dan, 'POST', sarPath, sar)).code, 403, 'asking about others is an admin power');
  assert.equal((await t.admin('POST', sarPath, sar)).body.status.allowed, true);
  assert.equal((await t.admin('POST', sarPath, { ...sar, spec: { ...sar.spec, user: 'eve' } })).body.status.allowed, false);
}));
