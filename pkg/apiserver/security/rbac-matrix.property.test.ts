// The RBAC matrix, property-based: random Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, random
// users in random groups, and random requests (every verb, list and watch included, namespaced and
// cluster-scoped kinds, the status subresource, named and collection requests, across namespaces). Each
// request goes through the real server (app.inject) and is judged against a reference evaluator written here,
// independently of pkg/auth/rbac.ts:
//   - no false denial: the reference allows ⇒ the server did not answer 403;
//   - no leak: the reference denies ⇒ 403; and whatever a permitted list or watch returned comes only from
//     namespaces the reference lets this user list/watch (no event from a forbidden namespace is delivered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';
import { rbacPath, securedServer, type SecuredServer } from './test-support.ts';

const NAMESPACES = ['a', 'b', 'c'];
const USERS = ['u1', 'u2', 'u3'];
const GROUPS = ['g1', 'g2'];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const RULE_RESOURCES = ['widgets', 'widgets/status', 'gadgets', '*', '*/status', 'gizmos'];
const NAMES = ['o1', 'o2'];
const RBAC = 'rbac.authorization.k8s.io';

interface Rule { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] }
interface Binding { namespace?: string; roleKind: 'Role' | 'ClusterRole'; roleName: string; subjects: Array<{ kind: 'User' | 'Group'; name: string }> }
interface Policy { roles: Array<{ namespace: string; name: string; rules: Rule[] }>; clusterRoles: Array<{ name: string; rules: Rule[] }>; bindings: Binding[]; clusterBindings: Binding[] }
interface Req { user: string; verb: string; resource: 'widgets' | 'gadgets'; sub: '' | 'status'; namespace: string; name: string }

// ---- the reference evaluator (the test's own reading of the Kubernetes RBAC documentation) ----

/** Every (verb, resource-with-subresource, name?) a rule grants, spelled out: the rule is a cross product. */
function ruleGrants(rule: Rule, verb: string, resource: string, sub: string, name: string): boolean {
  const verbOk = rule.verbs.some((v) => v === verb || v === '*');
  const groupOk = rule.apiGroups.some((g) => g === 'drover.dev' || g === '*');
  const wanted = sub === '' ? resource : `${resource}/${sub}`;
  const resourceOk = rule.resources.some((r) => r === '*' || r === wanted || (sub !== '' && r === `*/${sub}`));
  const namesOk = !rule.resourceNames || rule.resourceNames.length === 0 || (name !== '' && rule.resourceNames.includes(name));
  return verbOk && groupOk && resourceOk && namesOk;
}

function reference(policy: Policy, groupsOf: Record<string, string[]>, r: { user: string; verb: string; resource: string; sub: string; namespace: string; name: string }): boolean {
  const mine = (b: Binding) => b.subjects.some((s) => (s.kind === 'User' ? s.name === r.user : groupsOf[r.user]!.includes(s.name)));
  const clusterRole = (n: string) => policy.clusterRoles.find((c) => c.name === n);
  for (const b of policy.clusterBindings) {
    if (b.roleKind !== 'ClusterRole' || !mine(b)) continue;
    if ((clusterRole(b.roleName)?.rules ?? []).some((rule) => ruleGrants(rule, r.verb, r.resource, r.sub, r.name))) return true;
  }
  if (r.namespace === '') return false; // cluster-scoped or across namespaces: only ClusterRoleBindings grant
  for (const b of policy.bindings) {
    if (b.namespace !== r.namespace || !mine(b)) continue;
    const rules = b.roleKind === 'ClusterRole' ? clusterRole(b.roleName)?.rules : policy.roles.find((x) => x.namespace === r.namespace && x.name === b.roleName)?.rules;
    if ((rules ?? []).some((rule) => ruleGrants(rule, r.verb, r.resource, r.sub, r.name))) return true;
  }
  return false;
}

// ---- generators ----

