// @kubernetes/client-node 1.4, unmodified, against a running Drover API server: CustomObjectsApi CRUD with
// every patch type, and an informer (makeInformer) that follows adds/updates/deletes, resumes across a server
// restart without relisting, and relists after the server answers its watch with 410 Gone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { startApiServer, TEST_ADMIN_TOKEN, type TestApiServer } from '../support/server.ts';

const group = 'drover.dev';
const version = 'v1';
const plural = 'jobs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
type Json = any;

/** A small service job. */
function job(name: string, spec: Record<string, unknown> = {}): Json {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', labels: { suite: 'client-node' } },
    spec: {
      type: 'service',
      groups: [{ name: 'g', count: 1, tasks: [{ name: 't', driver: 'mock', config: { runFor: '1h' }, resources: { cpu: 10, memoryMB: 16 } }] }],
      ...spec,
    },
  };
}

function kubeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'drover', server: url, skipTLSVerify: true }],
    users: [{ name: 'anonymous', token: TEST_ADMIN_TOKEN }],
    contexts: [{ name: 'drover', cluster: 'drover', user: 'anonymous', namespace: 'default' }],
    currentContext: 'drover',
  });
  return kc;
}

/** Expect `p` to fail with an ApiException of `code`; returns the parsed Status body. */
async function rejectsWith(p: Promise<unknown>, code: number): Promise<Json> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected ApiException, got ${err}`);
    assert.equal(err.code, code, String(err.body));
    return typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
  }
  assert.fail(`expected HTTP ${code}`);
}

describe('client-node CustomObjectsApi', () => {
  let srv: TestApiServer;
  let api: CustomObjectsApi;
  const ns = { group, version, namespace: 'default', plural };

  before(async () => {
    srv = await startApiServer({ adminToken: TEST_ADMIN_TOKEN });
    api = kubeConfig(srv.url).makeApiClient(CustomObjectsApi);
  });
  after(() => srv?.close());

  async function storedJob(name: string): Promise<Json> {
    const { kv } = await srv.store.get(`/registry/drover.dev/jobs/default/${name}`);
    return kv ? JSON.parse(kv.value) : undefined;
  }

  it('creates, and refuses a second create with 409 AlreadyExists', async () => {
    const created = await api.createNamespacedCustomObject({ ...ns, body: job('api') });
    assert.equal(created.metadata.name, 'api');
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.spec.priority, 50, 'defaulted');
    assert.equal((await storedJob('api')).metadata.uid, created.metadata.uid);
    const status = await rejectsWith(api.createNamespacedCustomObject({ ...ns, body: job('api') }), 409);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'AlreadyExists');
  });

  it('gets and lists', async () => {
    const got = await api.getNamespacedCustomObject({ ...ns, name: 'api' });
    assert.equal(got.spec.groups[0].count, 1);
    const list = await api.listNamespacedCustomObject({ ...ns, labelSelector: 'suite=client-node' });
    assert.equal(list.kind, 'JobList');
    assert.deepEqual(list.items.map((o: Json) => o.metadata.name), ['api']);
    assert.equal(list.metadata.resourceVersion, got.metadata.resourceVersion);
    const status = await rejectsWith(api.getNamespacedCustomObject({ ...ns, name: 'nope' }), 404);
    assert.equal(status.reason, 'NotFound');
  });

  it('replaces with the current resourceVersion, and gets 409 Conflict with a stale one', async () => {
    const current = await api.getNamespacedCustomObject({ ...ns, name: 'api' });
    const body = structuredClone(current);
    body.spec.groups[0].count = 3;
    const replaced = await api.replaceNamespacedCustomObject({ ...ns, name: 'api', body });
    assert.equal(replaced.spec.groups[0].count, 3);
    assert.equal(replaced.metadata.generation, 2);
    assert.notEqual(replaced.metadata.resourceVersion, current.metadata.resourceVersion);
    const stale = structuredClone(current);
    stale.spec.groups[0].count = 7;
    const status = await rejectsWith(api.replaceNamespacedCustomObject({ ...ns, name: 'api', body: stale }), 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal((await storedJob('api')).spec.groups[0].count, 3);
  });

  it('patches with json-patch, merge-patch and server-side apply', async () => {
    const jsonPatched = await api.patchNamespacedCustomObject({ ...ns, name: 'api', body: [{ op: 'replace', path: '/spec/priority', value: 60 }] });
    assert.equal(jsonPatched.spec.priority, 60);

    const merged = await api.patchNamespacedCustomObject(
      { ...ns, name: 'api', body: { metadata: { labels: { tier: 'front' } }, spec: { priority: 65 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(merged.spec.priority, 65);
    assert.equal(merged.metadata.labels.tier, 'front');

    const applied = await api.patchNamespacedCustomObject(
      { ...ns, name: 'api', fieldManager: 'client-node', force: true, body: job('api', { priority: 70 }) },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    assert.equal(applied.spec.priority, 70);
    assert.ok(applied.metadata.managedFields.some((m: Json) => m.manager === 'client-node' && m.operation === 'Apply'));

    const stored = await storedJob('api');
    assert.equal(stored.spec.priority, 70);
    assert.equal(stored.metadata.labels.tier, 'front');
  });

  it('creates and reads cluster-scoped objects', async () => {
    const body = { apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'n-a' }, spec: {} };
    const created = await api.createClusterCustomObject({ group, version, plural: 'nodes', body });
    assert.equal(created.metadata.name, 'n-a');
    const list = await api.listClusterCustomObject({ group, version, plural: 'nodes' });
    assert.deepEqual(list.items.map((o: Json) => o.metadata.name).sort(), ['n-a']);
    // Namespaces are core/v1, through client-node's CoreV1Api.
    const core = kubeConfig(srv.url).makeApiClient(CoreV1Api);
    const ns0 = await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } });
    assert.equal(ns0.status?.phase, 'Active');
    assert.deepEqual((await core.listNamespace()).items.map((n) => n.metadata?.name).sort(), ['default', 'team-a']);
    await api.createNamespacedCustomObject({ ...ns, namespace: 'team-a', body: { ...job('other'), metadata: { name: 'other', namespace: 'team-a' } } });
    const all = await api.listClusterCustomObject({ group, version, plural });
    assert.deepEqual(all.items.map((o: Json) => `${o.metadata.namespace}/${o.metadata.name}`), ['default/api', 'team-a/other']);
  });

  it('deletes, after which get is 404', async () => {
    await api.deleteNamespacedCustomObject({ ...ns, name: 'api' });
    assert.equal(await storedJob('api'), undefined);
    await rejectsWith(api.getNamespacedCustomObject({ ...ns, name: 'api' }), 404);
    await rejectsWith(api.deleteNamespacedCustomObject({ ...ns, name: 'api' }), 404);
  });
});

/** One informer callback, as recorded. */
interface InformerEvent {
  type: 'add' | 'update' | 'delete';
  name: string;
  priority: number;
}

/** Records informer callbacks; lets a test wait for one. */
class EventLog {
  readonly events: InformerEvent[] = [];
  private waiters: Array<() => void> = [];

  push(e: InformerEvent): void {
    this.events.push(e);
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  /** Wait for an event (recorded at or after index `from`) matching type and name; the timeout only guards hangs. */
  async waitFor(type: InformerEvent['type'], name: string, from: number, timeoutMs = 15_000): Promise<InformerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.slice(from).find((x) => x.type === type && x.name === name);
      if (e) return e;
      if (Date.now() > deadline) throw new Error(`no ${type} ${name}; got ${JSON.stringify(this.events.slice(from))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

describe('client-node informer', () => {
  let dataDir: string;
  let srv: TestApiServer;
  let api: CustomObjectsApi;
  let informer: ListWatch<KubernetesObject>;
  let stopped = false;
  let lists = 0;
  const errors: unknown[] = [];
  const log = new EventLog();
  const ns = { group, version, namespace: 'default', plural };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'drover-informer-'));
    srv = await startApiServer({ dataDir, adminToken: TEST_ADMIN_TOKEN });
    const kc = kubeConfig(srv.url);
    api = kc.makeApiClient(CustomObjectsApi);
    informer = makeInformer(kc, '/apis/drover.dev/v1/namespaces/default/jobs', async () => {
      lists++;
      return (await api.listNamespacedCustomObject(ns)) as KubernetesListObject<KubernetesObject>;
    }) as ListWatch<KubernetesObject>; // what makeInformer builds; typed so the test can read its resourceVersion
    const record = (type: InformerEvent['type']) => (o: KubernetesObject) =>
      log.push({ type, name: o.metadata!.name!, priority: (o as Json).spec.priority });
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    // client-node's documented pattern: after a failed watch or list the informer stops; start it again.
    informer.on('error', (err) => {
      errors.push(err);
      if (!stopped) setTimeout(() => void informer.start().catch((e) => errors.push(e)), 50);
    });
    await informer.start();
  });
  after(async () => {
    stopped = true;
    await informer?.stop();
    await srv?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Write through a second API server over the same store while the listening one is down (no socket). */
  async function writeWhileDown(requests: Array<{ method: 'POST' | 'PATCH' | 'DELETE'; path: string; body?: unknown }>): Promise<void> {
    const offline = await createApiServer({ store: srv.store, logger: silentLogger, compactionIntervalMs: 0 });
    try {
      for (const r of requests) {
        const res = await offline.app.inject({
          method: r.method,
          url: `/apis/drover.dev/v1/namespaces/default/jobs${r.path}`,
          payload: r.body === undefined ? undefined : JSON.stringify(r.body),
          headers: { 'content-type': r.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
        });
        assert.ok(res.statusCode < 300, `${r.method} ${r.path}: ${res.body}`);
      }
    } finally {
      await offline.close();
    }
  }

  const cachedNames = () => informer.list('default').map((o) => o.metadata!.name).sort();
  async function storedNames(): Promise<string[]> {
    const { kvs } = await srv.store.list('/registry/drover.dev/jobs/default/');
    return kvs.map((kv) => JSON.parse(kv.value).metadata.name).sort();
  }

  it('receives add, update and delete', async () => {
    const from = log.events.length;
    await api.createNamespacedCustomObject({ ...ns, body: job('a') });
    await log.waitFor('add', 'a', from);
    await api.patchNamespacedCustomObject({ ...ns, name: 'a', body: [{ op: 'replace', path: '/spec/priority', value: 61 }] });
    assert.equal((await log.waitFor('update', 'a', from)).priority, 61);
    await api.deleteNamespacedCustomObject({ ...ns, name: 'a' });
    await log.waitFor('delete', 'a', from);
    assert.deepEqual(log.events.slice(from).map((e) => `${e.type} ${e.name}`), ['add a', 'update a', 'delete a']);
    assert.equal(lists, 1);
  });

  it('resumes after a server restart on the same port without relisting, seeing writes made while down', async () => {
    let from = log.events.length;
    await api.createNamespacedCustomObject({ ...ns, body: job('b') });
    await api.createNamespacedCustomObject({ ...ns, body: job('c') });
    await log.waitFor('add', 'c', from);

    await srv.stop();
    await writeWhileDown([
      { method: 'POST', path: '', body: job('d') },
      { method: 'PATCH', path: '/b', body: { spec: { priority: 62 } } },
    ]);
    from = log.events.length;
    await srv.start(); // reopens the store from its data directory
    await log.waitFor('add', 'd', from);
    assert.equal((await log.waitFor('update', 'b', from)).priority, 62);
    assert.equal(lists, 1, 'the watch resumed from its resourceVersion: no relist');

    from = log.events.length;
    await api.patchNamespacedCustomObject({ ...ns, name: 'c', body: [{ op: 'replace', path: '/spec/priority', value: 63 }] });
    assert.equal((await log.waitFor('update', 'c', from)).priority, 63);
    assert.deepEqual(cachedNames(), await storedNames());
  });

  it('relists after a 410 Gone (history compacted while disconnected) and carries on', async () => {
    const lastRv = informer.latestResourceVersion();
    await srv.stop();
    await writeWhileDown([
      { method: 'POST', path: '', body: job('e') },
      { method: 'DELETE', path: '/c' },
      { method: 'PATCH', path: '/d', body: { spec: { priority: 64 } } },
    ]);
    const { revision } = await srv.store.status();
    await srv.store.compact(revision);
    const from = log.events.length;
    await srv.start();

    // What the informer met: the server answers a watch from its revision with an ERROR event, 410 Expired.
    const res = await fetch(`${srv.url}/apis/drover.dev/v1/namespaces/default/jobs?watch=true&resourceVersion=${lastRv}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    assert.equal(res.status, 200);
    const events = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].object.code, 410);
    assert.equal(events[0].object.reason, 'Expired');
    assert.match(events[0].object.message, new RegExp(`^too old resource version: ${lastRv} \\(${revision}\\)$`));

    await log.waitFor('add', 'e', from);
    await log.waitFor('delete', 'c', from);
    assert.equal((await log.waitFor('update', 'd', from)).priority, 64);
    assert.equal(lists, 2, 'exactly one relist, caused by the 410');

    const after = log.events.length;
    await api.createNamespacedCustomObject({ ...ns, body: job('f') });
    await log.waitFor('add', 'f', after);
    assert.deepEqual(cachedNames(), ['b', 'd', 'e', 'f']);
    assert.deepEqual(cachedNames(), await storedNames());
  });
});
