// Hostile request bodies: malformed JSON and YAML, values of the wrong type and unknown fields at every depth
// of every kind, oversize bodies and names that are not DNS-1123. Every write aims at a fixture (updates,
// patches) or at a fresh name (creates), so a wrongly accepted one is visible in the store afterwards.
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { validObject } from './fixtures.ts';
import { CT, collection, fixtureOf, fixturePath, freshName, kindOf, pathSegment, pointer, withBody, type HostileRequest, type Target } from './hostile.ts';
import { setAt, under, wrongTypeValues, type Location, type TypedLocation } from './schema-paths.ts';

/** The ways an object reaches the server. Status modes only for kinds with /status. */
type WriteMode = 'create' | 'update' | 'merge' | 'strategic' | 'jsonpatch' | 'apply' | 'status-update' | 'status-merge';
const MAIN_MODES: WriteMode[] = ['create', 'update', 'merge', 'strategic', 'jsonpatch', 'apply'];
const STATUS_MODES: WriteMode[] = ['status-update', 'status-merge'];

/** Metadata the server owns: overwritten on every write, so a bad value there is not the client's error. */
const SERVER_OWNED = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'].map((f) => `metadata.${f}`);

/** The object a mode starts from: a new valid object, the stored fixture, or a bare apply configuration. */
function baseFor(t: Target, kind: KindInfo, mode: WriteMode, name: string): ApiObject {
  if (mode === 'create') return validObject(kind, name);
  const fx = fixtureOf(t, kind);
  if (mode !== 'apply') return fx;
  const metadata: ApiObject['metadata'] = { name: fx.metadata.name };
  if (kind.namespaced) metadata.namespace = fx.metadata.namespace;
  return { apiVersion: fx.apiVersion, kind: fx.kind, metadata };
}

/** Send `obj` (or a JSON patch of `ops`) the way `mode` does. */
function send(t: Target, kind: KindInfo, mode: WriteMode, obj: ApiObject, what: string, extra: Partial<HostileRequest>, ops?: unknown[]): HostileRequest {
  const body = JSON.stringify(obj);
  switch (mode) {
    case 'create':
      return withBody(what, 'POST', collection(kind), CT.json, body, extra);
    case 'update':
      return withBody(what, 'PUT', fixturePath(t, kind), CT.json, body, extra);
    case 'merge':
      return withBody(what, 'PATCH', fixturePath(t, kind), CT.merge, body, extra);
    case 'strategic':
      return withBody(what, 'PATCH', fixturePath(t, kind), CT.strategic, body, extra);
    case 'jsonpatch':
      return withBody(what, 'PATCH', fixturePath(t, kind), CT.jsonPatch, JSON.stringify(ops ?? []), extra);
    case 'apply':
      return withBody(what, 'PATCH', `${fixturePath(t, kind)}?fieldManager=fuzz`, CT.apply, body, extra);
    case 'status-update':
      return withBody(what, 'PUT', fixturePath(t, kind, 'status'), CT.json, body, extra);
    case 'status-merge':
      return withBody(what, 'PATCH', fixturePath(t, kind, 'status'), CT.merge, body, extra);
  }
}

const modeOf = (kind: KindInfo) => fc.constantFrom(...(kind.hasStatus ? [...MAIN_MODES, ...STATUS_MODES] : MAIN_MODES));
const isStatusMode = (m: WriteMode) => m === 'status-update' || m === 'status-merge';

/**
 * Where a wrong type must be refused by `mode`. Not: server-owned metadata, the namespace and (after create)
 * generateName, which writes overwrite,
 * status through the main resource of a kind with /status and anything but status through /status (both
 * discarded by the write, as Kubernetes discards them), managedFields in an apply configuration.
 */
function typedTargets(t: Target, kind: KindInfo, mode: WriteMode): TypedLocation[] {
  const all = t.points.get(kind.kind)!.typed;
  return all.filter((l) => {
    if (SERVER_OWNED.some((f) => under(l.field, f)) || l.field === 'metadata.namespace' || l.field === 'metadata') return false;
    if (mode === 'apply' && under(l.field, 'metadata.managedFields')) return false;
    // generateName only means something on create; later writes keep the stored one.
    if (mode !== 'create' && l.field === 'metadata.generateName') return false;
    if (kind.hasStatus) return isStatusMode(mode) ? under(l.field, 'status') : !under(l.field, 'status');
    return true;
  });
}

