// `npm run gen`: regenerates the documents derived from the schemas (docs/jobspec.md, docs/api-reference.md).
// api/schemas/generated.test.ts fails when a committed file differs from what this would write.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../api/generated.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [rel, text] of Object.entries(generatedFiles(root))) {
  const path = join(root, rel);
  let old = '';
  try { old = readFileSync(path, 'utf8'); } catch { /* new file */ }
  if (old === text) continue;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${rel}`);
}
