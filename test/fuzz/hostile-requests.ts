// Hostile requests beyond bad bodies: patches that cannot apply, bad selectors, bad resourceVersions, bad
// content types, bad query parameters, unknown paths and kinds, and verbs a resource does not allow.
import fc from 'fast-check';
import { apiPrefixOf, apiVersionOf, type KindInfo } from '../../api/schemas/kind.ts';
import { validObject } from './fixtures.ts';
import { CT, collection, fixtureOf, fixturePath, freshName, kindOf, statusKindOf, withBody, type HostileRequest, type Target } from './hostile.ts';

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const nonce = fc.integer({ min: 0, max: 1_000_000 });

/** JSON patches that are not patches, operations that are malformed or do not apply; merge patches that are not objects; broken applies. */
export function badPatch(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), nonce, fc.nat()).map(([kind, n, pick]) => {
    const url = fixturePath(t, kind);
    const cases: Array<() => HostileRequest> = [
      () => withBody('json patch not an array', 'PATCH', url, CT.jsonPatch, ['{}', '"x"', '3', 'null', 'true'][pick % 5]!, { expect: [400] }),
      () => {
        const ops = [[{}], [{ op: 'frob', path: '/a' }], [{ op: 'add' }], [{ op: 'add', path: 'no-slash', value: 1 }], [{ op: 'add', path: '/a' }], [{ op: 'move', path: '/a' }], [3], [{ op: 'replace', path: 3, value: 1 }]];
        return withBody('json patch op malformed', 'PATCH', url, CT.jsonPatch, JSON.stringify(ops[pick % ops.length]), { expect: [400] });
      },
      () => {
        const ops = [
          { op: 'remove', path: `/metadata/missing-${n}` },
          { op: 'replace', path: `/metadata/labels/missing-${n}`, value: 'x' },
          { op: 'test', path: '/metadata/name', value: `not-${n}` },
          { op: 'move', from: `/metadata/missing-${n}`, path: '/metadata/x' },
          { op: 'copy', from: `/nope/${n}`, path: '/metadata/y' },
          { op: 'add', path: `/metadata/labels/a${n}/b/c`, value: '1' },
          { op: 'add', path: `/metadata/finalizers/${5 + (n % 10)}`, value: 'x' },
        ];
        // A valid first op must not survive the failing second one.
        const patch = [{ op: 'replace', path: '/metadata/labels/app', value: `changed-${n}` }, ops[pick % ops.length]];
        return withBody(`json patch op does not apply: ${JSON.stringify(patch[1])}`, 'PATCH', url, CT.jsonPatch, JSON.stringify(patch), { expect: [422] });
      },
      () => {
        const body = ['[]', '"x"', '3', 'null', 'true', '[{"a":1}]'][pick % 6]!;
        return withBody(`merge patch not an object: ${body}`, 'PATCH', url, pick % 2 ? CT.merge : CT.strategic, body, { expect: [400] });
      },
      () => withBody('apply without fieldManager', 'PATCH', url, CT.apply, JSON.stringify(fixtureOf(t, kind)), { expect: [422], field: 'fieldManager' }),
      () => withBody('apply of a non-object', 'PATCH', `${url}?fieldManager=fuzz`, CT.apply, ['- a\n- b', 'just a string', '3', 'null'][pick % 4]!, { expect: [400] }),
      () => {
        const obj = fixtureOf(t, kind) as unknown as Record<string, unknown>;
        if (pick % 3 === 0) delete obj.apiVersion;
        else if (pick % 3 === 1) delete obj.kind;
        else obj.kind = 'Other';
        return withBody('apply without or with a wrong apiVersion/kind', 'PATCH', `${url}?fieldManager=fuzz`, CT.apply, JSON.stringify(obj), { expect: [400] });
      },
      () => withBody('empty patch', 'PATCH', url, [CT.merge, CT.jsonPatch, CT.strategic][pick % 3]!, ['', '  ', '\n'][pick % 3]!, { expect: [400] }),
      () => withBody('force on a merge patch', 'PATCH', `${url}?force=true`, CT.merge, JSON.stringify({ metadata: { labels: { app: `x${n}` } } }), { expect: [422], field: 'force' }),
      () => withBody('patch renaming the object', 'PATCH', url, CT.merge, JSON.stringify({ metadata: { name: `other-${n}` } }), { expect: [400] }),
      () => withBody('patch of an absent object', 'PATCH', `${collection(kind)}/absent-${n}`, CT.merge, '{"metadata":{"labels":{"a":"b"}}}', { expect: [404] }),
    ];
    return cases[pick % cases.length]!();
  });
}

