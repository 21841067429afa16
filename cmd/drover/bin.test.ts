// cmd/drover/bin.js chooses what to run: the build while no source it was built from is newer than the build's
// start, the TypeScript sources through tsx otherwise (so a stale build never runs). Checked on a copy of bin.js
// in a scratch package whose build and sources say which of them ran.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-bin-'));
  await mkdir(join(dir, 'cmd/drover'), { recursive: true });
  await mkdir(join(dir, 'dist/drover'), { recursive: true });
  await copyFile(join(REPO, 'cmd/drover/bin.js'), join(dir, 'cmd/drover/bin.js'));
  await copyFile(join(REPO, 'cmd/drover/fresh-build.js'), join(dir, 'cmd/drover/fresh-build.js'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  // Type syntax, so only tsx can run it.
  await writeFile(join(dir, 'cmd/drover/main.ts'), "const from: string = 'sources';\nprocess.stdout.write(from + ' ' + process.argv.slice(2).join(' '));\n");
  await writeFile(join(dir, 'cmd/drover/util.ts'), 'export {};\n');
  await writeFile(join(dir, 'dist/drover/main.js'), "process.stdout.write('build ' + process.argv.slice(2).join(' '));\n");
});
after(() => rm(dir, { recursive: true, force: true }));

const binRun = (): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [join(dir, 'cmd/drover/bin.js'), 'get', 'jobs'], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );

/** A build that started at `startedAtMs` from `inputs`; sources last modified at `sourcesMs`. */
async function setUp(startedAtMs: number, sourcesMs: number, inputs = ['cmd/drover/main.ts', 'cmd/drover/util.ts']) {
  await writeFile(join(dir, 'dist/drover/build-info.json'), JSON.stringify({ startedAtMs, inputs }));
  for (const f of ['cmd/drover/main.ts', 'cmd/drover/util.ts']) await utimes(join(dir, f), sourcesMs / 1000, sourcesMs / 1000);
}

test('a build newer than every source runs; a source saved since (or during) the build runs the sources', async () => {
  const now = Date.now();
  await setUp(now, now - 60_000);
  assert.equal(await binRun(), 'build get jobs');
  await setUp(now - 60_000, now);
  assert.equal(await binRun(), 'sources get jobs');
  // Saved while the build ran: newer than its start, so the build may hold the old text.
  await setUp(now, now + 1);
  assert.equal(await binRun(), 'sources get jobs');
});

test('no build, an unreadable record, or a source the build read that is gone: the sources', async () => {
  const now = Date.now();
  await setUp(now, now - 60_000, ['cmd/drover/main.ts', 'cmd/drover/removed.ts']);
  assert.equal(await binRun(), 'sources get jobs');
  await writeFile(join(dir, 'dist/drover/build-info.json'), '{not json');
  assert.equal(await binRun(), 'sources get jobs');
  await rm(join(dir, 'dist/drover/build-info.json'));
  assert.equal(await binRun(), 'sources get jobs');
});

test('the real build runs on its own: node dist/drover/main.js', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [join(REPO, 'dist/drover/main.js'), 'version', '--client'], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
  assert.match(out, /^Client Version: v\d+\.\d+\.\d+\n$/);
});
