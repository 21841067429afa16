import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { kinds, kindByKind } from './index.ts';
import type { KindInfo } from './kind.ts';
import { validateObject, isUnknownFieldCause } from './validate.ts';

type Json = Record<string, any>;
const load = (file: string): Json[] =>
  parseAllDocuments(readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS());
const kind = (k: string): KindInfo => kindByKind.get(k)!;
const clone = <T>(v: T): T => structuredClone(v);

/** The seed's redis job, exactly as shipped in shared/examples. */
const redis = () => load('redis.yaml')[0];
const myApp = () => load('my-app.yaml')[0];

test('every example object validates and every kind has one', () => {
  const all = [...load('redis.yaml'), ...load('my-app.yaml'), ...load('batch.yaml'), ...load('dispatch.yaml'), ...load('others.yaml')];
  for (const obj of all) assert.deepEqual(validateObject(kind(obj.kind), obj), [], `${obj.kind}/${obj.metadata.name}`);
  assert.deepEqual(new Set(all.map((o) => o.kind)), new Set(kinds.map((k) => k.kind)));
});

test("the seed's redis.yaml validates as written, with its dynamic port and networkMbits", () => {
  const obj = redis();
  assert.deepEqual(validateObject(kind('Job'), obj), []);
  assert.deepEqual(obj.spec.groups[0].network.ports, [{ label: 'redis' }]);
  assert.equal(obj.spec.groups[0].tasks[0].resources.networkMbits, 10);
});

test('defaults are applied in place', () => {
  const obj: Json = { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'x' }, spec: { groups: [{ name: 'g', tasks: [{ name: 't', driver: 'mock' }] }] } };
  assert.deepEqual(validateObject(kind('Job'), obj), []);
  assert.equal(obj.spec.type, 'service');
  assert.equal(obj.spec.priority, 50);
  assert.deepEqual(obj.spec.datacenters, ['*']);
  assert.equal(obj.spec.groups[0].count, 1);
  const t = obj.spec.groups[0].tasks[0];
  assert.equal(t.killTimeout, '5s');
  assert.deepEqual(t.resources, { cpu: 100, memoryMB: 300 });
  // Defaults inside optional blocks apply only when the block is present.
  assert.equal(obj.spec.update, undefined);
  const withUpdate: Json = { ...clone(obj), spec: { ...clone(obj.spec), update: { canary: 1 } } };
  validateObject(kind('Job'), withUpdate);
  assert.deepEqual(withUpdate.spec.update, { canary: 1, maxParallel: 1, healthCheck: 'checks', minHealthyTime: '10s', healthyDeadline: '5m', progressDeadline: '10m', autoRevert: false, autoPromote: false });
  // Each defaulted array is a fresh value, never shared between objects.
  const other: Json = clone({ ...obj, spec: { groups: obj.spec.groups } });
  validateObject(kind('Job'), other);
  other.spec.datacenters.push('dc2');
  assert.deepEqual(obj.spec.datacenters, ['*']);

  const node: Json = { apiVersion: 'drover.dev/v1', kind: 'Node', metadata: { name: 'n1' } };
  assert.deepEqual(validateObject(kind('Node'), node), []);
  assert.deepEqual(node.spec, { datacenter: 'dc1', eligibility: 'eligible' });
  const alloc = load('others.yaml').find((o) => o.kind === 'Allocation')!;
  delete alloc.spec.desiredStatus;
  validateObject(kind('Allocation'), alloc);
  assert.equal(alloc.spec.desiredStatus, 'run');
});

interface BadCase {
  name: string;
  kind?: string;
  mutate: (o: Json) => void;
  field: string;
  reason: string;
  message?: string | RegExp;
}