const LABEL_TEMPLATES: Array<(k: string, v: string) => string> = [
  (k) => `${k} in (`,
  (k) => `${k} notin`,
  (_k, v) => `=${v}`,
  (k) => `${k}!`,
  (k, v) => `!${k}=${v}`,
  (k, v) => `${k}==${v}==${v}`,
  (k, v) => `${k}=${v},`,
  (k) => `,${k}`,
  (_k, v) => `-lead=${v}`,
  (_k, v) => `trail-=${v}`,
  (_k, v) => `${'k'.repeat(64)}=${v}`,
  (_k, v) => `a/b/c=${v}`,
  (_k, v) => `Bad_Prefix/x=${v}`,
  (k) => `${k}=-lead`,
  (k) => `${k}=${'v'.repeat(64)}`,
  (k) => `${k}=bad$value`,
  (k) => `${k}>abc`,
  (k) => `${k} in a`,
  () => '(',
  () => ')',
  () => '!!a',
  (k, v) => `${k}=${v}=${v}`,
];

/** Field selectors a kind refuses: unknown or unselectable fields, no operator, set operators, bad escapes. */
function badFieldSelector(t: Target, kind: KindInfo, v: string, pick: number): string {
  const foreign = t.kinds.flatMap((k) => Object.keys(k.selectableFields)).filter((f) => !(f in kind.selectableFields));
  const options = [`spec.bogus=${v}`, `metadata.uid=${v}`, 'metadata.name', `metadata.name in (${v})`, `metadata.name>${v}`, `metadata.name=a\\x`, `=${v}`, `${foreign[pick % foreign.length] ?? 'spec.nope'}=${v}`];
  return options[pick % options.length]!;
}

/** Label and field selectors that do not parse, on lists, watches and delete-collection. */
export function badSelector(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), word, word, fc.nat(), fc.constantFrom('list', 'list-all', 'watch', 'deletecollection'), fc.boolean()).map(([kind, k, v, pick, verb, labels]) => {
    const selector = labels ? LABEL_TEMPLATES[pick % LABEL_TEMPLATES.length]!(k, v) : badFieldSelector(t, kind, v, pick);
    const q = `${labels ? 'labelSelector' : 'fieldSelector'}=${encodeURIComponent(selector)}`;
    const what = `bad ${labels ? 'label' : 'field'} selector (${verb}) ${kind.plural}: ${selector}`;
    const base = verb === 'list-all' ? `${apiPrefixOf(kind)}/${kind.plural}` : collection(kind);
    if (verb === 'deletecollection') return { what, method: 'DELETE', url: `${base}?${q}`, headers: {}, expect: [400] };
    // A watch that wrongly started would still end by itself.
    const url = verb === 'watch' ? `${base}?watch=true&timeoutSeconds=1&${q}` : `${base}?${q}`;
    return { what, method: 'GET', url, headers: {}, expect: [400] };
  });
}

/** resourceVersions that are not the current one: garbage, stale, future; and garbage on lists and watches. */
export function badResourceVersion(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.nat(), fc.integer({ min: 1, max: 1_000_000 }), word).map(([kind, pick, k, junk]) => {
    const fx = fixtureOf(t, kind);
    const rv = Number(fx.metadata.resourceVersion);
    const bad = [junk, '-1', '1.5', String(Math.max(1, rv - 1 - (k % Math.max(1, rv - 1)))), String(rv + k), `0${rv}`, ` ${rv}`, 'null'][pick % 8]!;
    const url = fixturePath(t, kind);
    const how = Math.floor(pick / 8) % 8;
    fx.metadata.resourceVersion = bad;
    const what = `bad resourceVersion ${JSON.stringify(bad)} (case ${how}) ${kind.kind}`;
    switch (how) {
      case 0:
        return withBody(what, 'PUT', url, CT.json, JSON.stringify(fx), { expect: [409] });
      case 1: {
        delete fx.metadata.resourceVersion;
        if (pick % 2) fx.metadata.resourceVersion = '';
        return withBody(`${what}: missing on update`, 'PUT', url, CT.json, JSON.stringify(fx), { expect: [422], field: 'metadata.resourceVersion' });
      }
      case 2:
        return withBody(what, 'PATCH', url, CT.merge, JSON.stringify({ metadata: { resourceVersion: bad, labels: { app: `x${k}` } } }), { expect: [409] });
      case 3:
        return withBody(what, 'PATCH', url, CT.jsonPatch, JSON.stringify([{ op: 'replace', path: '/metadata/resourceVersion', value: bad }]), { expect: [409] });
      case 4:
        return withBody(what, 'PATCH', `${url}?fieldManager=fuzz`, CT.apply, JSON.stringify({ apiVersion: fx.apiVersion, kind: fx.kind, metadata: { name: fx.metadata.name, resourceVersion: bad } }), { expect: [409] });
      case 5: {
        const pre = pick % 2 ? { resourceVersion: bad } : { uid: `not-${junk}` };
        return withBody(`${what}: delete precondition ${JSON.stringify(pre)}`, 'DELETE', url, CT.json, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: pre }), { expect: [409] });
      }
      case 6:
        return { what: `${what}: list`, method: 'GET', url: `${collection(kind)}?resourceVersion=${encodeURIComponent(junk)}${pick % 2 ? '&resourceVersionMatch=Exact' : ''}`, headers: {}, expect: [400] };
      default:
        return { what: `${what}: watch`, method: 'GET', url: `${collection(kind)}?watch=1&timeoutSeconds=1&resourceVersion=${encodeURIComponent(junk)}`, headers: {}, expect: [400] };
    }
  });
}

