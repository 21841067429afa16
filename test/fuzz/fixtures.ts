import { createHash } from 'node:crypto';
// The objects the hostile-request fuzz creates on purpose: one valid object of every kind, and a snapshot of
// everything stored, so the run can prove afterwards that no hostile request stored or changed anything.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { apiPrefixOf, apiVersionOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { WAIT_HANG_GUARD_MS } from '../support/hang-guard.ts';

/** The namespace namespaced fixtures live in. */
export const FIXTURE_NS = 'default';

const jobSpec = () => ({
  type: 'service',
  datacenters: ['dc1'],
  groups: [
    {
      name: 'cache',
      count: 1,
      network: { ports: [{ label: 'db' }] },
      tasks: [{ name: 'redis', driver: 'docker', config: { image: 'redis:latest' }, resources: { cpu: 500, memoryMB: 256 } }],
    },
  ],
});

/** A valid object of every kind (apiVersion/kind unset: the path supplies them), named `fx-<singular>`. */
export function validObject(kind: KindInfo, name = `fx-${kind.singular}`, opts: { keepName?: boolean } = {}): ApiObject {
  const metadata: ApiObject['metadata'] = { name, labels: { app: 'fuzz' }, annotations: { note: 'fixture' } };
  if (kind.namespaced) metadata.namespace = FIXTURE_NS;
  const parts: Record<string, Record<string, unknown>> = {
    Namespace: {},
    Node: { spec: { datacenter: 'dc1', nodeClass: 'small', meta: { rack: 'r1' } } },
    Job: { spec: jobSpec() },
    JobVersion: { spec: { jobName: 'fx-job', version: 0, jobSpec: jobSpec() } },
    Evaluation: { spec: { jobName: 'fx-job', triggeredBy: 'job-register' } },
    // Stopped: allocations that hold resources are only placed through a plan commit.
    Allocation: { spec: { nodeName: 'fx-node', jobName: 'fx-job', jobVersion: 0, groupName: 'cache', desiredStatus: 'stop' } },
    Deployment: { spec: { jobName: 'fx-job', jobVersion: 0, groups: { cache: { desiredTotal: 1 } } } },
    Volume: { spec: { type: 'host', accessMode: 'single-node-writer', capacity: '1Gi' } },
    Lease: { spec: { holderIdentity: 'fuzz', leaseDurationSeconds: 15 } },
    Event: { involvedObject: { kind: 'Job', name: 'fx-job' }, reason: 'Fuzzed', message: 'a fixture' },
    ConfigMap: { data: { 'app.conf': 'x=1' }, binaryData: { blob: 'AAEC' } },
    Secret: { data: { password: 'c2VjcmV0' }, type: 'Opaque' },
    ServiceAccount: { imagePullSecrets: [{ name: 'registry' }] },
    Role: { rules: [{ apiGroups: ['drover.dev'], resources: ['jobs'], verbs: ['get', 'list'] }] },
    ClusterRole: { rules: [{ apiGroups: ['drover.dev'], resources: ['nodes'], verbs: ['get'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] },
    RoleBinding: { subjects: [{ kind: 'User', name: 'fx-user', apiGroup: 'rbac.authorization.k8s.io' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'fx-role' } },
    ClusterRoleBinding: { subjects: [{ kind: 'Group', name: 'fx-group', apiGroup: 'rbac.authorization.k8s.io' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } },
    Token: { spec: { user: 'fx-user', userGroups: ['fx-group'] } },
    // A CRD's name is `<plural>.<group>`: the fixture's name is the whole name, its first label the plural.
    CustomResourceDefinition: {
      spec: {
        group: 'fuzz.example.com', scope: 'Namespaced', names: { plural: name.split('.')[0], kind: 'FuzzThing' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    },
  };
  if (kind.kind === 'CustomResourceDefinition' && !name.includes('.')) metadata.name = `${name}.fuzz.example.com`;
  // A Token's name is the SHA-256 of its token (a bad name stays as given: it is meant to be refused).
  if (kind.kind === 'Token' && !opts.keepName) metadata.name = createHash('sha256').update(name).digest('hex');
  const rest = parts[kind.kind];
  if (!rest) throw new Error(`no fixture for kind ${kind.kind}: add one to test/fuzz/fixtures.ts`);
  return { apiVersion: apiVersionOf(kind), kind: kind.kind, metadata, ...structuredClone(rest) } as ApiObject;
}

/** Path of a kind's collection (in the fixture namespace for namespaced kinds). */
export function collectionPath(kind: KindInfo, ns = FIXTURE_NS): string {
  return kind.namespaced ? `${apiPrefixOf(kind)}/namespaces/${ns}/${kind.plural}` : `${apiPrefixOf(kind)}/${kind.plural}`;
}

/** Path of one object (or its subresource). */
export function objectPath(kind: KindInfo, name: string, sub?: string, ns = FIXTURE_NS): string {
  return `${collectionPath(kind, ns)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

/** Create one valid object of every kind through the API; returns them as stored (with resourceVersions). */
export async function createFixtures(app: FastifyInstance, kinds: KindInfo[]): Promise<Map<string, ApiObject>> {
  const out = new Map<string, ApiObject>();
  for (const kind of kinds) {
    const res = await app.inject({ method: 'POST', url: collectionPath(kind), payload: JSON.stringify(validObject(kind)), headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 201, `fixture ${kind.kind}: ${res.body}`);
    let obj = JSON.parse(res.body) as ApiObject;
    const deadline = Date.now() + WAIT_HANG_GUARD_MS;
    // The CRD controller writes a CRD's status once it serves the kind: wait for it, so later snapshots are still.
    while (kind.kind === 'CustomResourceDefinition' && !(obj.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
      assert.ok(Date.now() < deadline, 'hang guard: CRD fixture never Established');
      await new Promise((r) => setTimeout(r, 5));
      obj = JSON.parse((await app.inject({ method: 'GET', url: objectPath(kind, obj.metadata.name) })).body) as ApiObject;
    }
    out.set(kind.kind, obj);
  }
  return out;
}

/** Everything in the store: key → modRevision, and the store's revision. */
export interface StoreSnapshot {
  revision: number;
  keys: Map<string, number>;
}

/** Read every key of the store (paginated, as a real client would). */
export async function snapshotStore(store: Store): Promise<StoreSnapshot> {
  const keys = new Map<string, number>();
  let startKey: string | undefined;
  let revision = 0;
  for (;;) {
    const page = await store.list('/', { limit: 500, startKey, revision: revision || undefined });
    revision = page.revision;
    for (const kv of page.kvs) keys.set(kv.key, kv.modRevision);
    if (!page.more || page.kvs.length === 0) break;
    startKey = page.kvs[page.kvs.length - 1]!.key + '\u0000';
  }
  return { revision: (await store.status()).revision, keys };
}

/** Every object of every kind as the API lists it (all namespaces): `plural/ns/name` → resourceVersion. */
export async function listEverything(app: FastifyInstance, kinds: KindInfo[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of kinds) {
    const res = await app.inject({ method: 'GET', url: `${apiPrefixOf(kind)}/${kind.plural}` });
    assert.equal(res.statusCode, 200, `list ${kind.plural}: ${res.body}`);
    for (const o of (JSON.parse(res.body) as { items: ApiObject[] }).items) {
      out.set(`${kind.plural}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.resourceVersion!);
    }
  }
  return out;
}