const cases: BadCase[] = [
  { name: 'enum', mutate: (o) => (o.spec.type = 'foo'), field: 'spec.type', reason: 'FieldValueNotSupported', message: 'Unsupported value: "foo": supported values: "service", "batch", "system", "sysbatch"' },
  { name: 'no coercion of a numeric string', mutate: (o) => (o.spec.groups[0].count = '3'), field: 'spec.groups[0].count', reason: 'FieldValueInvalid', message: 'Invalid value: "3": must be of type integer' },
  { name: 'no coercion of a boolean string', mutate: (o) => (o.spec.stop = 'true'), field: 'spec.stop', reason: 'FieldValueInvalid', message: 'Invalid value: "true": must be of type boolean' },
  { name: 'no coercion of a number to a string', mutate: (o) => (o.spec.groups[0].tasks[0].env = { A: 1 }), field: 'spec.groups[0].tasks[0].env[A]', reason: 'FieldValueInvalid' },
  { name: 'integer not float', mutate: (o) => (o.spec.groups[0].tasks[0].resources.memoryMB = 256.5), field: 'spec.groups[0].tasks[0].resources.memoryMB', reason: 'FieldValueInvalid' },
  { name: 'nested minimum', mutate: (o) => (o.spec.groups[0].tasks[0].resources.memoryMB = 1), field: 'spec.groups[0].tasks[0].resources.memoryMB', reason: 'FieldValueInvalid', message: 'Invalid value: 1: must be greater than or equal to 10' },
  { name: 'priority maximum', mutate: (o) => (o.spec.priority = 101), field: 'spec.priority', reason: 'FieldValueInvalid', message: 'Invalid value: 101: must be less than or equal to 100' },
  { name: 'affinity weight range', mutate: (o) => (o.spec.affinities = [{ attribute: '${node.class}', value: 'x', weight: -101 }]), field: 'spec.affinities[0].weight', reason: 'FieldValueInvalid' },
  { name: 'required group field', mutate: (o) => delete o.spec.groups[0].tasks, field: 'spec.groups[0].tasks', reason: 'FieldValueRequired', message: 'Required value' },
  { name: 'required task driver', mutate: (o) => delete o.spec.groups[0].tasks[0].driver, field: 'spec.groups[0].tasks[0].driver', reason: 'FieldValueRequired' },
  { name: 'empty groups', mutate: (o) => (o.spec.groups = []), field: 'spec.groups', reason: 'FieldValueRequired' },
  { name: 'required spec', mutate: (o) => delete o.spec, field: 'spec', reason: 'FieldValueRequired' },
  { name: 'name or generateName', mutate: (o) => delete o.metadata.name, field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' },
  { name: 'DNS subdomain name', mutate: (o) => (o.metadata.name = 'Redis_1'), field: 'metadata.name', reason: 'FieldValueInvalid', message: /RFC 1123 subdomain/ },
  { name: 'name too long', mutate: (o) => (o.metadata.name = 'a'.repeat(254)), field: 'metadata.name', reason: 'FieldValueTooLong', message: 'Too long: may not be more than 253 bytes' },
  { name: 'label key', mutate: (o) => (o.metadata.labels = { 'bad key': 'x' }), field: 'metadata.labels', reason: 'FieldValueInvalid', message: /^Invalid value: "bad key": name part must consist/ },
  { name: 'label value', mutate: (o) => (o.metadata.labels = { app: '-x' }), field: 'metadata.labels[app]', reason: 'FieldValueInvalid' },
  { name: 'wrong apiVersion', mutate: (o) => (o.apiVersion = 'drover.dev/v2'), field: 'apiVersion', reason: 'FieldValueNotSupported', message: 'Unsupported value: "drover.dev/v2": supported values: "drover.dev/v1"' },
  { name: 'duration syntax', mutate: (o) => (o.spec.groups[0].tasks[0].killTimeout = '5 seconds'), field: 'spec.groups[0].tasks[0].killTimeout', reason: 'FieldValueInvalid', message: /must be a duration/ },
  { name: 'constraint operator', mutate: (o) => (o.spec.constraints = [{ attribute: '${attr.os.name}', operator: 'like', value: 'x' }]), field: 'spec.constraints[0].operator', reason: 'FieldValueNotSupported' },
  { name: 'check type', mutate: (o) => (o.spec.groups[0].tasks[0].services = [{ checks: [{ type: 'udp', interval: '5s' }] }]), field: 'spec.groups[0].tasks[0].services[0].checks[0].type', reason: 'FieldValueNotSupported' },
  { name: 'port range', mutate: (o) => (o.spec.groups[0].network.ports[0].static = 70000), field: 'spec.groups[0].network.ports[0].static', reason: 'FieldValueInvalid' },
  { name: 'port label syntax', mutate: (o) => (o.spec.groups[0].network.ports[0].label = 'my port'), field: 'spec.groups[0].network.ports[0].label', reason: 'FieldValueInvalid' },
  { name: 'volume type in a map', mutate: (o) => (o.spec.groups[0].volumes = { data: { type: 'nfs', source: 'x' } }), field: 'spec.groups[0].volumes[data].type', reason: 'FieldValueNotSupported' },
  { name: 'timestamp format', kind: 'Allocation', mutate: (o) => (o.status.taskStates.redis.startedAt = 'yesterday'), field: 'status.taskStates[redis].startedAt', reason: 'FieldValueInvalid' },
  { name: 'duplicate group', mutate: (o) => o.spec.groups.push(clone(o.spec.groups[0])), field: 'spec.groups[1].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "redis"' },
  { name: 'duplicate task', mutate: (o) => o.spec.groups[0].tasks.push(clone(o.spec.groups[0].tasks[0])), field: 'spec.groups[0].tasks[1].name', reason: 'FieldValueDuplicate' },
  { name: 'duplicate port label', mutate: (o) => o.spec.groups[0].network.ports.push({ label: 'redis' }), field: 'spec.groups[0].network.ports[1].label', reason: 'FieldValueDuplicate' },
  { name: 'unknown volume mount', mutate: (o) => (o.spec.groups[0].tasks[0].volumeMounts = [{ volume: 'nope', destination: '/d' }]), field: 'spec.groups[0].tasks[0].volumeMounts[0].volume', reason: 'FieldValueNotFound' },
  { name: 'template needs data or source', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ destination: 'x' }]), field: 'spec.groups[0].tasks[0].templates[0].data', reason: 'FieldValueRequired' },
  { name: 'csi volumes are refused (no agent mounts them)', mutate: (o) => (o.spec.groups[0].volumes = { data: { type: 'csi', source: 'x' } }), field: 'spec.groups[0].volumes[data].type', reason: 'FieldValueNotSupported', message: /no agent mounts csi volumes/ },
  { name: 'CSI access mode on a host volume', mutate: (o) => (o.spec.groups[0].volumes = { data: { type: 'host', source: 'x', accessMode: 'single-node-writer' } }), field: 'spec.groups[0].volumes[data].accessMode', reason: 'FieldValueForbidden' },
  { name: 'CSI attachment mode on a host volume', mutate: (o) => (o.spec.groups[0].volumes = { data: { type: 'host', source: 'x', attachmentMode: 'file-system' } }), field: 'spec.groups[0].volumes[data].attachmentMode', reason: 'FieldValueForbidden' },
  { name: 'per-allocation volumes', mutate: (o) => (o.spec.groups[0].volumes = { data: { type: 'host', source: 'x', perAlloc: true } }), field: 'spec.groups[0].volumes[data].perAlloc', reason: 'FieldValueForbidden' },
  { name: 'template destination absolute', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ data: 'x', destination: '/etc/app.conf' }]), field: 'spec.groups[0].tasks[0].templates[0].destination', reason: 'FieldValueInvalid', message: 'Invalid value: "/etc/app.conf": must be relative to the task directory (e.g. local/app.conf)' },
  { name: 'template destination leaves the allocation', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ data: 'x', destination: '../../x' }]), field: 'spec.groups[0].tasks[0].templates[0].destination', reason: 'FieldValueInvalid', message: /must stay inside the allocation directory/ },
  { name: 'template source leaves the allocation', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ source: '../../../etc/passwd', destination: 'local/x' }]), field: 'spec.groups[0].tasks[0].templates[0].source', reason: 'FieldValueInvalid' },
  { name: 'changeSignal without changeMode signal', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ data: 'x', destination: 'local/x', changeSignal: 'SIGHUP' }]), field: 'spec.groups[0].tasks[0].templates[0].changeSignal', reason: 'FieldValueForbidden' },
  { name: 'changeSignal unknown', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ data: 'x', destination: 'local/x', changeMode: 'signal', changeSignal: 'SIGNOPE' }]), field: 'spec.groups[0].tasks[0].templates[0].changeSignal', reason: 'FieldValueInvalid' },
  { name: 'template splay syntax', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ data: 'x', destination: 'local/x', splay: 'soon' }]), field: 'spec.groups[0].tasks[0].templates[0].splay', reason: 'FieldValueInvalid' },
  { name: 'template delimiters equal', mutate: (o) => (o.spec.groups[0].tasks[0].templates = [{ data: 'x', destination: 'local/x', leftDelimiter: '%%', rightDelimiter: '%%' }]), field: 'spec.groups[0].tasks[0].templates[0].rightDelimiter', reason: 'FieldValueInvalid' },
  { name: 'artifact getter the agent lacks', mutate: (o) => (o.spec.groups[0].tasks[0].artifacts = [{ source: 'git::https://example.com/repo' }]), field: 'spec.groups[0].tasks[0].artifacts[0].source', reason: 'FieldValueNotSupported' },
  { name: 'artifact s3 scheme', mutate: (o) => (o.spec.groups[0].tasks[0].artifacts = [{ source: 's3://bucket/key' }]), field: 'spec.groups[0].tasks[0].artifacts[0].source', reason: 'FieldValueNotSupported' },
  { name: 'artifact unknown option', mutate: (o) => (o.spec.groups[0].tasks[0].artifacts = [{ source: 'https://example.com/a', options: { aws_access_key_id: 'k' } }]), field: 'spec.groups[0].tasks[0].artifacts[0].options.aws_access_key_id', reason: 'FieldValueNotSupported' },
  { name: 'artifact checksum length', mutate: (o) => (o.spec.groups[0].tasks[0].artifacts = [{ source: 'https://example.com/a', options: { checksum: 'sha256:abc' } }]), field: 'spec.groups[0].tasks[0].artifacts[0].options.checksum', reason: 'FieldValueInvalid' },
  { name: 'artifact archive option', mutate: (o) => (o.spec.groups[0].tasks[0].artifacts = [{ source: 'https://example.com/a', options: { archive: 'yes' } }]), field: 'spec.groups[0].tasks[0].artifacts[0].options.archive', reason: 'FieldValueInvalid' },
  { name: 'artifact destination absolute', mutate: (o) => (o.spec.groups[0].tasks[0].artifacts = [{ source: 'https://example.com/a', destination: '/opt' }]), field: 'spec.groups[0].tasks[0].artifacts[0].destination', reason: 'FieldValueInvalid' },
  { name: 'periodic needs batch', mutate: (o) => (o.spec.periodic = { cron: '@daily' }), field: 'spec.type', reason: 'FieldValueInvalid' },
  { name: 'periodic needs cron or crons', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.periodic = {})), field: 'spec.periodic.crons', reason: 'FieldValueRequired' },
  { name: 'periodic cron and crons', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.periodic = { cron: '@daily', crons: ['@hourly'] })), field: 'spec.periodic.cron', reason: 'FieldValueForbidden' },
  { name: 'periodic bad cron', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.periodic = { crons: ['@daily', '61 * * * *'] })), field: 'spec.periodic.crons[1]', reason: 'FieldValueInvalid', message: /minute: 61 is out of range/ },
  { name: 'periodic bad time zone', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.periodic = { cron: '@daily', timeZone: 'Mars/Base' })), field: 'spec.periodic.timeZone', reason: 'FieldValueInvalid' },
  { name: 'periodic and parameterized', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.periodic = { cron: '@daily' }), (o.spec.parameterized = {})), field: 'spec.parameterized', reason: 'FieldValueForbidden' },
  { name: 'parameterized needs batch', mutate: (o) => (o.spec.parameterized = {}), field: 'spec.type', reason: 'FieldValueInvalid' },
  { name: 'meta key required and optional', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.parameterized = { metaRequired: ['a'], metaOptional: ['a'] })), field: 'spec.parameterized.metaRequired[0]', reason: 'FieldValueDuplicate' },
  { name: 'payload pattern', mutate: (o) => (o.spec.payload = 'not base64!'), field: 'spec.payload', reason: 'FieldValueInvalid' },
  { name: 'payload escapes the task dir', mutate: (o) => (o.spec.groups[0].tasks[0].dispatchPayload = { file: '../../etc/x' }), field: 'spec.groups[0].tasks[0].dispatchPayload.file', reason: 'FieldValueInvalid' },
  { name: 'template name leaves no room for children', mutate: (o) => ((o.spec.type = 'batch'), (o.spec.parameterized = {}), (o.metadata.name = 'a'.repeat(230))), field: 'metadata.name', reason: 'FieldValueTooLong' },
  { name: 'spread over 100%', mutate: (o) => (o.spec.spreads = [{ attribute: '${node.datacenter}', targets: [{ value: 'a', percent: 60 }, { value: 'b', percent: 50 }] }]), field: 'spec.spreads[0].targets', reason: 'FieldValueInvalid' },
  { name: 'canaries need a service job', mutate: (o) => Object.assign(o.spec, { type: 'system', update: { canary: 1 } }), field: 'spec.update.canary', reason: 'FieldValueNotSupported', message: /system jobs have no canaries/ },
  { name: 'batch jobs have no deployment', mutate: (o) => Object.assign(o.spec, { type: 'batch', update: { autoRevert: true } }), field: 'spec.update.autoRevert', reason: 'FieldValueNotSupported', message: /only service and system jobs are rolled out by a deployment/ },
  { name: 'autoRevert needs a deployment', mutate: (o) => ((o.spec.type = 'sysbatch'), (o.spec.groups[0].update = { autoRevert: true })), field: 'spec.groups[0].update.autoRevert', reason: 'FieldValueNotSupported' },
  { name: 'evaluation trigger', kind: 'Evaluation', mutate: (o) => (o.spec.triggeredBy = 'cron'), field: 'spec.triggeredBy', reason: 'FieldValueNotSupported' },
  { name: 'allocation desired status', kind: 'Allocation', mutate: (o) => (o.spec.desiredStatus = 'pause'), field: 'spec.desiredStatus', reason: 'FieldValueNotSupported', message: 'Unsupported value: "pause": supported values: "run", "stop", "evict"' },
  { name: 'node eligibility', kind: 'Node', mutate: (o) => (o.spec.eligibility = 'maybe'), field: 'spec.eligibility', reason: 'FieldValueNotSupported' },
  { name: 'namespace name is a DNS label', kind: 'Namespace', mutate: (o) => (o.metadata.name = 'a.b'), field: 'metadata.name', reason: 'FieldValueInvalid', message: /RFC 1123 label/ },
];

