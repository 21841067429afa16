// The CLI run in-process against a real API server on a memory store: output of apply, get, describe, delete
// and version exactly as a user sees it, errors on stderr with exit 1, and one spawn of the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from '../../pkg/client/client.ts';
import type { Clock } from '../../pkg/clock/clock.ts';
import { startApiServer, type TestApiServer } from '../../test/support/server.ts';
import { run } from './program.ts';

const REDIS = fileURLToPath(new URL('../../../shared/examples/redis.yaml', import.meta.url));
const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

let api: TestApiServer;
let client: Client;
let home: string;
/** The time the CLI believes it is (AGE columns); tests set it relative to creation timestamps. */
let now = 0;
const clock: Clock = { now: () => now, setTimeout: () => ({ cancel() {} }), sleep: async () => {} };

before(async () => {
  api = await startApiServer();
  client = createClient({ server: api.url });
  home = await mkdtemp(join(tmpdir(), 'drover-cli-'));
});
after(async () => {
  await client.close();
  await api.close();
  await rm(home, { recursive: true, force: true });
});

interface Result {
  code: number;
  out: string;
  err: string;
}

/** Run the CLI with DROVER_ADDR pointing at the test server (unless `env` says otherwise). */
async function drover(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; signal?: AbortSignal; onOut?: (out: string) => void; onErr?: (err: string) => void } = {},
): Promise<Result> {
  const r = { out: '', err: '' };
  const code = await run(args, {
    out: (s) => {
      r.out += s;
      opts.onOut?.(r.out);
    },
    err: (s) => {
      r.err += s;
      opts.onErr?.(r.err);
    },
    env: opts.env ?? { DROVER_ADDR: api.url },
    homedir: home,
    readStdin: async () => opts.stdin ?? '',
    clock,
    signal: opts.signal ?? new AbortController().signal,
    startedAt: 0,
  });
  return { code, ...r };
}

const jobYaml = (name: string, extra = '') => `apiVersion: drover.dev/v1
kind: Job
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  type: batch
  datacenters: [dc1]
  groups:
    - name: g
      count: 1
      tasks:
        - name: t
          driver: mock
          config: {runFor: 1s}
${extra}`;

async function setNowAfter(kind: string, name: string, ms: number) {
  const obj = await client.resource(kind).get(name, { namespace: 'default' });
  now = Date.parse(obj.metadata.creationTimestamp!) + ms;
}

test('apply: created, unchanged, configured, and server dry run', async () => {
  assert.deepEqual(await drover(['apply', '-f', REDIS]), { code: 0, out: 'job.drover.dev/redis created\n', err: '' });
  assert.deepEqual(await drover(['apply', '-f', REDIS]), { code: 0, out: 'job.drover.dev/redis unchanged\n', err: '' });
  const changed = (await readFile(REDIS, 'utf8')).replace('count: 1', 'count: 2');
  assert.deepEqual(await drover(['apply', '-f', '-'], { stdin: changed }), { code: 0, out: 'job.drover.dev/redis configured\n', err: '' });
  const redis = await client.resource('jobs').get('redis', { namespace: 'default' });
  assert.equal((redis.spec as { groups: Array<{ count: number }> }).groups[0]!.count, 2);
  assert.equal(redis.metadata.managedFields?.[0]?.manager, 'drover');

  assert.deepEqual(await drover(['apply', '--dry-run=server', '-f', '-'], { stdin: jobYaml('ghost') }), { code: 0, out: 'job.drover.dev/ghost created (server dry run)\n', err: '' });
  const ghost = await drover(['get', 'job', 'ghost']);
  assert.equal(ghost.code, 1);
  assert.equal(ghost.err, 'Error from server (NotFound): jobs.drover.dev "ghost" not found\n');
});