const media = (ct: string) => ct.split(';')[0]!.trim().toLowerCase();
const OBJECT_TYPES = new Set([CT.json, CT.yaml]);
const PATCH_TYPES = new Set([CT.jsonPatch, CT.merge, CT.strategic, CT.apply]);
const FOREIGN_TYPES = ['text/plain', 'application/xml', 'text/yaml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/vnd.kubernetes.protobuf', 'application/cbor', 'application/apply-patch+cbor', CT.jsonPatch, CT.merge, CT.apply, CT.json, CT.yaml, 'image/png', '*/*'];
const randomType = fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z0-9.+-]{1,15}$/)).map(([a, b]) => `${a}/${b}`);

/** Bodies in media types the verb does not take: 415. */
export function badContentType(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.oneof(fc.constantFrom(...FOREIGN_TYPES), randomType), fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), freshName).chain(([kind, ct, method, name]) => {
    const accepted = method === 'PATCH' ? PATCH_TYPES : OBJECT_TYPES;
    if (accepted.has(media(ct) as never)) return fc.constant(undefined);
    const body = method === 'POST' ? JSON.stringify(validObject(kind, name)) : method === 'DELETE' ? '{}' : JSON.stringify(fixtureOf(t, kind));
    const url = method === 'POST' ? collection(kind) : `${fixturePath(t, kind)}${method === 'PATCH' ? '?fieldManager=fuzz' : ''}`;
    return fc.constant(withBody(`content type ${ct} on ${method} ${kind.plural}`, method as HostileRequest['method'], url, ct, body, { expect: [415] }));
  }).filter((r): r is HostileRequest => r !== undefined);
}

/** True when `token` would decode as one of the server's continue tokens (so it is not garbage). */
function wellFormedContinue(token: string): boolean {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return o?.v === 'meta.k8s.io/v1' && Number.isInteger(o.rv) && o.rv >= -1 && typeof o.start === 'string';
  } catch {
    return false;
  }
}

const garbageContinue = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9_=+/-]{1,40}$/),
    fc.constantFrom<unknown>({ v: 'x', rv: 1, start: '' }, { v: 'meta.k8s.io/v1', rv: '1', start: '' }, { v: 'meta.k8s.io/v1', rv: 1.5, start: '' }, { v: 'meta.k8s.io/v1', rv: -2, start: '' }, { v: 'meta.k8s.io/v1', rv: 1, start: 3 }, { v: 'meta.k8s.io/v1', rv: 1, start: '../etc' }, [1], 'str').map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')),
  )
  .filter((s) => !wellFormedContinue(s) || s.includes('..') || Buffer.from(s, 'base64url').toString().includes('..'));

