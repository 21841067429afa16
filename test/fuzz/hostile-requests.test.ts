// Bad input, property-based: at least 10,000 generated hostile requests against the API server (malformed
// JSON/YAML, wrong types, unknown fields at every depth, oversize bodies, non-finite numbers and absurd
// nesting, bad names, selectors, patches, resourceVersions, content types, query parameters, unknown paths
// and wrong verbs). Every one must get a 4xx Kubernetes Status, none may store anything, and the server must
// still be ready afterwards. The tables after the property pin the exact answers for typed and unknown fields.
// Reproduce a failure with the printed seed: DROVER_FUZZ_SEED=<seed> node --import tsx --test <this file>.
// DROVER_FUZZ_RUNS=<n> runs more than 10,000.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { kinds } from '../../api/schemas/index.ts';
import { REASONS, type Status } from '../../pkg/apierrors/status.ts';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { jsonLogger } from '../../pkg/log/logger.ts';
import { planCommitPlugin } from '../../pkg/plancommit/route.ts';
import { openMemoryStore } from '../../pkg/storage/memory/index.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { collectionPath, createFixtures, listEverything, objectPath, snapshotStore, validObject } from './fixtures.ts';
import { absurdValue, badName, malformedJson, malformedYaml, oversize, unknownField, wrongType } from './hostile-bodies.ts';
import { badContentType, badPatch, badPlan, badQuery, badResourceVersion, badSelector, unknownPath, wrongTypeMeta, wrongVerb } from './hostile-requests.ts';
import type { HostileRequest, Target } from './hostile.ts';
import { schemaPoints } from './schema-paths.ts';
import { TEST_HANG_GUARD_MS } from '../support/hang-guard.ts';

/** At least 10,000 (the suite's bar); DROVER_FUZZ_RUNS raises it for a deeper local hunt. */
const RUNS = Math.max(10_000, Number(process.env.DROVER_FUZZ_RUNS ?? 0));
const SEED = Number(process.env.DROVER_FUZZ_SEED ?? 20261122);
/** Small, so oversize bodies are cheap to generate; the default limit has its own test. */
const BODY_LIMIT = 32 * 1024;

/** A server over a fresh memory store whose error log is captured (an error log line is a bug). */
async function fuzzServer(bodyLimitBytes: number | undefined = BODY_LIMIT): Promise<{ app: FastifyInstance; store: Store; errors: string[]; close(): Promise<void> }> {
  const errors: string[] = [];
  const logger = jsonLogger({ level: 'error', out: (line) => errors.push(line) });
  const store = await openMemoryStore();
  const server = await createApiServer({ store, logger, compactionIntervalMs: 0, bodyLimitBytes, plugins: [planCommitPlugin()] });
  return {
    app: server.app,
    store,
    errors,
    async close() {
      await server.close();
      await store.close();
    },
  };
}

/** Every category, weighted roughly by how many distinct shapes it has. */
function hostile(t: Target): fc.Arbitrary<[string, HostileRequest]> {
  const cat = (name: string, arb: fc.Arbitrary<HostileRequest>, weight: number) => ({ arbitrary: arb.map((r): [string, HostileRequest] => [name, r]), weight });
  return fc.oneof(
    cat('wrong type', wrongType(t), 4),
    cat('unknown field', unknownField(t), 4),
    cat('malformed JSON', malformedJson(t), 2),
    cat('malformed YAML', malformedYaml(t), 2),
    cat('oversize', oversize(t), 1),
    cat('absurd value', absurdValue(t), 1),
    cat('bad name', badName(t), 2),
    cat('bad patch', badPatch(t), 2),
    cat('bad selector', badSelector(t), 2),
    cat('bad resourceVersion', badResourceVersion(t), 2),
    cat('bad content type', badContentType(t), 1),
    cat('bad query', badQuery(t), 2),
    cat('unknown path', unknownPath(t), 1),
    cat('wrong verb', wrongVerb(t), 1),
    cat('wrong type meta', wrongTypeMeta(t), 1),
    cat('bad plan', badPlan(t), 1),
  );
}

