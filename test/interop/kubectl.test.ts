// kubectl, unmodified, against a running Drover API server: discovery, OpenAPI validation, table output,
// client-side apply (created / unchanged / configured), server-side apply with conflicts, diff, watch, delete.
// Skipped only when kubectl is not installed and CI is not 'true'; under CI a missing kubectl fails.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Kubectl, kubectlAvailable, type KubectlResult } from '../support/kubectl.ts';
import { startApiServer, TEST_ADMIN_TOKEN, type TestApiServer } from '../support/server.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const REDIS = new URL('../../../shared/examples/redis.yaml', import.meta.url);
const required = process.env.CI === 'true';
const available = await kubectlAvailable();

/** A stored Job as the store holds it (decoded), with its modRevision. */
interface StoredJob {
  modRevision: number;
  metadata: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary JSON
  spec: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('kubectl interop', { skip: !available && !required ? 'kubectl is not installed (required when CI=true)' : false }, () => {
  let srv: TestApiServer;
  let kubectl: Kubectl;
  let webYaml: string;
  const fixturePath = (name: string) => new URL(name, FIXTURES).pathname;

  before(async () => {
    assert.ok(available, 'kubectl must be installed when CI=true');
    srv = await startApiServer({ adminToken: TEST_ADMIN_TOKEN });
    kubectl = await Kubectl.create(srv.url, undefined, TEST_ADMIN_TOKEN);
    webYaml = await readFile(new URL('web-job.yaml', FIXTURES), 'utf8');
  });
  after(async () => {
    await kubectl?.close();
    await srv?.close();
  });

  const k = (...args: string[]) => kubectl.run(args);
  /** Run kubectl with a manifest on stdin (`-f -`). */
  const kStdin = (manifest: string, ...args: string[]) => kubectl.run([...args, '-f', '-'], manifest);
  const webWith = (count: number) => webYaml.replace('count: 2', `count: ${count}`);

  async function stored(name: string): Promise<StoredJob | undefined> {
    const { kv } = await srv.store.get(`/registry/drover.dev/jobs/default/${name}`);
    return kv ? { modRevision: kv.modRevision, ...JSON.parse(kv.value) } : undefined;
  }

  function ok(r: KubectlResult): KubectlResult {
    assert.equal(r.code, 0, `kubectl failed: ${r.stderr}`);
    return r;
  }

  it('get jobs on an empty namespace succeeds and finds nothing', async () => {
    const r = ok(await k('get', 'jobs'));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /No resources found in default namespace\./);
  });

  it('apply -f creates a job with the last-applied annotation', async () => {
    const r = ok(await k('apply', '-f', fixturePath('web-job.yaml')));
    assert.equal(r.stdout, 'job.drover.dev/web created\n');
    const job = await stored('web');
    assert.ok(job, 'web is stored');
    assert.equal(job.spec.groups[0].count, 2);
    assert.equal(job.metadata.labels.app, 'web');
    assert.equal(job.metadata.generation, 1);
    const lastApplied = JSON.parse(job.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(lastApplied.spec.groups[0].count, 2);
    assert.ok(job.metadata.managedFields.some((m: { manager: string }) => m.manager === 'kubectl-client-side-apply'));
  });

  it('apply -f again reports unchanged and writes nothing', async () => {
    const before = await stored('web');
    const r = ok(await k('apply', '-f', fixturePath('web-job.yaml')));
    assert.equal(r.stdout, 'job.drover.dev/web unchanged\n');
    assert.equal((await stored('web'))?.modRevision, before?.modRevision);
  });

  it('apply -f of a changed manifest reports configured and stores the change', async () => {
    const r = ok(await kStdin(webWith(3), 'apply'));
    assert.equal(r.stdout, 'job.drover.dev/web configured\n');
    const job = await stored('web');
    assert.equal(job?.spec.groups[0].count, 3);
    assert.equal(job?.metadata.generation, 2);
    const lastApplied = JSON.parse(job?.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(lastApplied.spec.groups[0].count, 3);
  });

  it('apply -f rejects an unknown field through the server (strict field validation)', async () => {
    const r = await kStdin(webYaml.replace('type: service', 'type: service\n  colour: blue'), 'apply');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "spec\.colour"/);
    assert.equal((await stored('web'))?.spec.groups[0].count, 3);
  });

  it('applies the shared redis example as written; re-applying it is unchanged and writes nothing', async () => {
    const r = ok(await k('apply', '-f', REDIS.pathname));
    assert.equal(r.stdout, 'job.drover.dev/redis created\n');
    const job = await stored('redis');
    assert.deepEqual(job?.spec.datacenters, ['us-east-1']);
    assert.equal(job?.spec.groups[0].network.ports[0].label, 'redis');
    assert.equal(job?.spec.groups[0].tasks[0].config.image, 'redis:latest');
    // The server filled defaults inside list items the manifest leaves out.
    assert.equal(job?.spec.groups[0].tasks[0].killTimeout, '5s');
    assert.equal(job?.spec.groups[0].network.mode, 'host');
    // The OpenAPI marks groups/tasks/ports as keyed lists (x-kubernetes-patch-merge-key), so kubectl diffs them
    // item by item, finds nothing but server defaults, and sends no patch at all.
    const again = ok(await k('apply', '-f', REDIS.pathname));
    assert.equal(again.stdout, 'job.drover.dev/redis unchanged\n');
    assert.equal(again.stderr, '');
    assert.equal((await stored('redis'))?.modRevision, job?.modRevision, 'nothing was written');
  });

  it('apply -f of a changed redis merges list items by key: server defaults and others\' fields stay', async () => {
    // Another writer adds a field inside the task item; a whole-list replacement would drop it.
    ok(await k('patch', 'job', 'redis', '--type', 'json', '-p', '[{"op":"add","path":"/spec/groups/0/tasks/0/meta","value":{"owner":"ops"}}]'));
    const before = await stored('redis');
    const unchanged = ok(await k('apply', '-f', REDIS.pathname));
    assert.equal(unchanged.stdout, 'job.drover.dev/redis unchanged\n', 'a field only another writer set is not a difference');

    const manifest = await readFile(REDIS, 'utf8');
    const changed = manifest
      .replace('      count: 1\n', '      count: 2\n')
      .replace('          driver: docker\n', '          driver: docker\n          env:\n            REDIS_ARGS: "--appendonly yes"\n');
    assert.notEqual(changed.indexOf('count: 2'), -1);
    assert.notEqual(changed.indexOf('REDIS_ARGS'), -1);
    const r = ok(await kStdin(changed, 'apply'));
    assert.equal(r.stdout, 'job.drover.dev/redis configured\n');
    assert.equal(r.stderr, '', 'no fallback from the strategic merge patch');
    const after = await stored('redis');
    const want = structuredClone(before!.spec);
    want.groups[0].count = 2;
    want.groups[0].tasks[0].env = { REDIS_ARGS: '--appendonly yes' };
    assert.deepEqual(after?.spec, want, 'only count and env changed: killTimeout, leader, network mode and meta.owner kept');
    assert.equal(after?.metadata.generation, before!.metadata.generation + 1);

    const again = ok(await kStdin(changed, 'apply'));
    assert.equal(again.stdout, 'job.drover.dev/redis unchanged\n');
    assert.equal((await stored('redis'))?.modRevision, after?.modRevision);
  });

  it('get prints the server-side table, names and selections', async () => {
    const table = ok(await k('get', 'jobs')).stdout.trimEnd().split('\n');
    assert.match(table[0], /^NAME\s+TYPE\s+PRIORITY\s+/);
    assert.deepEqual(table.slice(1).map((l) => l.split(/\s+/).slice(0, 3)), [
      ['redis', 'service', '50'],
      ['web', 'service', '50'],
    ]);
    assert.equal(ok(await k('get', 'jobs', '-o', 'name')).stdout, 'job.drover.dev/redis\njob.drover.dev/web\n');
    assert.equal(ok(await k('get', 'jobs', '-l', 'app=web', '-o', 'name')).stdout, 'job.drover.dev/web\n');
    const json = JSON.parse(ok(await k('get', 'job', 'web', '-o', 'json')).stdout);
    assert.equal(json.kind, 'Job');
    assert.equal(json.metadata.resourceVersion, String((await stored('web'))?.modRevision));
  });

  it('diff exits 0 without a difference and 1 with one, changing nothing', async () => {
    const before = await stored('web');
    const same = await kStdin(webWith(3), 'diff');
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, '');
    const changed = await kStdin(webWith(5), 'diff');
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^-\s+- count: 3$/m);
    assert.match(changed.stdout, /^\+\s+- count: 5$/m);
    assert.match(changed.stdout, /^-\s+generation: 2$/m);
    assert.match(changed.stdout, /^\+\s+generation: 3$/m);
    assert.equal((await stored('web'))?.modRevision, before?.modRevision, 'diff is a dry run');
  });

