// The dashboard plugin on a real API server (memory store): redirects, the page and its bundle with their
// content types and caching (and gzip), refusals as Status bodies, the editor's conversions and the watch mux
// (listing through the watch, resuming from rv.<kind>, a refused kind reported on its own line).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { kinds as registryKinds } from '../../api/schemas/index.ts';
import { createApiServer, type ApiServer } from '../apiserver/server.ts';
import { silentLogger } from '../log/logger.ts';
import { openMemoryStore } from '../storage/memory/store.ts';
import type { Store } from '../storage/store.ts';
import { TEST_HANG_GUARD_MS } from '../../test/support/hang-guard.ts';
import { dashboardPlugin } from './plugin.ts';
import { serveMux } from './watch-mux.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const JS = 'main-ABCDEFGH.js';

const made: string[] = [];
process.on('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function assetsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
  made.push(dir);
  writeFileSync(join(dir, 'index.html'), `<script src="/ui/assets/${JS}"></script>`);
  writeFileSync(join(dir, JS), 'console.log(1)');
  writeFileSync(join(dir, `${JS}.gz`), gzipSync('console.log(1)'));
  writeFileSync(join(dir, 'notes.txt'), 'not served');
  return dir;
}

describe('dashboard plugin', () => {
  let store: Store;
  let server: ApiServer;
  let url: string;

  before(async () => {
    store = await openMemoryStore();
    server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0, kinds: registryKinds, plugins: [dashboardPlugin({ assetsDir: assetsDir() })] });
    url = await server.listen({ port: 0 });
  });
  after(async () => {
    await server.close();
    await store.close();
  });
  const inject = (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.app.inject({ method, url: path, payload: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } });

  test('/ and /ui redirect to /ui/, which is the page, revalidated on every load', async () => {
    for (const path of ['/', '/ui']) {
      const r = await inject('GET', path);
      assert.equal(r.statusCode, 302, path);
      assert.equal(r.headers.location, '/ui/');
    }
    const page = await inject('GET', '/ui/');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.body, new RegExp(JS));
  });

  test('hashed assets are cached for good, gzipped when accepted, and only known files are served', async () => {
    const plain = await inject('GET', `/ui/assets/${JS}`);
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, 'console.log(1)');
    const gz = await inject('GET', `/ui/assets/${JS}`, undefined, { 'accept-encoding': 'gzip, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const refusedGzip = await inject('GET', `/ui/assets/${JS}`, undefined, { 'accept-encoding': 'gzip;q=0' });
    assert.equal(refusedGzip.headers['content-encoding'], undefined);
    for (const missing of ['notes.txt', 'nope.js', `${JS}.gz`, 'index.html']) {
      const r = await inject('GET', `/ui/assets/${missing}`);
      assert.equal(r.statusCode, 404, missing);
      assert.equal(JSON.parse(r.body).kind, 'Status');
    }
  });

  test('convert: YAML as is, Marathon recognised, HCL refusals as a 422 with file positions, bad input as 400', async () => {
    const yaml = await inject('POST', '/ui/convert', { text: 'apiVersion: drover.dev/v1\nkind: Job\nmetadata: {name: a}\nspec: {groups: []}\n---\nkind: List\nitems: [{kind: Job, metadata: {name: b}}]\n' });
    assert.equal(yaml.statusCode, 200);
    assert.deepEqual(JSON.parse(yaml.body).items.map((o: { metadata: { name: string } }) => o.metadata.name), ['a', 'b']);
    const marathon = await inject('POST', '/ui/convert', { text: JSON.stringify({ id: '/web', cmd: 'sleep 9', instances: 2, cpus: 0.1, mem: 32 }) });
    assert.equal(marathon.statusCode, 200);
    assert.equal(JSON.parse(marathon.body).items[0].spec.groups[0].count, 2);
    const hcl = await inject('POST', '/ui/convert', { format: 'hcl', text: 'job "x" {\n  group "g" {\n    task "t" {\n      driver = "mock"\n      vault {}\n    }\n  }\n}\n' });
    assert.equal(hcl.statusCode, 422);
    const causes = JSON.parse(hcl.body).details.causes;
    assert.equal(causes[0].field, 'editor:5:7 job.x.group.g.task.t.vault');
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^text: Required value/],
      [{ text: 'a', format: 'toml' }, /^format: Unsupported value: "toml"/],
      [{ text: 'a: [' }, /^editor: /],
      [{ text: '' }, /no objects/],
      [{ text: '- 1\n- 2' }, /each document must be an object/],
    ];
    for (const [body, message] of cases) {
      const r = await inject('POST', '/ui/convert', body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.match(JSON.parse(r.body).message, message);
    }
  });

  test('watch mux: unknown kinds and bad resourceVersions are 400s', async () => {
    for (const [q, message] of [['', /^kind: Required/], ['kind=leases', /^kind\[0\]: Unsupported value: "leases"/], ['kind=nodes&rv.nodes=abc', /^rv\.nodes: Invalid value/]] as const) {
      const r = await inject('GET', `/ui/watch?${q}`);
      assert.equal(r.statusCode, 400, q);
      assert.match(JSON.parse(r.body).message, message);
    }
  });

  test('watch mux: lists through the watch, streams changes of every kind, resumes from rv.<kind>', { timeout: TEST_HANG_GUARD_MS }, async () => {
    await inject('POST', '/apis/drover.dev/v1/nodes', node('n1'));
    const lines = await readMux(`${url}/ui/watch?kind=nodes&kind=jobs`, async (seen) => {
      if (seen.length === 1) await inject('POST', '/apis/drover.dev/v1/nodes', node('n2'));
    }, (seen) => seen.filter((l) => l.kind === 'nodes' && l.event?.type === 'ADDED').length >= 2);
    assert.deepEqual(lines.filter((l) => l.event?.type === 'ADDED').map((l) => [l.kind, l.event.object.metadata.name]), [['nodes', 'n1'], ['nodes', 'n2']]);
    const rv = lines.at(-1)!.event.object.metadata.resourceVersion as string;
    await inject('POST', '/apis/drover.dev/v1/nodes', node('n3'));
    const resumed = await readMux(`${url}/ui/watch?kind=nodes&rv.nodes=${rv}`, async () => {}, (seen) => seen.some((l) => l.event?.type === 'ADDED'));
    assert.deepEqual(resumed.filter((l) => l.event?.type === 'ADDED').map((l) => l.event.object.metadata.name), ['n3']);
  });
});

