#!/usr/bin/env node
// The package's `bin`. Runs the build (dist/drover/main.js, from hack/build.mjs, which `npm ci` runs as `prepare`)
// when no source it was built from has changed since; otherwise the TypeScript sources through tsx, which is
// always right but costs about a second of compilation per start. Checking costs one stat per source (~300, a few ms).
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const rootPath = decodeURIComponent(root.pathname);

/** Whether dist/drover holds a build at least as new as every source it read. */
function buildIsFresh() {
  let info;
  try {
    info = JSON.parse(readFileSync(new URL('dist/drover/build-info.json', root), 'utf8'));
  } catch {
    return false;
  }
  try {
    // The build records when it started: a source saved while it ran counts as newer.
    return info.inputs.every((path) => statSync(rootPath + path).mtimeMs < info.startedAtMs);
  } catch {
    return false; // a source it read is gone
  }
}

if (buildIsFresh()) {
  await import('../../dist/drover/main.js');
} else {
  if (process.stderr.isTTY) process.stderr.write('drover: no build, or sources changed since it: running them through tsx (`npm run build` makes this start fast)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