/** Query parameters with values the server must refuse, on reads, watches, writes and deletes. */
export function badQuery(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.nat(), garbageContinue, word, freshName).map(([kind, pick, cont, junk, name]) => {
    const list = collection(kind);
    const reads: Array<[string, number[]]> = [
      ['limit=-1', [400]], [`limit=${junk}`, [400]], ['limit=1.5', [400]], ['limit=1e3', [400]], ['limit=0x10', [400]],
      [`continue=${encodeURIComponent(cont)}`, [400]], ['resourceVersionMatch=Bogus&resourceVersion=1', [422]], ['resourceVersionMatch=Exact', [422]],
      [`timeoutSeconds=${junk}`, [400]], [`watch=${junk}x`, [400]], [`allowWatchBookmarks=${junk}x`, [400]],
    ];
    const watches: Array<[string, number[]]> = [
      [`timeoutSeconds=${junk}`, [400]], ['timeoutSeconds=-1', [400]], ['timeoutSeconds=1.5', [400]], [`allowWatchBookmarks=${junk}x&timeoutSeconds=1`, [400]],
      ['sendInitialEvents=true&timeoutSeconds=1', [422]], ['resourceVersionMatch=NotOlderThan&timeoutSeconds=1', [422]], [`sendInitialEvents=${junk}x&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`, [400]],
    ];
    const writes: Array<[string, number[]]> = [
      [`dryRun=${junk}`, [422]], ['dryRun=all', [422]], ['fieldValidation=Loose', [400]], [`fieldManager=${'m'.repeat(129)}`, [422]], ['fieldManager=%01bad', [422]], [`force=${junk}x`, [422]],
    ];
    const deletes: Array<[string, number[]]> = [['propagationPolicy=Bogus', [422]], ['gracePeriodSeconds=-1', [422]], [`gracePeriodSeconds=${junk}`, [422]], ['gracePeriodSeconds=1.5', [422]], [`dryRun=${junk}`, [422]]];
    const which = pick % 5;
    const sub = Math.floor(pick / 5);
    if (which === 0) {
      const [q, expect] = reads[sub % reads.length]!;
      return { what: `bad list query ${q}`, method: 'GET', url: `${list}?${q}`, headers: {}, expect };
    }
    if (which === 1) {
      const [q, expect] = watches[sub % watches.length]!;
      return { what: `bad watch query ${q}`, method: 'GET', url: `${list}?watch=true&${q}`, headers: {}, expect };
    }
    if (which === 2 || which === 3) {
      const [q, expect] = writes[sub % writes.length]!;
      if (which === 2) return withBody(`bad create query ${q}`, 'POST', `${list}?${q}`, CT.json, JSON.stringify(validObject(kind, name)), { expect });
      return withBody(`bad update query ${q}`, 'PUT', `${fixturePath(t, kind)}?${q}`, CT.json, JSON.stringify(fixtureOf(t, kind)), { expect });
    }
    const [q, expect] = deletes[sub % deletes.length]!;
    return { what: `bad delete query ${q}`, method: 'DELETE', url: `${fixturePath(t, kind)}?${q}`, headers: {}, expect };
  });
}

const KNOWN_TOP = new Set(['api', 'apis', 'healthz', 'livez', 'readyz', 'metrics', 'version', 'openapi', 'ui']);

/** Paths no resource lives at: unknown kinds, groups, versions, subresources, extra segments, broken escapes. */
export function unknownPath(t: Target): fc.Arbitrary<HostileRequest> {
  const plurals = new Set(t.kinds.map((k) => k.plural));
  return fc.tuple(kindOf(t), word.filter((w) => !plurals.has(w) && w !== 'watch' && !KNOWN_TOP.has(w)), fc.nat(), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE')).map(([kind, w, pick, method]) => {
    const fx = t.fixtures.get(kind.kind)!.metadata.name;
    const paths = [
      `/apis/drover.dev/v1/${w}`,
      `/apis/drover.dev/v1/namespaces/default/${w}`,
      `/apis/drover.dev/v1/namespaces/default/${w}/x`,
      `/apis/drover.dev/v2/${kind.plural}`,
      `/apis/${w}.io/v1/${kind.plural}`,
      `/api/v1/${w}`,
      `${collection(kind)}/${fx}/${w === 'status' ? 'scale' : w}`,
      `${collection(kind)}/${fx}/status/${w}`,
      `/${w}-zz`,
      '/apis/drover.dev/v1/namespaces/%zz/jobs',
      `${collection(kind)}/%E0%A4%A`,
      `/apis/drover.dev/v1/%`,
    ];
    if (kind.namespaced) paths.push(`/apis/drover.dev/v1/namespaces/default/${kind.plural}/${fx}/status/x/y`);
    else paths.push(`/apis/drover.dev/v1/namespaces/default/${kind.plural}`);
    if (!kind.hasStatus) paths.push(`${collection(kind)}/${fx}/status`);
    const url = paths[pick % paths.length]!;
    const req: HostileRequest = { what: `unknown path ${method} ${url}`, method: method as HostileRequest['method'], url, headers: {}, expect: [400, 404, 405] };
    return method === 'GET' || method === 'DELETE' ? req : { ...req, headers: { 'content-type': method === 'PATCH' ? CT.merge : CT.json }, payload: '{}' };
  });
}

