import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../generated.ts';
import { GENERATED_HEADER } from '../docgen.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('generated docs are current (run `npm run gen` after changing a schema)', () => {
  for (const [rel, text] of Object.entries(generatedFiles(root))) {
    assert.ok(text.startsWith(GENERATED_HEADER), rel);
    assert.equal(readFileSync(new URL(rel, `file://${root}`), 'utf8'), text, `${rel} is stale: run npm run gen`);
  }
});

test('the job spec reference documents every block with types, defaults and allowed values', () => {
  const doc = generatedFiles(root)['docs/jobspec.md'];
  for (const heading of ['JobSpec', 'TaskGroup', 'Task', 'Resources', 'Constraint', 'Affinity', 'Spread', 'UpdateStrategy', 'ReschedulePolicy', 'RestartPolicy', 'ServiceCheck', 'Network', 'Port']) {
    assert.match(doc, new RegExp(`^### ${heading}$`, 'm'), heading);
  }
  assert.match(doc, /\| `type` \| string \|  \| `"service"` \| .*One of: `service`, `batch`, `system`, `sysbatch`/);
  assert.match(doc, /\| `killTimeout` \| duration \|  \| `"5s"` \|/);
  assert.match(doc, /\| `tasks` \| \[\]\[Task\]\(#task\) \| yes \|/);
});