test('apply: multi-document YAML and JSON lists from a directory; errors reported per object', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-apply-'));
  try {
    await writeFile(join(dir, 'a.yaml'), `${jobYaml('batch-a')}---\n${jobYaml('batch-b')}`);
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-x' } }] };
    await writeFile(join(dir, 'b.json'), JSON.stringify(list));
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'c.yaml'), jobYaml('batch-c'));
    const r = await drover(['apply', '-f', dir, '-R']);
    assert.deepEqual(r, { code: 0, out: 'job.drover.dev/batch-a created\njob.drover.dev/batch-b created\nnamespace/team-x created\njob.drover.dev/batch-c created\n', err: '' });

    // One invalid object fails alone: the others still apply, the exit code says something failed.
    await writeFile(join(dir, 'bad.yaml'), `${jobYaml('batch-d')}---\n${jobYaml('batch-e').replace('type: batch', 'type: nonsense')}`);
    const bad = await drover(['apply', '-f', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, 'job.drover.dev/batch-d created\n');
    assert.match(bad.err, /^Error from server \(Invalid\): Job\.drover\.dev "batch-e" is invalid: .*spec\.type/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('get: aligned table, all namespaces, wide, selectors and every kind spelling', async () => {
  await drover(['apply', '-f', '-'], { stdin: jobYaml('web') });
  await setNowAfter('jobs', 'web', 5 * 60_000 + 7_000);
  const web = await drover(['get', 'jobs', 'web']);
  assert.deepEqual(web, { code: 0, out: 'NAME   TYPE    PRIORITY   STATUS   VERSION   AGE\nweb    batch   50         <none>   <none>    5m7s\n', err: '' });
  for (const spelling of ['job', 'jb', 'Job', 'jobs.drover.dev', 'job.drover.dev']) {
    assert.equal((await drover(['get', spelling, 'web'])).out, web.out, spelling);
  }
  const wide = await drover(['get', 'jobs', 'web', '-o', 'wide']);
  assert.equal(wide.out, 'NAME   TYPE    PRIORITY   STATUS   VERSION   DATACENTERS   AGE\nweb    batch   50         <none>   <none>    ["dc1"]       5m7s\n');

  const all = await drover(['get', 'jobs', '-A', '-l', 'app=web']);
  assert.equal(all.code, 0);
  assert.deepEqual(all.out.split('\n')[0]!.split(/\s+/), ['NAMESPACE', 'NAME', 'TYPE', 'PRIORITY', 'STATUS', 'VERSION', 'AGE']);
  assert.match(all.out.split('\n')[1]!, /^default +web +batch/);
  assert.equal(all.out.trimEnd().split('\n').length, 2);

  const names = await drover(['get', 'jobs', '-o', 'name', '--field-selector', 'metadata.name=web']);
  assert.deepEqual(names, { code: 0, out: 'job.drover.dev/web\n', err: '' });

  const empty = await drover(['get', 'jobs', '-l', 'app=nothing']);
  assert.deepEqual(empty, { code: 0, out: '', err: 'No resources found in default namespace.\n' });

  const ns = await drover(['get', 'ns']);
  assert.match(ns.out, /^NAME {6}STATUS +AGE\ndefault /);
});

test('get: yaml and json output; a single name prints the object, several a List; managedFields hidden', async () => {
  const one = await drover(['get', 'job', 'web', '-o', 'json']);
  const obj = JSON.parse(one.out);
  assert.equal(obj.kind, 'Job');
  assert.equal(obj.metadata.name, 'web');
  assert.equal(obj.metadata.managedFields, undefined);
  assert.ok(one.out.startsWith('{\n    "apiVersion"'), 'kubectl-style 4-space JSON');

  const two = await drover(['get', 'job', 'web', 'redis', '-o', 'yaml']);
  assert.match(two.out, /^apiVersion: v1\nitems:\n {2}- apiVersion: drover\.dev\/v1\n {4}kind: Job\n/);
  assert.match(two.out, /\nkind: List\nmetadata:\n {2}resourceVersion: ""\n$/);

  const missing = await drover(['get', 'job', 'web', 'nope', '-o', 'name']);
  assert.deepEqual(missing, { code: 1, out: 'job.drover.dev/web\n', err: 'Error from server (NotFound): jobs.drover.dev "nope" not found\n' });
});

test('get -w prints the table, then a row per change until interrupted', async () => {
  const stop = new AbortController();
  let sawRow!: () => void;
  const rowSeen = new Promise<void>((r) => (sawRow = r));
  let listed!: () => void;
  const emptyList = new Promise<void>((r) => (listed = r));
  const watching = drover(['get', 'jobs', '-l', 'app=watched', '-w'], {
    signal: stop.signal,
    onOut: (out) => {
      if (out.includes('\nwatched ')) sawRow();
    },
    onErr: (err) => {
      if (err.includes('No resources found')) listed();
    },
  });
  // No objects yet: "No resources found" on stderr; the header comes with the first event.
  await emptyList;
  await drover(['apply', '-f', '-'], { stdin: jobYaml('watched') });
  await rowSeen;
  stop.abort();
  const r = await watching;
  assert.equal(r.code, 0);
  assert.equal(r.err, 'No resources found in default namespace.\n');
  assert.match(r.out, /^NAME +TYPE +PRIORITY +STATUS +VERSION +AGE\nwatched +batch +50 /);
});

test('get -w -o jsonpath applies the template to each changed object', async () => {
  const stop = new AbortController();
  let sawLine!: () => void;
  const lineSeen = new Promise<void>((r) => (sawLine = r));
  let listed!: () => void;
  const initial = new Promise<void>((r) => (listed = r));
  const watching = drover(['get', 'jobs', '-l', 'app=jp-watched', '-w', '-o', 'jsonpath={.metadata.name}={.spec.groups[0].count}{"\\n"}'], {
    signal: stop.signal,
    onOut: (out) => {
      // The initial (empty) List prints the template once (no name, no count); then each event prints it once.
      if (out.startsWith('=\n')) listed();
      if (out.includes('jp-watched=')) sawLine();
    },
  });
  await initial;
  await drover(['apply', '-f', '-'], { stdin: jobYaml('jp-watched') });
  await lineSeen;
  stop.abort();
  const r = await watching;
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^=\njp-watched=\d+\n/);
});

test('describe: metadata, spec and the events about the object', async () => {
  const web = await client.resource('jobs').get('web', { namespace: 'default' });
  const at = new Date(Date.parse(web.metadata.creationTimestamp!) + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const event = (name: string, about: string, reason: string) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { apiVersion: 'drover.dev/v1', kind: 'Job', name: about, namespace: 'default' },
    reason,
    message: `${reason} happened`,
    type: 'Normal',
    source: { component: 'evaluator' },
    count: 2,
    firstTimestamp: at,
    lastTimestamp: at,
  });
  await client.resource('events').create(event('web.1', 'web', 'Registered') as never);
  await client.resource('events').create(event('redis.1', 'redis', 'Other') as never);
  now = Date.parse(at) + 30_000;
  const r = await drover(['describe', 'job', 'web']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.deepEqual(lines.slice(0, 6), ['Name:         web', 'Namespace:    default', 'Labels:       app=web', 'Annotations:  <none>', 'API Version:  drover.dev/v1', 'Kind:         Job']);
  assert.ok(lines.includes('Metadata:') && lines.includes('Spec:'));
  assert.ok(lines.some((l) => /^ {2}Type: +batch$/.test(l)));
  assert.ok(lines.some((l) => /^ {2}UID: +[0-9a-f-]{36}$/.test(l)));
  const events = lines.slice(lines.indexOf('Events:'));
  assert.match(events[1]!, /^ {2}Type +Reason +Age +From +Message$/);
  assert.match(events[3]!, /^ {2}Normal +Registered +30s \(x2\) +evaluator +Registered happened$/);
  assert.ok(!r.out.includes('Other happened'), 'events about other objects are left out');

  const missing = await drover(['describe', 'job', 'nope']);
  assert.deepEqual(missing, { code: 1, out: '', err: 'Error from server (NotFound): jobs.drover.dev "nope" not found\n' });
});

test('delete: by name and from a file; missing objects fail unless --ignore-not-found', async () => {
  const r = await drover(['delete', 'job', 'batch-a', 'nope']);
  assert.deepEqual(r, { code: 1, out: 'job.drover.dev "batch-a" deleted\n', err: 'Error from server (NotFound): jobs.drover.dev "nope" not found\n' });
  assert.deepEqual(await drover(['delete', 'jobs', 'nope', '--ignore-not-found']), { code: 0, out: '', err: '' });
  assert.deepEqual(await drover(['delete', '-f', '-'], { stdin: `${jobYaml('batch-b')}---\n${jobYaml('batch-c')}` }), {
    code: 0,
    out: 'job.drover.dev "batch-b" deleted\njob.drover.dev "batch-c" deleted\n',
    err: '',
  });
  assert.equal((await drover(['get', 'jobs', 'batch-b'])).code, 1);
});

test('usage errors, unknown kinds and an unreachable server exit 1 with a message on stderr', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['get', 'widgets'], /^error: the server doesn't have a resource type "widgets"\n$/],
    [['get', 'jobs', 'web', '-A'], /^error: a resource cannot be retrieved by name across all namespaces\n$/],
    [['get', 'jobs', '-o', 'toml'], /^error: unable to match a printer suitable for the output format "toml", allowed formats are: table,wide,yaml,json,name,jsonpath=TEMPLATE\n$/],
    [['get', 'jobs', '-o', 'jsonpath='], /^error: template format specified but no template given\n$/],
    [['get', 'jobs', '-o', 'jsonpath={.items[*}'], /^error: error parsing jsonpath \{\.items\[\*\}, /],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['delete', 'jobs'], /^error: you must name the jobs to delete\n$/],
  ];
  for (const [args, want] of cases) {
    const r = await drover(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, want, args.join(' '));
  }
  const down = await drover(['get', 'jobs'], { env: { DROVER_ADDR: 'http://127.0.0.1:9' } });
  assert.equal(down.code, 1);
  assert.match(down.err, /^Unable to connect to the server at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/);
});

