import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifests, readManifests } from './manifests.ts';

const job = (name: string) => ({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name } });

test('parseManifests reads multi-document YAML, skipping empty documents', () => {
  const text = '---\napiVersion: drover.dev/v1\nkind: Job\nmetadata: {name: a}\n---\n# only a comment\n---\napiVersion: drover.dev/v1\nkind: Node\nmetadata:\n  name: n1\n';
  assert.deepEqual(parseManifests(text, 'f.yaml').map((m) => `${m.object.kind}/${m.object.metadata.name}`), ['Job/a', 'Node/n1']);
});

test('parseManifests flattens JSON and YAML lists', () => {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [job('a'), { apiVersion: 'v1', kind: 'JobList', items: [job('b')] }] });
  assert.deepEqual(parseManifests(list, 'l.json').map((m) => m.object.metadata.name), ['a', 'b']);
});

test('parseManifests rejects documents that are not objects with kind, apiVersion and metadata', () => {
  const cases = ['- a\n- b\n', 'kind: Job\nmetadata: {name: x}\n', 'apiVersion: drover.dev/v1\nmetadata: {name: x}\n', 'apiVersion: drover.dev/v1\nkind: Job\n', 'a: [\n'];
  for (const text of cases) assert.throws(() => parseManifests(text, 'bad.yaml'), /bad\.yaml/, text);
});

test('readManifests walks directories (recursively only with -R) and reads stdin for -', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-manifests-'));
  try {
    await writeFile(join(dir, 'b.yaml'), JSON.stringify(job('b')));
    await writeFile(join(dir, 'a.json'), JSON.stringify(job('a')));
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'c.yml'), JSON.stringify(job('c')));
    const names = async (recursive: boolean, paths = [dir]) =>
      (await readManifests(paths, { recursive, readStdin: async () => JSON.stringify(job('stdin')) })).map((m) => m.object.metadata.name);
    assert.deepEqual(await names(false), ['a', 'b']);
    assert.deepEqual(await names(true), ['a', 'b', 'c']);
    assert.deepEqual(await names(false, [join(dir, 'sub', 'c.yml'), '-']), ['c', 'stdin']);
    await assert.rejects(names(false, [join(dir, 'missing.yaml')]), /does not exist/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
