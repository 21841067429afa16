#!/usr/bin/env node
// The package's `bin`. Runs the build (dist/drover/main.js, from hack/build.mjs, which `npm ci` runs as `prepare`)
// when no source it was built from has changed since; otherwise the TypeScript sources through tsx, which is
// always right but costs about a second of compilation per start. Checking costs one stat per source (~300, a few ms).
import { buildIsFresh } from './fresh-build.js';

if (buildIsFresh(decodeURIComponent(new URL('../../', import.meta.url).pathname))) {
  await import('../../dist/drover/main.js');
} else {
  if (process.stderr.isTTY) process.stderr.write('drover: no build, or sources changed since it: running them through tsx (`npm run build` makes this start fast)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