test('the config file context supplies server and namespace; flags override it', async () => {
  const applied = await drover(['apply', '-f', '-'], { stdin: jobYaml('in-team').replace('name: in-team', 'name: in-team\n  namespace: team-x') });
  assert.deepEqual(applied, { code: 0, out: 'job.drover.dev/in-team created\n', err: '' });
  await mkdir(join(home, '.drover'), { recursive: true });
  await writeFile(join(home, '.drover', 'config.yaml'), `currentContext: team\ncontexts:\n  - name: team\n    server: ${api.url}\n    namespace: team-x\n  - name: broken\n    server: http://127.0.0.1:9\n`);
  try {
    assert.equal((await drover(['get', 'jobs', '-o', 'name'], { env: {} })).out, 'job.drover.dev/in-team\n');
    assert.match((await drover(['get', 'jobs', '-o', 'name', '-n', 'default'], { env: {} })).out, /job\.drover\.dev\/web\n/);
    assert.equal((await drover(['--context', 'broken', 'get', 'jobs'], { env: {} })).code, 1);
    assert.equal((await drover(['--context', 'broken', '--server', api.url, 'get', 'jobs', '-o', 'name', '-n', 'team-x'], { env: {} })).out, 'job.drover.dev/in-team\n');
  } finally {
    await rm(join(home, '.drover'), { recursive: true, force: true });
  }
});

