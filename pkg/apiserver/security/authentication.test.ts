// Authentication end to end through app.inject(): no, forged, expired and revoked tokens get 401; health
// checks stay open while discovery needs a user; ServiceAccount tokens come from TokenRequest, are stored
// only hashed, and die with their account; SelfSubjectReview says who the caller is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';
import { tokenHash } from '../../auth/token.ts';
import { widget, widgetsPath } from '../test-support.ts';
import { ADMIN_TOKEN, securedServer } from './test-support.ts';

const TOKENS = '/apis/auth.drover.dev/v1/tokens';
const whoami = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };

test('no token, a forged token, an expired token and a revoked token are all 401 Unauthorized', async () => {
  const t = await securedServer({ authorization: 'AlwaysAllow' });
  try {
    const cases: Array<[string, string | undefined]> = [['none', undefined], ['forged', 'drover_forged'], ['malformed header', '']];
    for (const [what, token] of cases) {
      const r = token === '' ? await t.req('GET', widgetsPath(), undefined, { authorization: 'Basic Zm9vOmJhcg==' }) : await t.as(token, 'GET', widgetsPath());
      assert.equal(r.code, 401, what);
      assert.deepEqual({ kind: r.body.kind, reason: r.body.reason, code: r.body.code }, { kind: 'Status', reason: 'Unauthorized', code: 401 }, what);
    }
    const expiring = await t.mintToken('alice', [], t.clock.now() + 60_000);
    assert.equal((await t.as(expiring, 'GET', widgetsPath())).code, 200);
    t.clock.advance(60_000);
    assert.equal((await t.as(expiring, 'GET', widgetsPath())).code, 401, 'expired');

    const revoked = await t.mintToken('bob');
    assert.equal((await t.as(revoked, 'GET', widgetsPath())).code, 200);
    await t.admin('DELETE', `${TOKENS}/${tokenHash(revoked)}`);
    assert.equal((await t.as(revoked, 'GET', widgetsPath())).code, 401, 'revoked: the very next request');
  } finally {
    await t.close();
  }
});

test('health checks are open; discovery, OpenAPI, version and metrics need a user', async () => {
  const t = await securedServer();
  try {
    for (const p of ['/healthz', '/livez', '/readyz']) assert.equal((await t.as(undefined, 'GET', p)).code, 200, p);
    for (const p of ['/api', '/apis', '/version', '/openapi/v3', '/metrics', '/apis/drover.dev/v1']) {
      assert.equal((await t.as(undefined, 'GET', p)).code, 401, p);
    }
    const user = await t.mintToken('carol');
    for (const p of ['/api', '/apis', '/version', '/openapi/v3', '/apis/drover.dev/v1']) assert.equal((await t.as(user, 'GET', p)).code, 200, p);
    // /metrics is an operator's: cluster-admin's nonResourceURLs, not basic-user's.
    assert.equal((await t.as(user, 'GET', '/metrics')).code, 403);
    assert.equal((await t.as(ADMIN_TOKEN, 'GET', '/metrics')).code, 200);
  } finally {
    await t.close();
  }
});

test('tokens are stored only as their SHA-256; the name must be one', async () => {
  const t = await securedServer();
  try {
    const token = await t.mintToken('dave', ['devs']);
    const { kvs } = await t.store.list('/');
    const all = kvs.map((kv) => kv.value).join('\n');
    assert.ok(!all.includes(token), 'the token itself is nowhere in the store');
    assert.ok(!all.includes(ADMIN_TOKEN), 'nor the bootstrap admin token');
    assert.ok(all.includes(tokenHash(token)));
    const bad = await t.as(ADMIN_TOKEN, 'POST', TOKENS, { apiVersion: 'auth.drover.dev/v1', kind: 'Token', metadata: { name: 'plain' }, spec: { user: 'x' } });
    assert.equal(bad.code, 422);
    assert.equal(bad.body.details.causes[0].field, 'metadata.name');
  } finally {
    await t.close();
  }
});

