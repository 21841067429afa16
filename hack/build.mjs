#!/usr/bin/env node
// The CLI's build (`npm run build`; `npm ci` runs it as `prepare`, `npm start` and `npm test` before they start):
// esbuild bundles cmd/drover/main.ts and everything it imports from this repository into dist/drover/ as ES
// modules. Packages in node_modules stay imports (resolved at run time, as from the sources); `dev`, `server`,
// `agent` and `simulate` stay lazy chunks, so a client command loads neither fastify nor etcd3. The dashboard
// (pkg/dashboard/ui) is bundled for the browser into dist/drover/dashboard/ in the same build (see buildDashboard).
//
// dist/drover/build-info.json lists every source file the build read and when the build started: cmd/drover/bin.js
// runs the build only while no source is newer than that (cmd/drover/fresh-build.js), and the sources through tsx
// otherwise, so nobody ever runs a stale build. Plain JavaScript, so it runs before anything is compiled.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { buildIsFresh } from '../cmd/drover/fresh-build.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'drover');
const quiet = process.argv.includes('--quiet');
// --if-stale: nothing to do while the build is as new as its sources (npm start, npm run drover).
if (process.argv.includes('--if-stale') && buildIsFresh(ROOT + '/')) process.exit(0);

// Sources that find files beside themselves (`new URL('../../package.json', import.meta.url)`) must keep doing so
// from the bundle: each `import.meta.url` of a source becomes that source's own URL, computed from the bundle's
// URL (every output file sits in OUT, so the relative path from OUT to the source is fixed).
const importMetaOfSource = {
  name: 'import-meta-of-source',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.')) return { contents: text, loader: 'ts' };
      const rel = relative(OUT, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(rel)}, import.meta.url)`;
      const other = /import\.meta\.(?!url\b)\w+/.exec(text);
      if (other) return { errors: [{ text: `${other[0]} is not supported in the bundle: use import.meta.url` }] };
      return { contents: text.replaceAll('import.meta.url', `${url}.href`), loader: 'ts' };
    });
  },
};

// Packages the client commands load are bundled: one file parses far faster than their hundreds of modules
// (undici, yaml, typebox: most of a client command's start). The rest (fastify, etcd3 with its .proto files,
// prom-client, ajv, ...) are loaded only by the lazy server and agent chunks and stay imports from node_modules.
const BUNDLED = new Set(['commander', 'yaml', 'undici', '@sinclair/typebox']);
const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || BUNDLED.has(packageName(args.path)) || args.importer.includes('/node_modules/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

// The typed client needs only undici's Pool: pkg/client gets it from hack/undici-client.cjs (see there).
const undiciPoolOnly = {
  name: 'undici-pool-only',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => (/[\\/]pkg[\\/]client[\\/]/.test(args.importer) ? { path: join(ROOT, 'hack', 'undici-client.cjs') } : undefined));
  },
};

// Build into a fresh directory and swap it in, so a drover process starting meanwhile sees the old build or the
// new one (or none: bin.js then runs the sources), never half of one.
const startedAtMs = Date.now();
const tmp = `${OUT}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const { build } = await import('esbuild');
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'cmd/drover/main.ts' },
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Bundled CommonJS (undici) calls require() for Node's own modules; an ES module has none of its own.
  banner: { js: "import { createRequire as __droverCreateRequire } from 'node:module'; const require = __droverCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [undiciPoolOnly, externalPackages, importMetaOfSource],
});
// The dashboard (pkg/dashboard/ui): a browser bundle beside the CLI's, in dist/drover/dashboard/, served by
// the API server at /ui/ (pkg/dashboard/plugin.ts). File names carry a content hash (cached for good);
// index.html names them and is revalidated; a gzip twin of each file is sent to clients that accept it.
const ui = await buildDashboard(join(tmp, 'dashboard'));
// Only this repository's files: packages are re-bundled by `npm ci`/`npm install`, which run this build again.
const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(ui.metafile.inputs), 'pkg/dashboard/ui/index.html'])].filter((p) => !p.includes('node_modules/')).sort();
writeFileSync(join(tmp, 'build-info.json'), JSON.stringify({ builtFrom: 'cmd/drover/main.ts', startedAtMs, inputs }, null, 1) + '\n');
const old = `${OUT}.old-${process.pid}`;
try {
  renameSync(OUT, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
try {
  renameSync(tmp, OUT);
} catch (err) {
  // Another build (a second `npm test` started beside this one) swapped its own in meanwhile: it was made from
  // the same sources, so it stands and ours goes.
  if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
  rmSync(tmp, { recursive: true, force: true });
}
rmSync(old, { recursive: true, force: true });
if (!quiet) process.stdout.write(`built ${relative(ROOT, OUT)}/main.js from ${inputs.length} sources in ${Date.now() - startedAtMs} ms\n`);

async function buildDashboard(outdir) {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'pkg/dashboard/ui/main.ts', style: 'pkg/dashboard/ui/style.css' },
    outdir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(r.metafile.outputs).map((p) => p.split('/').pop());
  const js = outputs.find((f) => /^main-.*\.js$/.test(f));
  const css = outputs.find((f) => /^style-.*\.css$/.test(f));
  const html = (await readFile(join(ROOT, 'pkg/dashboard/ui/index.html'), 'utf8')).replace('__JS__', js).replace('__CSS__', css);
  writeFileSync(join(outdir, 'index.html'), html);
  for (const f of [js, css, 'index.html']) writeFileSync(join(outdir, `${f}.gz`), gzipSync(readFileSync(join(outdir, f)), { level: 9 }));
  return r;
}
