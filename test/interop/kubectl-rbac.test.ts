// kubectl, unmodified, on authentication and RBAC: `create serviceaccount` + `create token` (TokenRequest),
// `create role` / `create rolebinding` / `create clusterrolebinding`, and, as the ServiceAccount, `auth whoami`
// (SelfSubjectReview), `auth can-i` (SelfSubjectAccessReview) and the 403 a forbidden `get` prints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kubectl, kubectlAvailable, type KubectlResult } from '../support/kubectl.ts';
import { startApiServer, TEST_ADMIN_TOKEN, type TestApiServer } from '../support/server.ts';

const required = process.env.CI === 'true';
const available = await kubectlAvailable();

const ok = (r: KubectlResult, what: string) => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
};

describe('kubectl auth and RBAC', { skip: !available && !required ? 'kubectl is not installed (required when CI=true)' : false }, () => {
  let srv: TestApiServer;
  let admin: Kubectl;
  let ci: Kubectl | undefined;
  before(async () => {
    assert.ok(available, 'kubectl must be installed when CI=true');
    srv = await startApiServer({ adminToken: TEST_ADMIN_TOKEN });
    admin = await Kubectl.create(srv.url, undefined, TEST_ADMIN_TOKEN);
  });
  after(async () => {
    await ci?.close();
    await admin?.close();
    await srv?.close();
  });
  const k = async (...args: string[]) => ok(await admin.run(args), args.join(' '));

  it('without a token kubectl gets 401; with the admin token it is drover:admin', async () => {
    const anonymous = await Kubectl.create(srv.url);
    try {
      const r = await anonymous.run(['get', 'jobs.drover.dev']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Unauthorized|must be logged in/);
    } finally {
      await anonymous.close();
    }
    const me = JSON.parse(await k('auth', 'whoami', '-o', 'json'));
    assert.equal(me.kind, 'SelfSubjectReview');
    assert.equal(me.status.userInfo.username, 'drover:admin');
    assert.match(await k('auth', 'can-i', '*', '*'), /^yes$/m);
  });

  it('create token, create role, create rolebinding; the ServiceAccount can do what its role says and nothing else', async () => {
    ok(await admin.run(['create', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n'), 'create ns');
    assert.match(await k('create', 'serviceaccount', 'ci', '-n', 'team'), /serviceaccount\/ci created/);
    const token = (await k('create', 'token', 'ci', '-n', 'team', '--duration', '20m')).trim();
    assert.match(token, /^drover_/);
    assert.match(await k('create', 'role', 'job-reader', '-n', 'team', '--verb=get,list,watch', '--resource=jobs.drover.dev'), /role\.rbac\.authorization\.k8s\.io\/job-reader created/);
    assert.match(await k('create', 'rolebinding', 'ci-reads', '-n', 'team', '--role=job-reader', '--serviceaccount=team:ci'), /rolebinding\.rbac\.authorization\.k8s\.io\/ci-reads created/);
    const roles = await k('get', 'roles.rbac.authorization.k8s.io', '-n', 'team', '-o', 'json');
    assert.deepEqual(JSON.parse(roles).items[0].rules, [{ apiGroups: ['drover.dev'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }]);

    ci = await Kubectl.create(srv.url, undefined, token);
    const whoami = ok(await ci.run(['auth', 'whoami']), 'whoami');
    assert.match(whoami, /Username\s+system:serviceaccount:team:ci/);
    assert.match(whoami, /system:serviceaccounts:team/);
    const canI = async (...args: string[]) => (await ci!.run(['auth', 'can-i', ...args])).stdout.trim();
    assert.equal(await canI('list', 'jobs.drover.dev', '-n', 'team'), 'yes');
    assert.equal(await canI('watch', 'jobs.drover.dev', '-n', 'team'), 'yes');
    assert.equal(await canI('delete', 'jobs.drover.dev', '-n', 'team'), 'no');
    assert.equal(await canI('list', 'jobs.drover.dev', '-n', 'default'), 'no');
    assert.equal(await canI('list', 'secrets', '-n', 'team'), 'no');

    assert.equal(ok(await ci.run(['get', 'jobs.drover.dev', '-n', 'team', '-o', 'name']), 'get jobs').trim(), '');
    const denied = await ci.run(['get', 'jobs.drover.dev', '-n', 'default']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Error from server \(Forbidden\): jobs\.drover\.dev is forbidden: User "system:serviceaccount:team:ci" cannot list resource "jobs" in API group "drover\.dev" in the namespace "default"/);

    // A ClusterRoleBinding to view widens it to every namespace; deleting the account revokes the token.
    assert.match(await k('create', 'clusterrolebinding', 'ci-view', '--clusterrole=view', '--serviceaccount=team:ci'), /created/);
    assert.equal(await canI('list', 'jobs.drover.dev', '-n', 'default'), 'yes');
    await k('delete', 'serviceaccount', 'ci', '-n', 'team');
    const revoked = await ci.run(['get', 'jobs.drover.dev', '-n', 'team']);
    assert.notEqual(revoked.code, 0);
    assert.match(revoked.stderr, /Unauthorized|must be logged in/);
  });
});
