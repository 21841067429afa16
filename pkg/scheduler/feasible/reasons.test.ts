import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FILTER_REASONS, EXHAUSTED_DIMENSIONS } from './reasons.ts';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

test('every filter reason and exhausted dimension is documented in the README', () => {
  for (const reason of [...Object.values(FILTER_REASONS), ...Object.values(EXHAUSTED_DIMENSIONS)]) {
    assert.ok(readme.includes(`| \`${reason}\``) || readme.includes(`\`${reason}\`,`) || readme.includes(`\`${reason}\` |`), `README lacks ${reason}`);
  }
});