test('version: client and server', async () => {
  const r = await drover(['version']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^Client Version: v\d+\.\d+\.\d+\nServer Version: v\S+\n$/);
  const offline = await drover(['version', '--client'], { env: { DROVER_ADDR: 'http://127.0.0.1:9' } });
  assert.deepEqual(offline, { code: 0, out: r.out.split('\n')[0] + '\n', err: '' });
});

test('dev serves on the given data dir until interrupted, and keeps state across restarts', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-dev-'));
  const devOnce = async (fn: (url: string) => Promise<void>) => {
    const stop = new AbortController();
    let ready!: (url: string) => void;
    const listening = new Promise<string>((r) => (ready = r));
    const running = drover(['dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', '--audit-log', join(dataDir, 'audit.log')], {
      signal: stop.signal,
      onOut: (out) => {
        const m = /^drover dev listening on (http:\/\/127\.0\.0\.1:\d+) \(data (.+)\), ready in \d+ ms\n/m.exec(out);
        if (m) ready(m[1]!);
      },
    });
    try {
      await fn(await Promise.race([listening, running.then((r) => Promise.reject(new Error(`dev exited: ${JSON.stringify(r)}`)))]));
    } finally {
      stop.abort();
    }
    assert.equal((await running).code, 0);
  };
  try {
    let firstToken = '';
    await devOnce(async (url) => {
      // Authentication is on: the admin token is in <data-dir>/admin.token and in the CLI's context "dev",
      // which the CLI uses with no flags at all.
      firstToken = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
      assert.match(firstToken, /^drover_/);
      assert.equal((await drover(['get', 'jobs'], { env: { DROVER_ADDR: url, DROVER_TOKEN: 'drover_wrong' } })).code, 1);
      const r = await drover(['apply', '-f', REDIS], { env: {} });
      assert.deepEqual(r, { code: 0, out: 'job.drover.dev/redis created\n', err: '' });
    });
    // --audit-log: a JSON line per request, the CLI's create among them (written by the admin, with its groups).
    const audit = (await readFile(join(dataDir, 'audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(audit.some((a) => ['create', 'patch'].includes(a.verb) && a.resource === 'jobs' && a.user === 'drover:admin' && a.code < 300), 'the apply is audited');
    assert.ok(audit.some((a) => a.code === 401), 'so is the refused request');
    await devOnce(async (url) => {
      assert.equal((await readFile(join(dataDir, 'admin.token'), 'utf8')).trim(), firstToken, 'the same token after a restart');
      const r = await drover(['get', 'jobs', '-o', 'name'], { env: { DROVER_ADDR: url } });
      assert.deepEqual(r, { code: 0, out: 'job.drover.dev/redis\n', err: '' });
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the bin shim runs the CLI as a real process', async () => {
  const child = spawn(process.execPath, [BIN, 'version'], { env: { ...process.env, DROVER_ADDR: api.url }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, err);
  assert.match(out, /^Client Version: v\d+\.\d+\.\d+\nServer Version: v\S+\n$/);
});

test('the real binary serves `dev` and exits 0 on SIGINT', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'drover-dev-bin-'));
  // Its own HOME: dev writes its CLI context into ~/.drover/config.yaml.
  const child = spawn(process.execPath, [BIN, 'dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'error'], { env: { ...process.env, HOME: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /listening on (\S+) /.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('close', (code) => reject(new Error(`dev exited with ${code} before ready: ${err}`)));
    });
    // Components add their own namespaces (drover-system for leader election): only `default` is certain.
    const token = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
    assert.equal((await drover(['get', 'ns'], { env: { DROVER_ADDR: url, DROVER_TOKEN: 'drover_forged' } })).code, 1, 'authentication is on');
    assert.match((await drover(['get', 'ns', '-o', 'name'], { env: { DROVER_ADDR: url, DROVER_TOKEN: token } })).out, /^namespace\/default$/m);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    assert.equal(await exited, 0, err);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