/** Assert one response is a refusal as Kubernetes shapes it. */
function assertRefused(req: HostileRequest, res: { statusCode: number; body: string; headers: Record<string, unknown> }): void {
  const where = `${req.what}\n  ${req.method} ${req.url}\n  -> ${res.statusCode} ${res.body.slice(0, 400)}`;
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `not a 4xx: ${where}`);
  if (req.expect) assert.ok(req.expect.includes(res.statusCode), `expected ${req.expect.join('|')}: ${where}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `not JSON: ${where}`);
  let s: Status;
  try {
    s = JSON.parse(res.body) as Status;
  } catch {
    assert.fail(`body is not JSON: ${where}`);
  }
  assert.equal(s.kind, 'Status', `not a Status: ${where}`);
  assert.equal(s.apiVersion, 'v1', where);
  assert.equal(s.status, 'Failure', where);
  assert.equal(s.code, res.statusCode, `Status code differs from the HTTP code: ${where}`);
  assert.equal(REASONS[s.reason], res.statusCode, `reason ${s.reason} does not match the code: ${where}`);
  assert.ok(typeof s.message === 'string' && s.message.length > 0, `no message: ${where}`);
  if (req.field) {
    const named = s.message.includes(req.field) || (s.details?.causes ?? []).some((c) => c.field === req.field);
    assert.ok(named, `the Status does not name ${req.field}: ${where}`);
  }
}

test(`${RUNS} hostile requests get 4xx Status bodies, store nothing and leave the server ready`, { timeout: TEST_HANG_GUARD_MS }, async (t) => {
  t.diagnostic(`seed ${SEED} (set DROVER_FUZZ_SEED to change it)`);
  const s = await fuzzServer();
  try {
    const fixtures = await createFixtures(s.app, kinds);
    const stored = await snapshotStore(s.store);
    const listed = await listEverything(s.app, kinds);
    const target: Target = { kinds, fixtures, points: new Map(kinds.map((k) => [k.kind, schemaPoints(k)])), bodyLimit: BODY_LIMIT };
    const counts = new Map<string, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(hostile(target), async ([category, req]) => {
        counts.set(category, (counts.get(category) ?? 0) + 1);
        const res = await s.app.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.payload });
        assertRefused(req, res);
        if (++sent % 1000 === 0) assert.equal((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, `not ready after ${sent} requests`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    t.diagnostic(`sent ${sent}: ${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    for (const [c, n] of counts) assert.ok(n >= RUNS / 100, `category ${c} ran only ${n} times`);

    // Nothing stored: the same keys at the same revisions, and no write at all moved the store's revision.
    const after = await snapshotStore(s.store);
    assert.deepEqual([...after.keys].sort(), [...stored.keys].sort(), 'the store holds exactly the fixtures, unchanged');
    assert.equal(after.revision, stored.revision, 'no hostile request wrote anything');
    assert.deepEqual([...(await listEverything(s.app, kinds))].sort(), [...listed].sort(), 'every kind lists exactly the fixtures at their original resourceVersions');
    assert.equal(listed.size, kinds.length + 1, 'one fixture per kind plus the default namespace');
    for (const path of ['/readyz', '/healthz']) assert.equal((await s.app.inject({ method: 'GET', url: path })).statusCode, 200, path);
    assert.deepEqual(s.errors, [], 'no internal error was logged');
  } finally {
    await s.close();
  }
});