const examples = (): Record<string, Json> => ({ Job: redis(), ...Object.fromEntries(load('others.yaml').map((o) => [o.kind, o])) });

for (const c of cases) {
  test(`invalid: ${c.name}`, () => {
    const obj = examples()[c.kind ?? 'Job'];
    c.mutate(obj);
    const causes = validateObject(kind(c.kind ?? 'Job'), obj);
    const hit = causes.find((x) => x.field === c.field && x.reason === c.reason);
    assert.ok(hit, `expected ${c.reason} at ${c.field}, got ${JSON.stringify(causes)}`);
    if (typeof c.message === 'string') assert.equal(hit.message, c.message);
    else if (c.message) assert.match(hit.message, c.message);
  });
}

/** Every object in `data` whose schema is strict, with its field path. */
function strictObjects(schema: Json, data: unknown, path: string, out: Array<[string, Json]>): Array<[string, Json]> {
  if (Array.isArray(data) && schema?.type === 'array') data.forEach((d, i) => strictObjects(schema.items, d, `${path}[${i}]`, out));
  else if (data && typeof data === 'object' && schema?.type === 'object') {
    if (schema.additionalProperties === false) out.push([path, data as Json]);
    for (const [k, v] of Object.entries(data)) {
      if (schema.properties?.[k]) strictObjects(schema.properties[k], v, path ? `${path}.${k}` : k, out);
      else if (typeof schema.additionalProperties === 'object') strictObjects(schema.additionalProperties, v, `${path}[${k}]`, out);
    }
  }
  return out;
}

