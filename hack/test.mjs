#!/usr/bin/env node
// The test command (`npm test`): every *.test.ts under api/ cmd/ pkg/ hack/ test/, run by node's own runner
// with tsx. Extra args are passed through to `node --test` (e.g. a file list to run a subset).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['api', 'cmd', 'pkg', 'hack', 'test'];
const files = [];
const walk = (dir) => {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.ts')) files.push(p);
  }
};
const args = process.argv.slice(2);
const explicit = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
if (explicit.length) files.push(...explicit); else roots.forEach(walk);
files.sort();
const reporter = flags.some((f) => f.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
// A hang guard per file (node's --test-timeout bounds each file's whole run, not each test): a hung file fails
// after 30 minutes instead of stalling the whole run. Far beyond any healthy file on a loaded machine; the
// guards inside tests are in test/support/hang-guard.ts, and no test judges speed.
// Build the CLI first: tests that start `drover` processes (cmd/drover/bin.js) run the build of these sources.
// (bin.js would fall back to the sources through tsx if a file changed during the run; never to a stale build.)
// --if-stale: a second run started beside this one (npm test & npm test) does not swap the build under the first.
const build = spawnSync(process.execPath, [join(import.meta.dirname, 'build.mjs'), '--quiet', '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=1800000', ...reporter, ...flags, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