/** A value of the wrong JSON type at one typed location of one kind. */
export function wrongType(t: Target): fc.Arbitrary<HostileRequest> {
  return kindOf(t).chain((kind) =>
    modeOf(kind).chain((mode) => {
      const targets = typedTargets(t, kind, mode);
      return fc.tuple(fc.constantFrom(...targets), freshName, fc.nat()).map(([loc, name, pick]) => {
        const values = wrongTypeValues(loc.type);
        const value = values[pick % values.length];
        const obj = baseFor(t, kind, mode, name);
        setAt(obj as unknown as Record<string, unknown>, loc.steps, value);
        const what = `wrong type (${mode}) ${kind.kind} ${loc.field}=${JSON.stringify(value)}`;
        return send(t, kind, mode, obj, what, expectationFor(loc, mode), [{ op: 'add', path: pointer(loc.steps), value }]);
      });
    }),
  );
}

// apiVersion/kind mismatches are a 400 before validation; a name unlike the path's is a 400 for named writes;
// apply and JSON patch can fail earlier for their own reasons (field conflicts, a path that does not apply).
function expectationFor(loc: Location, mode: WriteMode): Partial<HostileRequest> {
  if (loc.field === 'apiVersion' || loc.field === 'kind') return { expect: [400] };
  if (mode === 'apply' || mode === 'jsonpatch') return { expect: [400, 409, 422] };
  if (loc.field === 'metadata.name' && mode !== 'create') return { expect: [400, 422] };
  return { expect: [422], field: loc.field };
}

const unknownName = fc.oneof(
  fc.constantFrom('bogus', 'Spec', 'METADATA', 'x-extra', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf', ' ', 'a.b', 'a/b', 'é', '0', 'status ', 'nodename'),
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,20}$/),
);

/** A field no schema declares, in one strict struct (any depth) of one kind, sent every way a write can go. */
export function unknownField(t: Target): fc.Arbitrary<HostileRequest> {
  return kindOf(t).chain((kind) =>
    modeOf(kind).chain((mode) => {
      const structs = t.points.get(kind.kind)!.structs.filter((s) => !(mode === 'apply' && under(s.field, 'metadata.managedFields')));
      return fc.tuple(fc.constantFrom(...structs), unknownName, freshName).filter(([s, n]) => !s.known.has(n)).map(([s, n, name]) => {
        const obj = baseFor(t, kind, mode, name);
        const steps = [...s.steps, { key: n }];
        setAt(obj as unknown as Record<string, unknown>, steps, 'surprise');
        const field = s.field ? `${s.field}.${n}` : n;
        const extra: Partial<HostileRequest> = mode === 'apply' || mode === 'jsonpatch' ? { expect: [400, 409, 422] } : { expect: [400, 422], field };
        return send(t, kind, mode, obj, `unknown field (${mode}) ${kind.kind} ${field}`, extra, [{ op: 'add', path: pointer(steps), value: 'surprise' }]);
      });
    }),
  );
}

/** Corrupt `text` so JSON.parse refuses it: cut it short, or drop in a stray structural character. */
function corruptJson(text: string, pos: number, how: number): string {
  const at = 1 + (pos % Math.max(1, text.length - 2));
  const stray = ['{', '}', '[', ']', ',', ':', '"', '\\', 'x', "'", '\u0000'][how % 11]!;
  const out = how % 3 === 0 ? text.slice(0, at) : text.slice(0, at) + stray + text.slice(at);
  try {
    JSON.parse(out);
  } catch {
    return out;
  }
  return text.slice(0, Math.floor(text.length / 2));
}

const BROKEN_JSON = ['NaN', '{"a":1,}', "{'a':1}", '{"a":01}', '{"a":"\\x"}', '\uFEFF{}', '{"a" 1}', '[', '"', 'nul', '{"metadata":{"name":"x"}}}', '{}{}', '+1'];