test('unknown fields are rejected at every level, with Kubernetes strict-decoding messages', () => {
  const docs = [myApp(), load('batch.yaml')[0], ...load('others.yaml')];
  let checked = 0;
  for (const doc of docs) {
    const k = kind(doc.kind);
    for (const [path] of strictObjects(k.schema as Json, doc, '', [])) {
      const obj = clone(doc);
      const target = strictObjects(k.schema as Json, obj, '', []).find(([p]) => p === path)![1];
      target.zzUnknown = 1;
      const field = path ? `${path}.zzUnknown` : 'zzUnknown';
      assert.deepEqual(validateObject(k, obj), [{ reason: 'FieldValueInvalid', message: `unknown field "${field}"`, field }]);
      checked++;
    }
  }
  assert.ok(checked > 60, `only ${checked} levels checked`);
});

test('every object schema is strict unless it is a map or free-form', () => {
  const loose: string[] = [];
  const visit = (s: Json, path: string) => {
    if (s?.type === 'array') return visit(s.items, `${path}[]`);
    if (s?.type !== 'object') return;
    if (s.properties) {
      if (s.additionalProperties !== false) loose.push(path);
      for (const [k, v] of Object.entries(s.properties)) visit(v as Json, `${path}.${k}`);
    } else if (typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${path}[*]`);
    else if (!s['x-kubernetes-preserve-unknown-fields'] && !s.propertyNames) loose.push(path);
  };
  for (const k of kinds) visit(k.schema as Json, k.kind);
  assert.deepEqual(loose, []);
});

test('driver config is free-form; meta, env and labels are string maps', () => {
  const obj = redis();
  obj.spec.groups[0].tasks[0].config = { image: 'x', nested: { any: [1, 'two', { three: true }] } };
  obj.spec.groups[0].tasks[0].env = { PATH: '/bin' };
  obj.spec.meta = { 'owner.team': 'infra' };
  assert.deepEqual(validateObject(kind('Job'), obj), []);
});

test('fieldValidation Warn and Ignore drop unknown fields instead of failing', () => {
  for (const mode of ['Warn', 'Ignore'] as const) {
    const obj = redis();
    obj.spec.foo = 1;
    obj.spec.groups[0].bar = 2;
    const warnings: string[] = [];
    assert.deepEqual(validateObject(kind('Job'), obj, { fieldValidation: mode, warnings }), []);
    assert.equal(obj.spec.foo, undefined);
    assert.equal(obj.spec.groups[0].bar, undefined);
    assert.deepEqual(warnings, mode === 'Warn' ? ['unknown field "spec.foo"', 'unknown field "spec.groups[0].bar"'] : []);
  }
  const strict = redis();
  strict.spec.foo = 1;
  const causes = validateObject(kind('Job'), strict);
  assert.equal(causes.length, 1);
  assert.ok(isUnknownFieldCause(causes[0]));
});

test('all problems are reported at once, and non-objects are rejected', () => {
  const obj = redis();
  obj.spec.type = 'x';
  obj.spec.priority = 0;
  delete obj.spec.groups[0].tasks[0].driver;
  assert.equal(validateObject(kind('Job'), obj).length, 3);
  assert.equal(validateObject(kind('Job'), 'job')[0].reason, 'FieldValueInvalid');
  assert.equal(validateObject(kind('Job'), [])[0].reason, 'FieldValueInvalid');
});

test('task inputs the agent honours are accepted: templates with every option, artifacts of each scheme, interpolated paths', () => {
  const obj = redis();
  obj.spec.groups[0].volumes = { data: { type: 'host', source: 'x', readOnly: true } };
  obj.spec.groups[0].tasks[0].volumeMounts = [{ volume: 'data', destination: '/d' }];
  obj.spec.groups[0].tasks[0].templates = [
    { data: '{{ key "app/x" }}', destination: 'local/app.conf', changeMode: 'signal', changeSignal: 'SIGHUP', perms: '0600', splay: '5s', leftDelimiter: '[[', rightDelimiter: ']]' },
    { source: 'local/in.tpl', destination: '../alloc/data/out', envFile: true, changeMode: 'noop' },
    { data: 'x', destination: '${NOMAD_ALLOC_DIR}/x' },
  ];
  obj.spec.groups[0].tasks[0].artifacts = [
    { source: 'https://example.com/a.tar.gz', destination: 'local/a', options: { checksum: `sha256:${'a'.repeat(64)}`, archive: 'false' } },
    { source: 'http://127.0.0.1:8080/b?checksum=md5:00', mode: 'file', destination: 'local/b' },
    { source: 'file:///srv/c.zip', mode: 'dir' },
    { source: '${NOMAD_META_url}' },
  ];
  assert.deepEqual(validateObject(kind('Job'), obj), []);
});
