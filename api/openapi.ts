// OpenAPI v3 as kube-apiserver publishes it: `/openapi/v3` lists group-versions with a content hash, and
// `/openapi/v3/apis/drover.dev/v1` (and `/openapi/v3/api/v1` for the core kinds) holds the schemas (with x-kubernetes-group-version-kind) and the REST paths.
// kubectl reads it for `explain` and checks the PATCH operations' `fieldValidation` parameter to decide that the
// server validates fields itself (so it skips client-side validation).
import { createHash } from 'node:crypto';
import type { KindInfo } from './schemas/kind.ts';
import { GROUP, VERSION, apiPrefixOf, apiVersionOf, groupOf, versionOf } from './schemas/kind.ts';
import { kinds as allKinds } from './schemas/index.ts';
import { META, ref, refWith, toOpenApiSchema, metaComponents } from './openapi-meta.ts';

type Json = Record<string, unknown>;

/** The group-version path of drover.dev/v1's document, as listed in the root. */
export const GROUP_VERSION_PATH = `apis/${GROUP}/${VERSION}`;

/** The group-version path of `group`'s document: `api/v1` for the core group. */
export const groupVersionPath = (group: string, version = VERSION) => apiPrefixOf({ group, version }).slice(1);

/** Component name of a kind: reversed group, version and kind, e.g. `dev.drover.v1.Job`; `io.k8s.api.core.v1.Secret` for core. */
export function schemaName(kind: string, group = GROUP, version = VERSION): string {
  return group === '' ? `io.k8s.api.core.${version}.${kind}` : `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const gvk = (k: KindInfo, kind = k.kind) => [{ group: groupOf(k), kind, version: versionOf(k) }];
/** kube's tag and operation-id word of a group: `drover_v1`/`DroverDevV1`, `core_v1`/`CoreV1`. */
const tagOf = (group: string, version = VERSION) => `${group === '' ? 'core' : group.split('.')[0]}_${version}`;
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const opGroupOf = (group: string, version = VERSION) =>
  (group === '' ? 'core' : group).split('.').map(capital).join('') + capital(version);

/** A kind's schema as a component: metadata points at ObjectMeta, the kind carries its GVK. */
function kindComponent(k: KindInfo): Json {
  const s = toOpenApiSchema(k.schema);
  const props = s.properties as Json;
  props.metadata = refWith(`${META}.ObjectMeta`, "Standard object's metadata.", { default: {} });
  return { ...s, 'x-kubernetes-group-version-kind': gvk(k) };
}

/** The `<Kind>List` component. */
function listComponent(k: KindInfo): Json {
  return {
    type: 'object',
    description: `A list of ${k.plural}.`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: apiVersionOf(k) },
      kind: { type: 'string', description: `${k.kind}List` },
      items: { type: 'array', description: `The ${k.plural}.`, items: ref(schemaName(k.kind, groupOf(k), versionOf(k))) },
      metadata: refWith(`${META}.ListMeta`, 'Standard list metadata.', { default: {} }),
    },
    'x-kubernetes-group-version-kind': gvk(k, `${k.kind}List`),
  };
}

const q = (name: string, description: string, type = 'string'): Json => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const PRETTY = q('pretty', "If 'true', the output is pretty printed.");
const DRY_RUN = q('dryRun', "When present (value 'All'), modifications are not persisted.");
const FIELD_MANAGER = q('fieldManager', 'Name of the actor making the change, for field ownership.');
const FIELD_VALIDATION = q('fieldValidation', 'How to handle unknown or duplicate fields: Ignore, Warn or Strict (default).');
const FORCE = q('force', 'Force an apply, taking fields owned by other managers.', 'boolean');
const LIST_PARAMS = [
  q('allowWatchBookmarks', 'Request BOOKMARK events on watches.', 'boolean'),
  q('continue', 'Continue token from a previous limited list.'),
  q('fieldSelector', 'Restrict by fields, e.g. spec.nodeName=n1.'),
  q('labelSelector', 'Restrict by labels, e.g. app=web,tier!=db.'),
  q('limit', 'Maximum number of items.', 'integer'),
  q('resourceVersion', 'Serve the list or start the watch at this version.'),
  q('resourceVersionMatch', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  q('timeoutSeconds', 'Timeout of a list or watch call.', 'integer'),
  q('watch', 'Watch for changes instead of listing.', 'boolean'),
];
const pathParam = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });
const NAMESPACE = pathParam('namespace', 'Object name and auth scope, such as for teams and projects.');

const MEDIA = ['application/json', 'application/yaml'];
const content = (schema: Json, types = MEDIA) => Object.fromEntries(types.map((t) => [t, { schema }]));
const reply = (schema: Json, ...codes: number[]) =>
  Object.fromEntries([...codes.map((c) => [String(c), { description: 'OK', content: content(schema) }]), ['401', { description: 'Unauthorized' }]]);
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** Names of the operations for one kind, as kube's operation ids. */
function opName(verb: string, k: KindInfo, suffix = '', scope: 'ns' | 'all' | 'cluster' = k.namespaced ? 'ns' : 'cluster'): string {
  const gv = opGroupOf(groupOf(k), versionOf(k));
  if (scope === 'all') return `${verb}${gv}${k.kind}${suffix}ForAllNamespaces`;
  return `${verb}${gv}${scope === 'ns' ? 'Namespaced' : ''}${k.kind}${suffix}`;
}

/** kube's id for deletecollection: `deleteDroverDevV1CollectionNamespacedJob`. */
const collectionOpName = (k: KindInfo) => {
  const v = capital(versionOf(k));
  return opName('delete', k).replace(new RegExp(`${v}(Namespaced)?`), (m) => `${v}Collection${m.slice(v.length)}`);
};

/** One operation object. */
function op(k: KindInfo, operationId: string, action: string, description: string, params: Json[], responses: Json, body?: Json, kind = k.kind): Json {
  const o: Json = { tags: [tagOf(groupOf(k), versionOf(k))], description, operationId, parameters: params, responses };
  if (body) o.requestBody = body;
  o['x-kubernetes-action'] = action;
  o['x-kubernetes-group-version-kind'] = { group: groupOf(k), version: versionOf(k), kind };
  return o;
}

/** The REST paths of one kind: collection, item, /status, and the legacy watch paths. */
function kindPaths(k: KindInfo): Record<string, Json> {
  const base = apiPrefixOf(k);
  const scoped = k.namespaced ? `${base}/namespaces/{namespace}/${k.plural}` : `${base}/${k.plural}`;
  const scopeParams = k.namespaced ? [NAMESPACE] : [];
  const NAME = pathParam('name', `Name of the ${k.singular}.`);
  const obj = ref(schemaName(k.kind, groupOf(k), versionOf(k)));
  const list = ref(schemaName(`${k.kind}List`, groupOf(k), versionOf(k)));
  const status = ref(`${META}.Status`);
  const body = (schema: Json) => ({ required: true, content: content(schema, ['*/*']) });
  const patchBody = { required: true, content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: ref(`${META}.Patch`) }])) };
  const writeParams = [PRETTY, DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  const item = (sub: string, suffix: string, what: string): Json => ({
    get: op(k, opName('read', k, suffix), 'get', `read ${what} of the specified ${k.kind}`, [...scopeParams, NAME, PRETTY], reply(obj, 200)),
    put: op(k, opName('replace', k, suffix), 'put', `replace ${what} of the specified ${k.kind}`, [...scopeParams, NAME, ...writeParams], reply(obj, 200, 201), body(obj)),
    patch: op(k, opName('patch', k, suffix), 'patch', `partially update ${what} of the specified ${k.kind}`, [...scopeParams, NAME, ...writeParams, FORCE], reply(obj, 200, 201), patchBody),
  });
  const paths: Record<string, Json> = {
    [scoped]: {
      get: op(k, opName('list', k), 'list', `list or watch objects of kind ${k.kind}`, [...scopeParams, PRETTY, ...LIST_PARAMS], reply(list, 200)),
      post: op(k, opName('create', k), 'post', `create a ${k.kind}`, [...scopeParams, ...writeParams], reply(obj, 200, 201, 202), body(obj)),
      delete: op(k, collectionOpName(k), 'deletecollection',
        `delete collection of ${k.kind}`, [...scopeParams, PRETTY, DRY_RUN, ...LIST_PARAMS], reply(status, 200), { content: content(ref(`${META}.DeleteOptions`), ['*/*']) }),
    },
    [`${scoped}/{name}`]: {
      ...item('', '', 'the'),
      delete: op(k, opName('delete', k), 'delete', `delete a ${k.kind}`, [...scopeParams, NAME, PRETTY, DRY_RUN], reply(status, 200, 202), { content: content(ref(`${META}.DeleteOptions`), ['*/*']) }),
    },
  };
  if (k.hasStatus) paths[`${scoped}/{name}/status`] = item('/status', 'Status', 'status');
  const watchEvent = ref(`${META}.WatchEvent`);
  const watchScoped = k.namespaced ? `${base}/watch/namespaces/{namespace}/${k.plural}` : `${base}/watch/${k.plural}`;
  paths[watchScoped] = { get: op(k, opName('watch', k, 'List'), 'watchlist', `watch changes to a list of ${k.kind}`, [...scopeParams, ...LIST_PARAMS], reply(watchEvent, 200)) };
  paths[`${watchScoped}/{name}`] = { get: op(k, opName('watch', k), 'watch', `watch changes to a ${k.kind}`, [...scopeParams, NAME, ...LIST_PARAMS], reply(watchEvent, 200)) };
  if (k.namespaced) {
    paths[`${base}/${k.plural}`] = { get: op(k, opName('list', k, '', 'all'), 'list', `list or watch ${k.kind} in all namespaces`, [PRETTY, ...LIST_PARAMS], reply(list, 200)) };
    paths[`${base}/watch/${k.plural}`] = { get: op(k, opName('watch', k, 'List', 'all'), 'watchlist', `watch ${k.kind} in all namespaces`, LIST_PARAMS, reply(watchEvent, 200)) };
  }
  return paths;
}

/** The OpenAPI v3 document of one group's v1 (`/openapi/v3/apis/drover.dev/v1`, `/openapi/v3/api/v1`): its kinds only. */
export function buildOpenApiV3(kinds: KindInfo[] = allKinds, group = GROUP, version = VERSION): Json {
  const schemas: Record<string, Json> = { ...metaComponents() };
  const paths: Record<string, Json> = {};
  for (const k of kinds.filter((k) => groupOf(k) === group && versionOf(k) === version)) {
    schemas[schemaName(k.kind, group, version)] = kindComponent(k);
    schemas[schemaName(`${k.kind}List`, group, version)] = listComponent(k);
    Object.assign(paths, kindPaths(k));
  }
  paths[`${apiPrefixOf({ group, version })}/`] = {
    get: { tags: [tagOf(group, version)], description: 'get available resources', operationId: `get${opGroupOf(group, version)}APIResources`, responses: reply({ type: 'object' }, 200) },
  };
  return {
    openapi: '3.0.0',
    info: { title: 'Drover', version },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) },
  };
}

/** The content hash kube-openapi puts in serverRelativeURL: upper-case hex SHA-512 of the served bytes. */
export function openApiHash(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

/**
 * The `/openapi/v3` discovery document. `documents` maps each group-version path (`apis/drover.dev/v1`,
 * `api/v1`) to the exact JSON text served there, so the hash in the URL names those bytes (clients cache by URL).
 */
export function buildOpenApiRoot(documents: Record<string, string> = { [GROUP_VERSION_PATH]: JSON.stringify(buildOpenApiV3()) }): Json {
  const paths = Object.fromEntries(Object.entries(documents).map(([gv, doc]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${openApiHash(doc)}` }]));
  return { paths };
}