const subset = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 });
const ruleArb: fc.Arbitrary<Rule> = fc.record({
  verbs: fc.oneof(subset(VERBS), fc.constant(['*'] as string[])),
  apiGroups: fc.constantFrom<string[]>(['drover.dev'], ['drover.dev'], ['*'], ['']),
  resources: subset(RULE_RESOURCES),
  resourceNames: fc.option(subset(NAMES), { nil: undefined, freq: 3 }),
});
const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 3 });
const subjectsArb = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('User' as const), name: fc.constantFrom(...USERS) }),
  fc.record({ kind: fc.constant('Group' as const), name: fc.constantFrom(...GROUPS) }),
), { minLength: 1, maxLength: 2 });
const ROLE_NAMES = ['r0', 'r1'];
const CLUSTER_ROLE_NAMES = ['cr0', 'cr1', 'team:ops'];
const rolesArb = fc.record({
  roles: fc.uniqueArray(fc.record({ namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...ROLE_NAMES), rules: rulesArb }), { maxLength: 4, selector: (r) => `${r.namespace}/${r.name}` }),
  clusterRoles: fc.uniqueArray(fc.record({ name: fc.constantFrom(...CLUSTER_ROLE_NAMES), rules: rulesArb }), { maxLength: 3, selector: (r) => r.name }),
});
/** Bindings mostly to roles that exist, sometimes to ones that do not (they grant nothing). */
const policyArb: fc.Arbitrary<Policy> = rolesArb.chain(({ roles, clusterRoles }) => {
  const dangling = fc.record({ namespace: fc.constantFrom(...NAMESPACES), roleKind: fc.constantFrom('Role' as const, 'ClusterRole' as const), roleName: fc.constantFrom(...ROLE_NAMES, ...CLUSTER_ROLE_NAMES), subjects: subjectsArb });
  const toRole = roles.length ? fc.record({ r: fc.constantFrom(...roles), subjects: subjectsArb }).map(({ r, subjects }) => ({ namespace: r.namespace, roleKind: 'Role' as const, roleName: r.name, subjects })) : dangling;
  const toClusterRole = clusterRoles.length
    ? fc.record({ r: fc.constantFrom(...clusterRoles), namespace: fc.constantFrom(...NAMESPACES), subjects: subjectsArb }).map(({ r, namespace, subjects }) => ({ namespace, roleKind: 'ClusterRole' as const, roleName: r.name, subjects }))
    : dangling;
  const clusterBinding = fc.record({ roleKind: fc.constant('ClusterRole' as const), roleName: fc.constantFrom(...CLUSTER_ROLE_NAMES), subjects: subjectsArb });
  return fc.record({
    roles: fc.constant(roles), clusterRoles: fc.constant(clusterRoles),
    bindings: fc.array(fc.oneof({ arbitrary: toRole, weight: 3 }, { arbitrary: toClusterRole, weight: 2 }, { arbitrary: dangling, weight: 1 }), { maxLength: 6 }),
    clusterBindings: fc.array(clusterBinding, { maxLength: 2 }),
  });
});
const groupsArb = fc.record(Object.fromEntries(USERS.map((u) => [u, fc.subarray(GROUPS)])) as Record<string, fc.Arbitrary<string[]>>);
const reqArb: fc.Arbitrary<Req> = fc.record({
  user: fc.constantFrom(...USERS),
  verb: fc.constantFrom(...VERBS),
  resource: fc.constantFrom('widgets' as const, 'gadgets' as const),
  sub: fc.constantFrom('' as const, 'status' as const),
  namespace: fc.constantFrom(...NAMESPACES, ''),
  name: fc.constantFrom(...NAMES),
}).map((r) => normalise(r));

/**
 * Requests aimed at what the policy grants (a binding's namespace and subject, a verb and resource of its
 * role's rules), so allowed requests are common and the near misses around them (the other verb, the
 * subresource, the next namespace) are tried too.
 */
function aimedReqArb(policy: Policy, groupsOf: Record<string, string[]>): fc.Arbitrary<Req> {
  const all = [...policy.bindings, ...policy.clusterBindings];
  if (all.length === 0) return reqArb;
  return fc.record({ b: fc.constantFrom(...all), pick: fc.nat(), near: fc.nat(3), base: reqArb }).map(({ b, pick, near, base }) => {
    const rules = b.roleKind === 'ClusterRole' ? policy.clusterRoles.find((c) => c.name === b.roleName)?.rules : policy.roles.find((x) => x.namespace === b.namespace && x.name === b.roleName)?.rules;
    const rule = rules?.[pick % rules.length];
    const subject = b.subjects[pick % b.subjects.length]!;
    const user = subject.kind === 'User' ? subject.name : USERS.find((u) => groupsOf[u]!.includes(subject.name)) ?? base.user;
    const verbs = rule && !rule.verbs.includes('*') ? rule.verbs : VERBS;
    const resourceSpec = rule?.resources[pick % rule.resources.length] ?? 'widgets';
    const [res, sub] = resourceSpec.split('/');
    const r: Req = {
      user, verb: near === 0 ? base.verb : verbs[pick % verbs.length]!,
      resource: res === 'gadgets' ? 'gadgets' : 'widgets', sub: (near === 1 ? base.sub : sub === 'status' ? 'status' : '') as Req['sub'],
      namespace: near === 2 ? base.namespace : b.namespace ?? base.namespace,
      name: rule?.resourceNames?.[pick % rule.resourceNames.length] ?? base.name,
    };
    return normalise(r);
  });
}