/** A JSON body that does not parse, for every verb that takes one. */
export function malformedJson(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.constantFrom<WriteMode | 'delete'>('create', 'update', 'merge', 'strategic', 'jsonpatch', 'delete'), fc.nat(), fc.nat(), fc.constantFrom(...BROKEN_JSON), fc.boolean()).map(
    ([kind, mode, pos, how, broken, useBroken]) => {
      const text = useBroken ? broken : corruptJson(JSON.stringify(mode === 'jsonpatch' ? [{ op: 'replace', path: '/metadata/labels/app', value: 'x' }] : fixtureOf(t, kind)), pos, how);
      const extra = { expect: [400] };
      if (mode === 'delete') return withBody(`malformed JSON (delete) ${kind.kind}`, 'DELETE', fixturePath(t, kind), CT.json, text, extra);
      return { ...send(t, kind, mode, fixtureOf(t, kind), `malformed JSON (${mode}) ${kind.kind}: ${JSON.stringify(text.slice(0, 60))}`, extra), payload: text };
    },
  );
}

/** How the server parses YAML bodies (content.ts); a document counts as broken when this refuses it. */
const yamlRefuses = (text: string): boolean => {
  try {
    parseYaml(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 100, logLevel: 'error' });
    return false;
  } catch {
    return true;
  }
};

const BROKEN_YAML = [
  'a: b: c',
  'metadata: {name: x',
  'metadata:\n  name: x\n name: y',
  '- a\nb: c',
  "key: 'unterminated",
  'key: "unterminated',
  'metadata:\n\tname: x',
  'a: 1\na: 2',
  'a: 1\n---\nb: 2',
  'a: *unknown',
  '{a: 1}}',
  '[1, 2',
  'x: @foo',
  'x: `foo',
  'kind: Job\nmetadata:\n  name: x\n  labels: {a: b, a: c}',
  'a: &x [1]\nb: &x',
].filter(yamlRefuses);

/** Corrupt YAML text; falls back to a known-broken document when the corruption still parses. */
function corruptYaml(text: string, pos: number, how: number): string {
  const at = pos % text.length;
  const stray = ['\t', ': :', '"', "'", '[', '{', '@', '`', '*nope', '&', '\n  - x\n'][how % 11]!;
  const out = text.slice(0, at) + stray + text.slice(at);
  return yamlRefuses(out) ? out : BROKEN_YAML[how % BROKEN_YAML.length]!;
}

/** A YAML body that does not parse: create and update as application/yaml, and server-side apply. */
export function malformedYaml(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.constantFrom('create', 'update', 'apply'), fc.nat(), fc.nat(), freshName).map(([kind, mode, pos, how, name]) => {
    const obj = mode === 'create' ? validObject(kind, name) : fixtureOf(t, kind);
    const text = corruptYaml(stringifyYaml(obj), pos, how);
    const what = `malformed YAML (${mode}) ${kind.kind}: ${JSON.stringify(text.slice(0, 60))}`;
    const extra = { expect: [400] };
    if (mode === 'create') return withBody(what, 'POST', collection(kind), CT.yaml, text, extra);
    if (mode === 'update') return withBody(what, 'PUT', fixturePath(t, kind), CT.yaml, text, extra);
    return withBody(what, 'PATCH', `${fixturePath(t, kind)}?fieldManager=fuzz`, CT.apply, text, extra);
  });
}

/** A valid body made larger than the body limit by one big annotation: 413 whatever the verb. */
export function oversize(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.constantFrom<WriteMode | 'yaml'>('create', 'yaml', 'update', 'merge', 'apply'), fc.integer({ min: 1, max: t.bodyLimit / 2 }), freshName).map(
    ([kind, mode, over, name]) => {
      const obj = mode === 'create' || mode === 'yaml' ? validObject(kind, name) : fixtureOf(t, kind);
      obj.metadata.annotations = { ...obj.metadata.annotations, padding: '' };
      const size = Buffer.byteLength(JSON.stringify(obj));
      obj.metadata.annotations.padding = 'p'.repeat(t.bodyLimit - size + over);
      const what = `oversize (${mode}) ${kind.kind} by ${over} bytes`;
      if (mode === 'yaml') return withBody(what, 'POST', collection(kind), CT.yaml, JSON.stringify(obj), { expect: [413] });
      return send(t, kind, mode, obj, what, { expect: [413] });
    },
  );
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when `name` is not a valid name for `kind` (Namespace: DNS-1123 label; the rest: DNS-1123 subdomain). */
export function invalidName(kind: KindInfo, name: string): boolean {
  if (kind.kind === 'Namespace') return !(LABEL.test(name) && name.length <= 63);
  // A Token is named by the SHA-256 of its token, in lowercase hex.
  if (kind.kind === 'Token') return !/^[0-9a-f]{64}$/.test(name);
  // RBAC's names are path segments, as in Kubernetes (`drover:node` is one): not '.' or '..', no '/' or '%'.
  if (kind.pathSegmentNames) return name === '' || name === '.' || name === '..' || /[/%]/.test(name) || Buffer.byteLength(name) > 253;
  return !(SUBDOMAIN.test(name) && name.length <= 253);
}