/** Methods a path does not allow: 405 on resources, 404 on the fixed endpoints. */
export function wrongVerb(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), statusKindOf(t), fc.nat(), freshName).map(([kind, sk, pick, name]) => {
    const obj = JSON.stringify(validObject(kind, name));
    const cases: HostileRequest[] = [
      withBody('POST to an object', 'POST', fixturePath(t, kind), CT.json, obj, { expect: [405] }),
      withBody('PUT to a collection', 'PUT', collection(kind), CT.json, obj, { expect: [405] }),
      withBody('PATCH to a collection', 'PATCH', collection(kind), CT.merge, '{}', { expect: [405] }),
      { what: 'DELETE of a status subresource', method: 'DELETE', url: fixturePath(t, sk, 'status'), headers: {}, expect: [405] },
      withBody('POST to a status subresource', 'POST', fixturePath(t, sk, 'status'), CT.json, JSON.stringify(fixtureOf(t, sk)), { expect: [405] }),
      { what: 'OPTIONS', method: 'OPTIONS', url: fixturePath(t, kind), headers: {}, expect: [404, 405] },
      withBody('POST to a fixed endpoint', 'POST', ['/healthz', '/readyz', '/version', '/apis', '/openapi/v3', '/metrics'][pick % 6]!, CT.json, '{}', { expect: [404, 405] }),
    ];
    const namespaced = t.kinds.find((k) => k.namespaced);
    if (namespaced) {
      const across = `${apiPrefixOf(namespaced)}/${namespaced.plural}`;
      cases.push(withBody('create without a namespace', 'POST', across, CT.json, JSON.stringify(validObject(namespaced, name)), { expect: [405] }));
      cases.push({ what: 'delete-collection without a namespace', method: 'DELETE', url: across, headers: {}, expect: [405] });
    }
    return cases[pick % cases.length]!;
  });
}

/** Bodies that name another kind, apiVersion or namespace than the path: 400. */
export function wrongTypeMeta(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.nat(), freshName).map(([kind, pick, name]) => {
    const obj = validObject(kind, name) as unknown as Record<string, unknown> & { metadata: Record<string, unknown> };
    const other = t.kinds.find((k) => k.kind !== kind.kind)!;
    const variants = [() => (obj.kind = other.kind), () => (obj.apiVersion = apiVersionOf(kind) === 'v1' ? 'drover.dev/v1' : 'v1'), () => (obj.apiVersion = 'drover.dev/v2'), () => (obj.kind = kind.kind.toLowerCase())];
    if (kind.namespaced) variants.push(() => (obj.metadata.namespace = 'kube-system'));
    variants[pick % variants.length]!();
    return withBody(`type meta mismatch ${kind.kind}: ${String(obj.apiVersion)} ${String(obj.kind)} ns=${String(obj.metadata.namespace)}`, 'POST', collection(kind), CT.json, JSON.stringify(obj), { expect: [400] });
  });
}

/** Plan submissions (POST evaluations/{name}/plan) that are not plans, or name no evaluation. */
export function badPlan(t: Target): fc.Arbitrary<HostileRequest> {
  const evals = t.kinds.find((k) => k.plural === 'evaluations')!;
  const empty = { placements: [], stops: [], updates: [] };
  return fc.tuple(fc.nat(), nonce, word).map(([pick, n, junk]) => {
    const url = `${fixturePath(t, evals)}/plan`;
    const bodies: Array<[string, string, string]> = [
      ['malformed JSON', '{"placements": [', CT.json],
      ['not an object', ['[]', '"x"', '3', 'null'][n % 4]!, CT.json],
      ['missing lists', JSON.stringify({ placements: [] }), CT.json],
      ['unknown field', JSON.stringify({ ...empty, [junk === 'placements' ? 'x' : junk]: 1 }), CT.json],
      ['wrong type', JSON.stringify({ ...empty, placements: 'x' }), CT.json],
      ['bad stop', JSON.stringify({ ...empty, stops: [{ name: `a${n}`, desiredStatus: 'run', description: '' }] }), CT.json],
      ['placed twice', JSON.stringify({ ...empty, placements: [{ metadata: { name: 'a' }, spec: {} }, { metadata: { name: 'a' }, spec: {} }] }), CT.json],
      ['bad content type', JSON.stringify(empty), 'text/plain'],
    ];
    const [what, body, ct] = bodies[pick % bodies.length]!;
    if (pick % 9 === 8) {
      return withBody('plan for an absent evaluation', 'POST', `${collection(evals)}/absent-${n}/plan`, CT.json, JSON.stringify(empty), { expect: [404] });
    }
    return withBody(`bad plan: ${what}`, 'POST', url, ct, body);
  });
}