/** Shape a random request into one the API can express (the verb decides whether it names an object). */
function normalise(r: Req): Req {
  const collection = ['list', 'watch', 'create', 'deletecollection'].includes(r.verb);
  const clusterScoped = r.resource === 'gadgets';
  return {
    ...r,
    // Gadgets have no status; collections (and deletes) go to no subresource.
    sub: clusterScoped || collection || r.verb === 'delete' ? '' : r.sub,
    name: collection ? '' : r.name || NAMES[0]!,
    // Only lists and watches of widgets may go across namespaces.
    namespace: clusterScoped ? '' : r.namespace || (r.verb === 'list' || r.verb === 'watch' ? '' : 'a'),
  };
}

// ---- driving the server ----

async function install(t: SecuredServer, p: Policy): Promise<void> {
  const ref = (kind: string, name: string) => ({ apiGroup: RBAC, kind, name });
  const subjects = (b: Binding) => b.subjects.map((s) => ({ ...s, apiGroup: RBAC }));
  for (const r of p.roles) await t.admin('POST', rbacPath('roles', r.namespace), { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: r.name, namespace: r.namespace }, rules: r.rules });
  for (const r of p.clusterRoles) await t.admin('POST', rbacPath('clusterroles'), { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: r.name }, rules: r.rules });
  let i = 0;
  for (const b of p.bindings) {
    await t.admin('POST', rbacPath('rolebindings', b.namespace), { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: `rb${i++}`, namespace: b.namespace }, subjects: subjects(b), roleRef: ref(b.roleKind, b.roleName) });
  }
  for (const b of p.clusterBindings) {
    await t.admin('POST', rbacPath('clusterrolebindings'), { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: `crb${i++}` }, subjects: subjects(b), roleRef: ref(b.roleKind, b.roleName) });
  }
}

function pathOf(r: Req): string {
  const base = r.resource === 'gadgets' ? '/apis/drover.dev/v1/gadgets' : r.namespace ? `/apis/drover.dev/v1/namespaces/${r.namespace}/widgets` : '/apis/drover.dev/v1/widgets';
  return `${base}${r.name ? `/${r.name}` : ''}${r.sub ? `/${r.sub}` : ''}`;
}

function bodyOf(r: Req, n: number): { method: string; url: string; body?: unknown; headers?: Record<string, string> } {
  const kind = r.resource === 'gadgets' ? 'Gadget' : 'Widget';
  const obj = (name: string) => ({ apiVersion: 'drover.dev/v1', kind, metadata: { name, ...(r.resource === 'widgets' ? { namespace: r.namespace } : {}) }, spec: {} });
  switch (r.verb) {
    case 'get': return { method: 'GET', url: pathOf(r) };
    case 'list': return { method: 'GET', url: pathOf(r) };
    case 'watch': return { method: 'GET', url: `${pathOf(r)}?watch=true&timeoutSeconds=1&resourceVersion=0` };
    case 'create': return { method: 'POST', url: pathOf(r), body: obj(`new${n}`) };
    case 'update': return { method: 'PUT', url: pathOf(r), body: obj(r.name) };
    case 'patch': return { method: 'PATCH', url: pathOf(r), body: { metadata: { labels: { touched: 'yes' } } }, headers: { 'content-type': 'application/merge-patch+json' } };
    case 'delete': return { method: 'DELETE', url: pathOf(r) };
    default: return { method: 'DELETE', url: pathOf(r) };
  }
}

