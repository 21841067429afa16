// Every field of the Job schema is either exercised by a test or refused by validation (issue 11: "a field the
// schema accepts and nothing honours is a defect"). The schema is walked here, independently of the production
// code, to its leaf fields; test/job-field-evidence.ts must name each one — no more, no fewer. A tested field's
// test file must exist and contain the snippet that shows the field in use; a refused field's mutation of a
// valid job must be answered with a Forbidden/NotSupported cause at that field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JobSchema } from '../api/schemas/job.ts';
import { kindByKind } from '../api/schemas/index.ts';
import { validateObject } from '../api/schemas/validate.ts';
import { JOB_FIELD_EVIDENCE, type JobJson } from './job-field-evidence.ts';

type Schema = Record<string, any>;

/** The leaf field paths under `path` (objects descend into properties and map values, arrays into items). */
function leaves(s: Schema, path: string, out: string[] = []): string[] {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    for (const alt of alternatives) leaves(alt, path, out);
    return out;
  }
  if (s.type === 'array' && s.items && isContainer(s.items)) return leaves(s.items, `${path}[]`, out);
  if (s.type === 'object' && s.properties) {
    for (const [k, v] of Object.entries<Schema>(s.properties)) {
      const p = path ? `${path}.${k}` : k;
      if (isContainer(v)) leaves(v, p, out);
      else out.push(p);
    }
    return out;
  }
  if (s.type === 'object' && isContainer(s.additionalProperties)) return leaves(s.additionalProperties, `${path}.*`, out);
  out.push(path);
  return out;
}

/** An object with named fields, a map of such objects, or an array of them: something with fields inside. */
function isContainer(s: unknown): boolean {
  if (!s || typeof s !== 'object') return false;
  const x = s as Schema;
  if (x.anyOf || x.oneOf) return (x.anyOf ?? x.oneOf).some(isContainer);
  if (x.type === 'object' && x.properties && Object.keys(x.properties).length > 0) return true;
  if (x.type === 'object' && x.additionalProperties && typeof x.additionalProperties === 'object') return isContainer(x.additionalProperties);
  if (x.type === 'array') return isContainer(x.items);
  return false;
}

const specFields = () => [...new Set(leaves(JobSchema.properties.spec as Schema, 'spec'))].sort();

const baseJob = (): JobJson => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name: 'fields', namespace: 'default' },
  spec: {
    type: 'service',
    groups: [{ name: 'g', count: 1, tasks: [{ name: 't', driver: 'raw_exec', config: { command: '/bin/true' }, resources: { cpu: 100, memoryMB: 64 } }] }],
  },
});

const repoFile = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url));

test('the evidence table names exactly the leaf fields of the Job schema', () => {
  const schema = specFields();
  const table = Object.keys(JOB_FIELD_EVIDENCE).sort();
  assert.ok(schema.length > 150, `the walk found ${schema.length} fields`);
  assert.deepEqual(schema.filter((f) => !table.includes(f)), [], 'schema fields with no evidence (test them, or refuse them in api/schemas/semantic-unsupported.ts)');
  assert.deepEqual(table.filter((f) => !schema.includes(f)), [], 'evidence for fields the schema no longer has');
});

test('every tested field points at an existing test file that shows it', () => {
  const missing: string[] = [];
  const cache = new Map<string, string>();
  for (const [field, ev] of Object.entries(JOB_FIELD_EVIDENCE)) {
    if (ev.kind !== 'tested') continue;
    assert.ok(ev.shows.length > 0, field);
    for (const { file, snippet } of ev.shows) {
      assert.match(file, /\.test\.ts$/, `${field}: ${file} is not a test file`);
      const path = repoFile(file);
      if (!cache.has(path)) cache.set(path, existsSync(path) ? readFileSync(path, 'utf8') : '');
      if (!cache.get(path)!.includes(snippet)) missing.push(`${field}: ${file} does not contain ${JSON.stringify(snippet)}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the only accepted field nothing honours is networkMbits (the seed manifest needs it to apply)', () => {
  const inert = Object.entries(JOB_FIELD_EVIDENCE).filter(([, ev]) => ev.kind === 'accepted-unhonoured').map(([f]) => f);
  assert.deepEqual(inert, ['spec.groups[].tasks[].resources.networkMbits']);
});

test('every refused field is refused at its path, and the base job itself is valid', () => {
  const kind = kindByKind.get('Job')!;
  assert.deepEqual(validateObject(kind, baseJob()), []);
  const wrong: string[] = [];
  for (const [field, ev] of Object.entries(JOB_FIELD_EVIDENCE)) {
    if (ev.kind !== 'refused') continue;
    const job = baseJob();
    ev.mutate(job);
    const want = (ev.field ?? field).replace(/\[\]/g, '[0]');
    const causes = validateObject(kind, job);
    const hit = causes.find((c) => c.field === want && (c.reason === 'FieldValueForbidden' || c.reason === 'FieldValueNotSupported'));
    if (!hit) wrong.push(`${field}: no refusal at ${want}; causes: ${JSON.stringify(causes)}`);
  }
  assert.deepEqual(wrong, []);
});
