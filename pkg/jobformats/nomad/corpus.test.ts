// Every corpus job file converts with each field accounted for: either the Job is accepted by a real API server
// (strict validation and admission, dry run) and every value of the file appears in it, or conversion fails
// listing exactly the expected refusals at the positions where their snippets start in the text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCliHarness, type CliHarness } from '../../../cmd/drover/testing.ts';
import { convertJobFile, RefusedError } from '../index.ts';
import { parseHcl } from './job.ts';
import { CORPUS } from './corpus.test-support.ts';

/** Line and column (1-based) where `snippet` first occurs in `text`: the test's own oracle for positions. */
function locate(text: string, snippet: string): string {
  const at = text.indexOf(snippet);
  assert.ok(at >= 0, `snippet ${JSON.stringify(snippet)} is in the file`);
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const leaves = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap(leaves) : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [String(v)];

const at = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);

describe('the Nomad corpus', () => {
  let h: CliHarness;
  let dir: string;
  before(async () => {
    h = await startCliHarness();
    dir = await mkdtemp(join(tmpdir(), 'drover-corpus-'));
  });
  after(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('has at least 30 job files with unique names', () => {
    assert.ok(CORPUS.length >= 30, `${CORPUS.length} files`);
    assert.equal(new Set(CORPUS.map((c) => c.name)).size, CORPUS.length);
  });

  for (const c of CORPUS) {
    test(`${c.name}.nomad: ${c.refused.length ? `refuses ${c.refused.map(([p]) => p.split('.').pop()).join(', ')}` : 'converts and is accepted'}`, async () => {
      const source = `${c.name}.nomad`;
      if (c.refused.length > 0) {
        const err = await convertJobFile(c.hcl, source, 'hcl', { vars: c.vars }).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof RefusedError, `refused: ${String(err)}`);
        const got = err.refusals.map((r) => `${r.position?.line}:${r.position?.column} ${r.path}`).sort();
        const want = c.refused.map(([path, snippet]) => `${locate(c.hcl, snippet)} ${path}`).sort();
        assert.deepEqual(got, want);
        for (const [path] of c.refused) assert.match(err.message, new RegExp(`${source}:\\d+:\\d+ ${path.replace(/[.[\]/]/g, '\\$&')}: `));
        assert.equal(err.status.code, 422);
        assert.equal(err.status.details?.causes?.length, c.refused.length);
        return;
      }
      const [job] = await convertJobFile(c.hcl, source, 'hcl', { vars: c.vars });
      for (const [path, value] of c.expect ?? []) assert.deepEqual(at(job, path), value, path);
      if (!c.hcl.includes('variable "')) {
        const out = new Set(leaves(job));
        for (const v of leaves(await parseHcl(c.hcl, source))) assert.ok(out.has(v), `the file's value ${JSON.stringify(v)} is in the Job`);
      }
      const file = join(dir, source);
      await writeFile(file, c.hcl);
      const vars = Object.entries(c.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
      const r = await h.drover(['apply', '--dry-run=server', '-f', file, ...vars]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /created \(server dry run\)|created/);
    });
  }
});
