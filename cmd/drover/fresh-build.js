// Whether dist/drover holds a build at least as new as every source it read: the one test of "may the build
// run", used by bin.js (build or sources?) and hack/build.mjs --if-stale (build again?). Plain JavaScript, so
// it runs before anything is compiled.
import { readFileSync, statSync } from 'node:fs';

/** True when `rootPath` (ending in /) has dist/drover/build-info.json and no source it lists is newer than the build's start. */
export function buildIsFresh(rootPath) {
  let info;
  try {
    info = JSON.parse(readFileSync(rootPath + 'dist/drover/build-info.json', 'utf8'));
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
