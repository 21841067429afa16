// Discovery, version, OpenAPI, health, metrics, auth, body limits, media types and error bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError } from '../apierrors/status.ts';
import { jsonLogger } from '../log/logger.ts';
import { testServer, widget, widgetsPath } from './test-support.ts';

test('discovery documents have the shapes kubectl expects', async () => {
  const t = await testServer();
  try {
    const api = await t.req('GET', '/api');
    assert.deepEqual(api.body.versions, ['v1'], 'Namespace is core/v1');
    assert.equal(api.body.kind, 'APIVersions');
    const apis = await t.req('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(apis.code, 200);
    // Plain JSON (no as=APIGroupDiscoveryList) so client-go falls back to legacy discovery.
    assert.match(String(apis.headers['content-type']), /^application\/json(;\s*charset=utf-8)?$/);
    assert.equal(apis.body.kind, 'APIGroupList');
    assert.deepEqual(apis.body.groups[0].preferredVersion, { groupVersion: 'drover.dev/v1', version: 'v1' });
    const group = await t.req('GET', '/apis/drover.dev');
    assert.equal(group.body.kind, 'APIGroup');
    assert.equal(group.body.name, 'drover.dev');
    const list = await t.req('GET', '/apis/drover.dev/v1');
    assert.equal(list.body.kind, 'APIResourceList');
    assert.equal(list.body.groupVersion, 'drover.dev/v1');
    const names = list.body.resources.map((r: any) => r.name);
    assert.deepEqual(names, ['widgets', 'widgets/status', 'gadgets']);
    const w = list.body.resources[0];
    assert.deepEqual(
      { singularName: w.singularName, namespaced: w.namespaced, kind: w.kind, shortNames: w.shortNames, categories: w.categories },
      { singularName: 'widget', namespaced: true, kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    );
    assert.ok(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'].every((v) => w.verbs.includes(v)));
    assert.deepEqual(list.body.resources[1].verbs, ['get', 'patch', 'update']);
    const version = await t.req('GET', '/version');
    assert.equal(version.body.major, '1');
    assert.equal(version.body.minor, '30');
    assert.match(version.body.gitVersion, /^v1\.30\.0-drover/);
    assert.match(version.body.platform, /\//);
  } finally {
    await t.close();
  }
});

test('OpenAPI v3 root points at the group-version document by hash; v2 is Swagger 2.0 JSON of the same schemas', async () => {
  const t = await testServer();
  try {
    const root = await t.req('GET', '/openapi/v3');
    const url: string = root.body.paths['apis/drover.dev/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/apis\/drover\.dev\/v1\?hash=[0-9A-F]+$/);
    const doc = await t.req('GET', url);
    assert.equal(doc.code, 200);
    assert.ok(doc.body.components.schemas['dev.drover.v1.Widget']);
    const v2 = await t.req('GET', '/openapi/v2');
    assert.equal(v2.code, 200);
    assert.equal(v2.body.swagger, '2.0');
    assert.deepEqual(v2.body.definitions['dev.drover.v1.Widget'].properties.spec, doc.body.components.schemas['dev.drover.v1.Widget'].properties.spec);
    assert.match(root.body.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=/, 'Namespace is a core kind: a core document');
    const pb = await t.req('GET', '/openapi/v2', undefined, { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(pb.code, 406);
    assert.equal(pb.body.reason, 'NotAcceptable');
    const both = await t.req('GET', '/openapi/v2', undefined, { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json' });
    assert.equal(both.code, 200);
  } finally {
    await t.close();
  }
});

test('health, readiness and per-server metrics', async () => {
  const t = await testServer();
  try {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await t.req('GET', p);
      assert.equal(r.code, 200, p);
      assert.equal(r.text, 'ok');
    }
    await t.req('POST', widgetsPath(), widget('a'));
    await t.req('GET', widgetsPath());
    const m = await t.req('GET', '/metrics');
    assert.match(m.text, /apiserver_request_duration_seconds_count\{verb="POST",resource="widgets",subresource="",code="201"\} 1/);
    assert.match(m.text, /apiserver_request_duration_seconds_count\{verb="LIST",resource="widgets",subresource="",code="200"\} 1/);
    assert.match(m.text, /# TYPE apiserver_watch_events_total counter/);
    // The process's heap, read when scraped.
    const heap = Number(/^nodejs_heap_size_used_bytes (\d+)$/m.exec(m.text)?.[1]);
    assert.ok(heap > 0, `nodejs_heap_size_used_bytes ${heap}`);
    assert.ok(Number(/^nodejs_heap_size_total_bytes (\d+)$/m.exec(m.text)?.[1]) >= heap);
    // A second server has its own registry.
    const other = await testServer();
    try {
      assert.doesNotMatch((await other.req('GET', '/metrics')).text, /verb="POST",resource="widgets"/);
    } finally {
      await other.close();
    }
  } finally {
    await t.close();
  }
});

test('a token requires Authorization: Bearer, except for health checks', async () => {
  const t = await testServer({ authentication: { bootstrapTokens: [{ token: 's3cret', user: 'drover:admin', groups: ['system:masters'], description: 'test' }] } });
  try {
    const denied = await t.req('GET', widgetsPath());
    assert.equal(denied.code, 401);
    assert.equal(denied.body.reason, 'Unauthorized');
    assert.equal((await t.req('GET', widgetsPath(), undefined, { authorization: 'Bearer wrong' })).code, 401);
    assert.equal((await t.req('GET', widgetsPath(), undefined, { authorization: 'Bearer s3cret' })).code, 200);
    assert.equal((await t.req('GET', '/healthz')).code, 200);
  } finally {
    await t.close();
  }
});

test('transport-level errors are Status bodies: 413, 415, 404, 405', async () => {
  const t = await testServer({ bodyLimitBytes: 1024 });
  try {
    const big = await t.req('POST', widgetsPath(), widget('big', { color: 'x'.repeat(2000) }));
    assert.equal(big.code, 413);
    assert.equal(big.body.reason, 'RequestEntityTooLarge');
    const proto = await t.req('POST', widgetsPath(), 'x', { 'content-type': 'application/vnd.kubernetes.protobuf' });
    assert.equal(proto.code, 415);
    assert.equal(proto.body.reason, 'UnsupportedMediaType');
    const bare = await t.server.app.inject({ method: 'POST', url: widgetsPath(), payload: JSON.stringify(widget('bare')) });
    assert.equal(bare.statusCode, 201, 'a body without Content-Type is read as JSON');
    const nf = await t.req('GET', '/apis/drover.dev/v1/namespaces/default/unknowns');
    assert.equal(nf.code, 404);
    assert.equal(nf.body.kind, 'Status');
    const na = await t.req('POST', widgetsPath('default', 'x'), widget('x'));
    assert.equal(na.code, 405);
    assert.equal(na.body.reason, 'MethodNotAllowed');
  } finally {
    await t.close();
  }
});

test('plugins add endpoints that take precedence over the generic handler', async () => {
  const t = await testServer({
    plugins: [
      (app, ctx) => {
        app.get('/ui', async (_req, reply) => reply.type('text/html').send('<h1>drover</h1>'));
        app.post('/apis/drover.dev/v1/namespaces/:ns/widgets/:name/plan', async (req) => ({ kinds: ctx.kinds.length, params: req.params }));
      },
    ],
  });
  try {
    const ui = await t.req('GET', '/ui');
    assert.equal(ui.code, 200);
    assert.equal(ui.text, '<h1>drover</h1>');
    const plan = await t.req('POST', widgetsPath('default', 'w1', 'plan'), {});
    assert.equal(plan.code, 200, plan.text);
    assert.deepEqual(plan.body, { kinds: 3, params: { ns: 'default', name: 'w1' } });
    assert.equal((await t.req('GET', widgetsPath('default', 'w1', 'scale'))).code, 404, 'other subresources still 404');
  } finally {
    await t.close();
  }
});

test('an unexpected error is a logged 500 InternalError Status; hook ApiErrors pass through', async () => {
  const lines: string[] = [];
  const logger = jsonLogger({ level: 'error', out: (l) => lines.push(l) });
  const t = await testServer({
    logger,
    admission: [
      {
        kinds: ['Widget'],
        validate(_op, obj) {
          if (obj.metadata.name === 'boom') throw new Error('hook exploded');
          if (obj.metadata.name === 'nope') throw apiError('Forbidden', 'widgets "nope" is forbidden: by policy', {});
          return [];
        },
      },
    ],
  });
  try {
    const r = await t.req('POST', widgetsPath(), widget('boom'));
    assert.equal(r.code, 500);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'InternalError');
    assert.ok(lines.some((l) => JSON.parse(l).msg === 'internal error' && l.includes('hook exploded')));
    const f = await t.req('POST', widgetsPath(), widget('nope'));
    assert.equal(f.code, 403);
    assert.equal(f.body.reason, 'Forbidden');
  } finally {
    await t.close();
  }
});