/** A server with the fixtures, plus helpers for the table tests below. */
async function tableServer() {
  const s = await fuzzServer();
  const fixtures = await createFixtures(s.app, kinds);
  const stored = await snapshotStore(s.store);
  const send = async (method: HostileRequest['method'], url: string, body: unknown, contentType = 'application/json') => {
    const res = await s.app.inject({ method, url, headers: { 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
    return { ...res, status: JSON.parse(res.body) as Status };
  };
  const unchanged = async () => {
    const after = await snapshotStore(s.store);
    assert.equal(after.revision, stored.revision, 'nothing was written');
    assert.deepEqual([...after.keys].sort(), [...stored.keys].sort());
    assert.deepEqual(s.errors, []);
  };
  return { ...s, fixtures, send, unchanged };
}

const kind = (name: string) => kinds.find((k) => k.kind === name)!;
const jobs = '/apis/drover.dev/v1/namespaces/default/jobs';

test('a value of the wrong type is a 422 naming its field path: nothing is coerced', async () => {
  const s = await tableServer();
  try {
    const cases: Array<[string, string, (o: any) => void]> = [
      ['Job', 'spec.priority', (o) => (o.spec.priority = '3')],
      ['Job', 'spec.groups[0].count', (o) => (o.spec.groups[0].count = '3')],
      ['Job', 'spec.groups[0].tasks[0].resources.cpu', (o) => (o.spec.groups[0].tasks[0].resources.cpu = '500')],
      ['Job', 'spec.groups[0].count', (o) => (o.spec.groups[0].count = 1.5)],
      ['Job', 'spec.stop', (o) => (o.spec.stop = 'true')],
      ['Job', 'spec.datacenters', (o) => (o.spec.datacenters = 'dc1')],
      ['Job', 'metadata.labels[app]', (o) => (o.metadata.labels.app = 3)],
      ['Node', 'spec.eligibility', (o) => (o.spec.eligibility = 1)],
      ['Lease', 'spec.leaseDurationSeconds', (o) => (o.spec.leaseDurationSeconds = '15')],
      ['Event', 'count', (o) => (o.count = '2')],
    ];
    for (const [kindName, field, mutate] of cases) {
      const k = kind(kindName);
      for (const verb of ['POST', 'PUT'] as const) {
        const obj: any = verb === 'POST' ? validObject(k, 'typed') : structuredClone(s.fixtures.get(kindName));
        mutate(obj);
        const res = await s.send(verb, verb === 'POST' ? collectionPath(k) : objectPath(k, obj.metadata.name), obj);
        assert.equal(res.statusCode, 422, `${verb} ${kindName} ${field}: ${res.body}`);
        assert.equal(res.status.reason, 'Invalid');
        const cause = res.status.details?.causes?.find((c) => c.field === field);
        assert.ok(cause, `${verb} ${kindName}: a cause names ${field}: ${res.body}`);
        assert.match(cause.message, /must be of type/);
      }
    }
    await s.unchanged();
  } finally {
    await s.close();
  }
});

test('an unknown field is refused with its path at any depth, also where the write would discard it', async () => {
  const s = await tableServer();
  try {
    const job = () => structuredClone(s.fixtures.get('Job')) as any;
    const fresh = () => validObject(kind('Job'), 'unknown') as any;
    const cases: Array<[string, HostileRequest['method'], string, any, string]> = [
      ['top level', 'POST', jobs, { ...fresh(), bogus: 1 }, 'bogus'],
      ['metadata', 'POST', jobs, (() => { const o = fresh(); o.metadata.bogus = 1; return o; })(), 'metadata.bogus'],
      ['deep in the spec', 'POST', jobs, (() => { const o = fresh(); o.spec.groups[0].tasks[0].resources.gpu = 1; return o; })(), 'spec.groups[0].tasks[0].resources.gpu'],
      ['status on create', 'POST', jobs, { ...fresh(), status: { bogus: 1 } }, 'status.bogus'],
      ['status on update', 'PUT', `${jobs}/fx-job`, { ...job(), status: { bogus: 1 } }, 'status.bogus'],
      ['spec through /status', 'PUT', `${jobs}/fx-job/status`, (() => { const o = job(); o.spec.bogus = 1; return o; })(), 'spec.bogus'],
      ['merge patch', 'PATCH', `${jobs}/fx-job`, { spec: { groups: [{ ...job().spec.groups[0], bogus: 1 }] } }, 'spec.groups[0].bogus'],
      ['apply into status', 'PATCH', `${jobs}/fx-job?fieldManager=t`, { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'fx-job' }, status: { bogus: 1 } }, 'status.bogus'],
    ];
    for (const [what, method, url, body, field] of cases) {
      const ct = method !== 'PATCH' ? 'application/json' : url.includes('fieldManager') ? 'application/apply-patch+yaml' : 'application/merge-patch+json';
      const res = await s.send(method, url, body, ct);
      assert.ok([400, 422].includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`);
      const named = res.status.message.includes(field) || res.status.details?.causes?.some((c) => c.field === field);
      assert.ok(named, `${what}: the Status names ${field}: ${res.body}`);
    }
    await s.unchanged();
  } finally {
    await s.close();
  }
});

test('numbers out of float range and absurd nesting are refused with 400 before anything recurses', async () => {
  const s = await tableServer();
  try {
    const text = JSON.stringify(validObject(kind('Job'), 'edge'));
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const cases: Array<[string, string, string]> = [
      ['1e400 for an integer', text.replace('"cpu":500', '"cpu":1e400'), 'application/json'],
      ['-1e400 in free-form config', text.replace('"image":"redis:latest"', '"image":"x","n":-1e400'), 'application/json'],
      ['.inf in YAML', `metadata: {name: edge}\nspec:\n  groups:\n  - name: g\n    tasks:\n    - name: t\n      driver: docker\n      config: {image: x, n: .inf}\n`, 'application/yaml'],
      ['.nan in YAML', `metadata: {name: edge}\nspec: {groups: [{name: g, count: .nan, tasks: [{name: t, driver: docker}]}]}\n`, 'application/yaml'],
      ['2^60 for an integer (already rounded by JSON.parse)', text.replace('"cpu":500', '"cpu":1152921504606846977'), 'application/json'],
      ['nesting 10,000 deep', text.replace('"image":"redis:latest"', `"image":"x","d":${deep}`), 'application/json'],
    ];
    for (const [what, body, ct] of cases) {
      const res = await s.send('POST', jobs, body, ct);
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      assert.equal(res.status.reason, 'BadRequest');
    }
    const patch = await s.send('PATCH', `${jobs}/fx-job`, '{"spec":{"priority":1e999}}', 'application/merge-patch+json');
    assert.equal(patch.statusCode, 400, patch.body);
    await s.unchanged();
  } finally {
    await s.close();
  }
});

test('a malformed %-escape in the path is a 400 Status', async () => {
  const s = await tableServer();
  try {
    for (const url of ['/apis/drover.dev/v1/namespaces/%zz/jobs', '/apis/%', '/%E0%A4%A']) {
      const res = await s.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(JSON.parse(res.body).kind, 'Status');
    }
  } finally {
    await s.close();
  }
});

test('a body over the default 3 MiB limit is a 413 Status', async () => {
  const s = await fuzzServer(undefined);
  try {
    const obj = validObject(kind('Job'), 'big');
    obj.metadata.annotations = { padding: 'p'.repeat(3 * 1024 * 1024) };
    const res = await s.app.inject({ method: 'POST', url: jobs, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(obj) });
    assert.equal(res.statusCode, 413, res.body.slice(0, 300));
    assert.equal(JSON.parse(res.body).reason, 'RequestEntityTooLarge');
    assert.equal((await s.app.inject({ method: 'GET', url: `${jobs}/big` })).statusCode, 404);
  } finally {
    await s.close();
  }
});
