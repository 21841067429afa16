// The generated artefacts and their contents, shared by hack/gen.ts (writes them) and the test that checks them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kinds } from './schemas/index.ts';
import { renderJobSpec, renderApiReference } from './docgen.ts';

/** The example embedded in the job spec reference (repo-relative). */
export const JOBSPEC_EXAMPLE = 'api/examples/my-app.yaml';
/** The parameterized job shown in the job spec reference's section on templates (repo-relative). */
export const TEMPLATES_EXAMPLE = 'api/examples/dispatch.yaml';

/** Repo-relative path → content of every generated file, given the repository root. */
export function generatedFiles(root: string): Record<string, string> {
  return {
    'docs/jobspec.md': renderJobSpec(readFileSync(join(root, JOBSPEC_EXAMPLE), 'utf8'), readFileSync(join(root, TEMPLATES_EXAMPLE), 'utf8')),
    'docs/api-reference.md': renderApiReference(kinds),
  };
}