/** The namespaces of the objects a list body or watch stream carried. */
function namespacesIn(text: string, verb: string): string[] {
  if (verb === 'list') return (JSON.parse(text).items as Array<{ metadata: { namespace?: string } }>).map((o) => o.metadata.namespace ?? '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type !== 'BOOKMARK' && e.type !== 'ERROR').map((e) => e.object.metadata.namespace ?? '');
}

async function send(t: SecuredServer, token: string, req: { method: string; url: string; body?: unknown; headers?: Record<string, string> }, watch: boolean) {
  const pending = t.server.app.inject({
    method: req.method as 'GET', url: req.url, headers: { authorization: `Bearer ${token}`, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
    payload: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  if (watch) {
    // timeoutSeconds runs on the manual clock: move it on until the stream ends.
    let done = false;
    void pending.finally(() => (done = true));
    while (!done) {
      t.clock.advance(1000);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  return pending;
}

test('RBAC matrix: no leaks and no false denials against a reference evaluator', { timeout: TEST_HANG_GUARD_MS }, async (tc) => {
  let runs = 0;
  let allowedSeen = 0;
  let deniedSeen = 0;
  const caseArb = fc.tuple(policyArb, groupsArb).chain(([policy, groupsOf]) =>
    fc.tuple(fc.constant(policy), fc.constant(groupsOf), fc.array(fc.oneof(reqArb, aimedReqArb(policy, groupsOf), aimedReqArb(policy, groupsOf)), { minLength: 10, maxLength: 25 })));
  let statusAllowed = 0;
  await fc.assert(fc.asyncProperty(caseArb, async ([policy, groupsOf, reqs]) => {
    runs++;
    const t = await securedServer();
    try {
      for (const ns of NAMESPACES) {
        await t.admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        for (const n of NAMES) await t.admin('POST', `/apis/drover.dev/v1/namespaces/${ns}/widgets`, { apiVersion: 'drover.dev/v1', kind: 'Widget', metadata: { name: n }, spec: {} });
      }
      for (const n of NAMES) await t.admin('POST', '/apis/drover.dev/v1/gadgets', { apiVersion: 'drover.dev/v1', kind: 'Gadget', metadata: { name: n }, spec: {} });
      await install(t, policy);
      const tokens: Record<string, string> = {};
      for (const u of USERS) tokens[u] = await t.mintToken(u, groupsOf[u]);
      for (const [i, r] of reqs.entries()) {
        const allowed = reference(policy, groupsOf, r);
        const res = await send(t, tokens[r.user]!, bodyOf(r, i), r.verb === 'watch' && allowed);
        const what = `${r.user} (groups ${groupsOf[r.user]}) ${r.verb} ${pathOf(r)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (!allowed) {
          assert.equal(res.statusCode, 403, `leak: the reference denies ${what}`);
          deniedSeen++;
          continue;
        }
        allowedSeen++;
        if (r.sub === 'status') statusAllowed++;
        assert.notEqual(res.statusCode, 403, `false denial: ${what}`);
        assert.ok(res.statusCode < 500 && res.statusCode !== 401, what);
        if ((r.verb === 'list' || r.verb === 'watch') && res.statusCode === 200) {
          for (const ns of namespacesIn(res.body, r.verb)) {
            const entitled = reference(policy, groupsOf, { ...r, namespace: ns, name: '' }) || reference(policy, groupsOf, { ...r, namespace: '', name: '' });
            assert.ok(entitled, `leak: ${r.verb} delivered an object of namespace "${ns}": ${what}`);
            if (r.namespace !== '') assert.equal(ns, r.namespace, what);
          }
        }
      }
    } finally {
      await t.close();
    }
  }), { numRuns: 30 });
  tc.diagnostic(`${runs} policies, ${allowedSeen} allowed requests (${statusAllowed} on status), ${deniedSeen} denied`);
  // The generators must reach both outcomes, or the property proves little.
  assert.ok(runs >= 30 && allowedSeen > 50 && deniedSeen > 50 && statusAllowed > 5, `runs ${runs}, allowed ${allowedSeen} (status ${statusAllowed}), denied ${deniedSeen}`);
});

test('the reference evaluator itself: a hand-checked table', () => {
  const policy: Policy = {
    roles: [{ namespace: 'a', name: 'r0', rules: [{ verbs: ['get'], apiGroups: ['drover.dev'], resources: ['widgets'], resourceNames: ['o1'] }] }],
    clusterRoles: [{ name: 'cr0', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] }] }],
    bindings: [{ namespace: 'a', roleKind: 'Role', roleName: 'r0', subjects: [{ kind: 'User', name: 'u1' }] }],
    clusterBindings: [{ roleKind: 'ClusterRole', roleName: 'cr0', subjects: [{ kind: 'Group', name: 'g1' }] }],
  };
  const groups = { u1: [], u2: ['g1'], u3: [] };
  const cases: Array<[Partial<Req>, boolean]> = [
    [{ user: 'u1', verb: 'get', namespace: 'a', name: 'o1' }, true],
    [{ user: 'u1', verb: 'get', namespace: 'a', name: 'o2' }, false],
    [{ user: 'u1', verb: 'get', namespace: 'b', name: 'o1' }, false],
    [{ user: 'u1', verb: 'list', namespace: 'a', name: '' }, false],
    [{ user: 'u2', verb: 'update', namespace: 'b', name: 'o1', sub: 'status' }, true],
    [{ user: 'u2', verb: 'update', namespace: 'b', name: 'o1' }, false],
    [{ user: 'u3', verb: 'get', namespace: 'a', name: 'o1' }, false],
  ];
  for (const [r, want] of cases) {
    assert.equal(reference(policy, groups, { resource: 'widgets', sub: '', ...r } as Req), want, JSON.stringify(r));
  }
});
