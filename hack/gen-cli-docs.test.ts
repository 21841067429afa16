// docs/cli.md is generated from the CLI's help; this fails when someone changes a flag without regenerating.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLI_DOCS_PATH, renderCliDocs } from './gen-cli-docs.ts';

test('docs/cli.md is current (regenerate: node --import tsx hack/gen-cli-docs.ts)', () => {
  const rendered = renderCliDocs();
  assert.equal(readFileSync(CLI_DOCS_PATH, 'utf8'), rendered);
  for (const cmd of ['dev', 'server', 'apply', 'plan', 'get', 'describe', 'delete', 'version']) assert.match(rendered, new RegExp(`### drover ${cmd}\\n`));
});