  it('apply --server-side creates and updates with field manager kubectl', async () => {
    const r = ok(await k('apply', '--server-side', '-f', fixturePath('report-job.yaml')));
    assert.equal(r.stdout, 'job.drover.dev/report serverside-applied\n');
    let job = await stored('report');
    assert.equal(job?.spec.type, 'batch');
    assert.equal(job?.spec.priority, 70);
    assert.ok(job?.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply'));
    const manifest = await readFile(new URL('report-job.yaml', FIXTURES), 'utf8');
    ok(await kStdin(manifest.replace('priority: 70', 'priority: 80'), 'apply', '--server-side'));
    job = await stored('report');
    assert.equal(job?.spec.priority, 80);
    assert.equal(job?.metadata.generation, 2);
  });

  it('apply --server-side reports a conflict with the client-side manager unless forced', async () => {
    const conflict = await kStdin(webWith(4), 'apply', '--server-side');
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /conflict with "kubectl-client-side-apply"/);
    assert.match(conflict.stderr, /\.spec\.groups\[name="web"\]\.count/);
    assert.equal((await stored('web'))?.spec.groups[0].count, 3);
    const forced = ok(await kStdin(webWith(4), 'apply', '--server-side', '--force-conflicts'));
    assert.equal(forced.stdout, 'job.drover.dev/web serverside-applied\n');
    assert.equal((await stored('web'))?.spec.groups[0].count, 4);
  });

  it('get -w sees a modification and a deletion', async () => {
    const w = kubectl.watch(['get', 'jobs', '-w', '--output-watch-events']);
    await w.waitForLine((l) => /^ADDED\s+web\s+service\s+50\b/.test(l));
    ok(await k('patch', 'job', 'web', '--type', 'merge', '-p', '{"spec":{"priority":90}}'));
    await w.waitForLine((l) => /^MODIFIED\s+web\s+service\s+90\b/.test(l));
    ok(await k('delete', 'job', 'redis'));
    await w.waitForLine((l) => /^DELETED\s+redis\b/.test(l));
    await w.stop();
  });

  it('delete removes jobs by name and by file', async () => {
    assert.equal(ok(await k('delete', 'job', 'web')).stdout, 'job.drover.dev "web" deleted\n');
    assert.equal(await stored('web'), undefined);
    assert.equal(ok(await k('delete', '-f', fixturePath('report-job.yaml'))).stdout, 'job.drover.dev "report" deleted\n');
    assert.equal(await stored('report'), undefined);
    const missing = await k('get', 'job', 'web');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): jobs\.drover\.dev "web" not found/);
    const gone = await k('delete', 'job', 'web');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NotFound/);
  });
});
