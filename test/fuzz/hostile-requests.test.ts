// Bad input, property-based: at least 10,000 generated hostile requests against the API server (malformed
// JSON/YAML, wrong types, unknown fields at every depth, oversize bodies, bad names, selectors, patches,
// resourceVersions, content types, query parameters, unknown paths and wrong verbs). Every one must get a 4xx
// Kubernetes Status, none may store anything, and the server must still be ready afterwards.
// Reproduce a failure with the printed seed: DROVER_FUZZ_SEED=<seed> node --import tsx --test <this file>.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { kinds } from '../../api/schemas/index.ts';
import { REASONS, type Status } from '../../pkg/apierrors/status.ts';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { jsonLogger } from '../../pkg/log/logger.ts';
import { openMemoryStore } from '../../pkg/storage/memory/index.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { createFixtures, listEverything, snapshotStore } from './fixtures.ts';
import { badName, malformedJson, malformedYaml, oversize, unknownField, wrongType } from './hostile-bodies.ts';
import { badContentType, badPatch, badQuery, badResourceVersion, badSelector, unknownPath, wrongTypeMeta, wrongVerb } from './hostile-requests.ts';
import type { HostileRequest, Target } from './hostile.ts';
import { schemaPoints } from './schema-paths.ts';

const RUNS = 10_000;
const SEED = Number(process.env.DROVER_FUZZ_SEED ?? 20261122);
/** Small, so oversize bodies are cheap to generate; the default limit has its own test. */
const BODY_LIMIT = 32 * 1024;

/** A server over a fresh memory store whose error log is captured (an error log line is a bug). */
export async function fuzzServer(bodyLimitBytes = BODY_LIMIT): Promise<{ app: FastifyInstance; store: Store; errors: string[]; close(): Promise<void> }> {
  const errors: string[] = [];
  const logger = jsonLogger({ level: 'error', out: (line) => errors.push(line) });
  const store = await openMemoryStore();
  const server = await createApiServer({ store, logger, compactionIntervalMs: 0, bodyLimitBytes });
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
    cat('bad name', badName(t), 2),
    cat('bad patch', badPatch(t), 2),
    cat('bad selector', badSelector(t), 2),
    cat('bad resourceVersion', badResourceVersion(t), 2),
    cat('bad content type', badContentType(t), 1),
    cat('bad query', badQuery(t), 2),
    cat('unknown path', unknownPath(t), 1),
    cat('wrong verb', wrongVerb(t), 1),
    cat('wrong type meta', wrongTypeMeta(t), 1),
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

test(`${RUNS} hostile requests get 4xx Status bodies, store nothing and leave the server ready`, { timeout: 600_000 }, async (t) => {
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