test('SelfSubjectReview returns the caller: user tokens with their groups, and system:authenticated', async () => {
  const t = await securedServer();
  try {
    const token = await t.mintToken('erin', ['team-a']);
    const r = await t.as(token, 'POST', whoami, review);
    assert.equal(r.code, 201);
    assert.equal(r.body.status.userInfo.username, 'erin');
    assert.deepEqual(r.body.status.userInfo.groups, ['team-a', 'system:authenticated']);
    const admin = await t.as(ADMIN_TOKEN, 'POST', whoami, review);
    assert.deepEqual([admin.body.status.userInfo.username, admin.body.status.userInfo.groups], ['drover:admin', ['system:masters', 'system:authenticated']]);
    assert.equal((await t.as(token, 'POST', whoami, { ...review, kind: 'Other' })).code, 422);
  } finally {
    await t.close();
  }
});

test('TokenRequest issues ServiceAccount tokens with an expiry; deleting the account revokes them', async () => {
  const t = await securedServer();
  try {
    const sa = '/api/v1/namespaces/default/serviceaccounts';
    assert.equal((await t.as(ADMIN_TOKEN, 'POST', `${sa}/ghost/token`, {})).code, 404);
    await t.admin('POST', sa, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    const issued = await t.admin('POST', `${sa}/builder/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
    assert.equal(issued.code, 201);
    assert.equal(issued.body.kind, 'TokenRequest');
    const token = issued.body.status.token as string;
    assert.equal(Date.parse(issued.body.status.expirationTimestamp), t.clock.now() + 600_000);
    const me = await t.as(token, 'POST', whoami, review);
    assert.equal(me.body.status.userInfo.username, 'system:serviceaccount:default:builder');
    assert.ok(me.body.status.userInfo.groups.includes('system:serviceaccounts:default'));

    for (const spec of [{ expirationSeconds: 5 }, { audiences: ['vault'] }, { boundObjectRef: { kind: 'Pod', name: 'x' } }, { nonsense: 1 }]) {
      const r = await t.as(ADMIN_TOKEN, 'POST', `${sa}/builder/token`, { spec });
      assert.equal(r.code, 422, JSON.stringify(spec));
      assert.match(r.body.details.causes[0].field, /^spec\./);
    }

    await t.admin('DELETE', `${sa}/builder`);
    assert.equal((await t.as(token, 'POST', whoami, review)).code, 401, 'the account is gone');
    await t.admin('POST', sa, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    assert.equal((await t.as(token, 'POST', whoami, review)).code, 401, 'a new account of the same name is another identity');

    const fresh = (await t.admin('POST', `${sa}/builder/token`, {})).body.status.token as string;
    t.clock.advance(3600_000);
    assert.equal((await t.as(fresh, 'POST', whoami, review)).code, 401, 'the default lifetime is one hour');
  } finally {
    await t.close();
  }
});

test('without authentication the same server answers everyone (library and unit-test default)', async () => {
  const { testServer } = await import('../test-support.ts');
  const t = await testServer();
  try {
    assert.equal((await t.req('POST', widgetsPath(), widget('w'))).code, 201);
  } finally {
    await t.close();
  }
});

test('a token revoked through one API server is refused by another on the same store once its cache has the delete', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const a = await securedServer();
  const { createApiServer } = await import('../server.ts');
  const { silentLogger } = await import('../../log/logger.ts');
  const b = await createApiServer({ store: a.store, logger: silentLogger, compactionIntervalMs: 0, authentication: {} });
  try {
    const token = await a.mintToken('frank', ['system:masters']);
    const viaB = () => b.app.inject({ method: 'GET', url: '/api/v1/namespaces/default/serviceaccounts', headers: { authorization: `Bearer ${token}` } });
    // B learns of the new Token through its watch cache: wait for it, then revoke through A.
    while ((await viaB()).statusCode !== 200) await new Promise((r) => setTimeout(r, 10));
    await a.admin('DELETE', `${TOKENS}/${tokenHash(token)}`);
    let code = 200;
    while ((code = (await viaB()).statusCode) === 200) await new Promise((r) => setTimeout(r, 10));
    assert.equal(code, 401);
  } finally {
    await b.close();
    await a.close();
  }
});