/** Names that break DNS-1123: bad characters, bad ends, empty labels, too long, non-ASCII. */
const badNameFor = (kind: KindInfo) =>
  fc
    .oneof(
      fc.constantFrom('UPPER', 'under_score', 'sp ace', '-lead', 'trail-', '.dot', 'dot.', 'a..b', 'é', 'a/b', '..', '.', 'a\u0000', 'ns.with.dots'),
      fc.stringMatching(/^[a-z0-9][-a-z0-9.]{0,20}[A-Z_ !@#$%^&*()+=~`]{1,3}[a-z0-9]{0,5}$/),
      fc.integer({ min: 64, max: 400 }).map((n) => 'a'.repeat(n)),
      fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
    )
    .filter((n) => invalidName(kind, n));

/** Objects named against the rules, created by POST (name or generateName) and by server-side apply to a path. */
export function badName(t: Target): fc.Arbitrary<HostileRequest> {
  return kindOf(t).chain((kind) =>
    fc.tuple(badNameFor(kind), fc.constantFrom('create', 'generateName', 'apply')).map(([name, mode]) => {
      const what = `bad name (${mode}) ${kind.kind} ${JSON.stringify(name.slice(0, 40))}`;
      if (mode === 'apply') {
        const obj = validObject(kind, name, { keepName: true });
        const url = `${collection(kind)}/${pathSegment(name)}?fieldManager=fuzz`;
        // An empty or dot-only segment changes which resource the path names; any 4xx will do then.
        return withBody(what, 'PATCH', url, CT.apply, JSON.stringify(obj), name.replace(/\./g, '') === '' ? {} : { expect: [400, 404, 422] });
      }
      const obj = validObject(kind, name, { keepName: true });
      if (mode === 'generateName') {
        // The server cuts the prefix to 58 characters before adding 5: keep the bad part inside them.
        obj.metadata.name = '';
        obj.metadata.generateName = invalidName(kind, `${name.slice(0, 58)}bcdfg`) ? name : kind.pathSegmentNames ? `bad%${name.slice(0, 20)}` : `Bad_${name.slice(0, 20)}`;
        return withBody(what, 'POST', collection(kind), CT.json, JSON.stringify(obj), { expect: [422] });
      }
      return withBody(what, 'POST', collection(kind), CT.json, JSON.stringify(obj), { expect: [422], field: 'metadata.name' });
    }),
  );
}

/** Values no object may hold: numbers out of float range, absurd nesting, `__proto__` keys — 400 before anything recurses. */
export function absurdValue(t: Target): fc.Arbitrary<HostileRequest> {
  return fc.tuple(kindOf(t), fc.constantFrom<WriteMode>('create', 'update', 'merge', 'apply'), fc.nat(), fc.integer({ min: 101, max: 8000 }), freshName).map(([kind, mode, pick, depth, name]) => {
    const obj = baseFor(t, kind, mode, name);
    const annotations = obj.metadata.annotations ?? {};
    const marker = '"__absurd__"';
    // Deep enough to pass the server's nesting limit, shallow enough to stay under the body limit.
    const objDepth = Math.min(depth, 4000);
    const values = ['1e400', '-1e999', '['.repeat(depth) + ']'.repeat(depth), `${'{"a":'.repeat(objDepth)}1${'}'.repeat(objDepth)}`, '{"__proto__":{"polluted":true}}'];
    const value = values[pick % values.length]!;
    // Spliced in as text: JSON.stringify could not write these values.
    const body = JSON.stringify({ ...obj, metadata: { ...obj.metadata, annotations }, extra: '__absurd__' }).replace(marker, value);
    return { ...send(t, kind, mode, obj, `absurd value (${mode}) ${kind.kind}: ${value.slice(0, 30)}`, { expect: [400] }), payload: body };
  });
}