const node = (name: string) => ({ apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name }, spec: {} });

describe('dashboard plugin behind a token', () => {
  test('the page and bundle need no token; the mux and convert do, and the mux passes the caller\'s token on', { timeout: TEST_HANG_GUARD_MS }, async () => {
    const store = await openMemoryStore();
    const server = await createApiServer({ store, logger: silentLogger, compactionIntervalMs: 0, kinds: registryKinds, authentication: { staticTokens: [{ token: 's3cret', user: { username: 'tester', groups: ['system:masters'] } }] }, plugins: [dashboardPlugin({ assetsDir: assetsDir() })] });
    const url = await server.listen({ port: 0 });
    try {
      for (const path of ['/', '/ui', '/ui/', `/ui/assets/${JS}`]) assert.ok((await server.app.inject({ url: path })).statusCode < 400, path);
      assert.equal((await server.app.inject({ url: '/ui/watch?kind=nodes' })).statusCode, 401);
      assert.equal((await server.app.inject({ method: 'POST', url: '/ui/convert', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode, 401);
      await server.app.inject({ method: 'POST', url: '/apis/drover.dev/v1/nodes', payload: JSON.stringify(node('n1')), headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' } });
      const ok = await readMux(`${url}/ui/watch?kind=nodes`, async () => {}, (seen) => seen.length > 0, { authorization: 'Bearer s3cret' });
      assert.equal(ok[0].event.object.metadata.name, 'n1');
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('serveMux', () => {
  test('a kind the upstream refuses gives one error line with its Status; the other kinds go on', { timeout: TEST_HANG_GUARD_MS }, async () => {
    // A stand-in upstream: nodes are forbidden, jobs stream one event.
    const upstream = createServer((req, res) => {
      if (req.url!.startsWith('/apis/drover.dev/v1/nodes')) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'nodes is forbidden' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'j1', namespace: 'default', resourceVersion: '7' } } }) + '\n');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const mux = createServer((req, res) => void serveMux(base, [{ plural: 'nodes', path: '/apis/drover.dev/v1/nodes' }, { plural: 'jobs', path: '/apis/drover.dev/v1/jobs' }], req, res));
    await new Promise<void>((r) => mux.listen(0, '127.0.0.1', () => r()));
    try {
      const lines = await readMux(`http://127.0.0.1:${(mux.address() as AddressInfo).port}/`, async () => {}, (seen) => seen.length >= 2);
      const byKind = Object.fromEntries(lines.map((l) => [l.kind, l]));
      assert.equal(byKind.nodes.error.reason, 'Forbidden');
      assert.equal(byKind.jobs.event.object.metadata.name, 'j1');
    } finally {
      upstream.closeAllConnections();
      mux.closeAllConnections();
      upstream.close();
      mux.close();
    }
  });
});

/** Read mux lines until `done`; `onLine` runs after each line. */
async function readMux(url: string, onLine: (seen: any[]) => Promise<void>, done: (seen: any[]) => boolean, headers: Record<string, string> = {}): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON lines
  const res = await request(url, { headers });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/x-ndjson');
  const seen: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  let rest = '';
  for await (const chunk of res.body) {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      seen.push(JSON.parse(p));
      await onLine(seen);
      if (done(seen)) {
        res.body.destroy();
        return seen;
      }
    }
  }
  return seen;
}
