// No import cycles between the folders of pkg/. Read every .ts file under pkg/, take its relative imports
// (`import ... from`, `import '...'`, `export ... from`, `import('...')`) and fail, naming the cycle and one
// import per step, when the folder graph has a cycle.
//
// The rules, precisely:
// 1. Top level. Every file belongs to its folder pkg/<name>; an import from pkg/a/** of a file in pkg/b/**
//    (a ≠ b) is an edge a → b. The graph of these edges must be acyclic.
// 2. Second level, inside pkg/controllers, pkg/nodeagent, pkg/scheduler and every other pkg/<name> with
//    subfolders. Every file in pkg/<name>/<sub>/** belongs to <sub>; an import between two different subfolders
//    is an edge. The graph of the siblings must be acyclic. Files directly in pkg/<name> (a parent's own files:
//    shared vocabulary such as scheduler/structs.ts, or an entry point such as scheduler/schedule.ts) are no node
//    of this graph: a parent importing its children, and children importing the parent's files, is fine.
// 3. Test code is a leaf, as Go's external test packages are: `*.test.ts`, `*.test-support.ts`, `test-support.ts`,
//    `testkit.ts`, `testing.ts` and everything under a `testing/` folder. Its imports are not edges (a test of a
//    lower layer may start the whole server), but production code must never import test code (checked too),
//    so nothing a test imports can be part of a cycle of production code.
// 4. api/ (the schemas every package shares) is one more node of the top-level graph, so api → pkg/apierrors →
//    api would be a cycle too. Imports of cmd/ (the top, nothing under pkg/ may import it: checked), test/ (test
//    code) and npm packages are not edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One import of one file, as a path relative to the repository root. */
interface Import {
  from: string;
  to: string;
}

/** Every .ts file under `dir`, relative to the repository root with forward slashes. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

// Static imports and re-exports (the specifier after `from`, or a bare side-effect import) and dynamic imports
// of a string literal. Comments that start a line are removed first, so a commented-out import is not an edge
// (imports stand at the start of a line; a `//` inside a string elsewhere is left alone).
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative specifiers a source text imports. */
function specifiersOf(source: string): string[] {
  const code = source.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!).filter((s) => s.startsWith('.'));
}

/** The imports of `files` that land inside the repository, as root-relative paths. */
function importsOf(files: string[]): Import[] {
  const out: Import[] = [];
  for (const from of files) {
    for (const spec of specifiersOf(readFileSync(join(ROOT, from), 'utf8'))) {
      const to = relative(ROOT, resolve(ROOT, dirname(from), spec)).split(sep).join('/');
      out.push({ from, to });
    }
  }
  return out;
}

/** Rule 3: whether a file is test code. */
function isTestCode(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return /\.test\.ts$|\.test-support\.ts$/.test(base) || ['test-support.ts', 'testkit.ts', 'testing.ts'].includes(base) || file.split('/').slice(0, -1).includes('testing');
}

/** The first cycle of a directed graph (as a node path that ends where it starts), or undefined. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    path.push(n);
    for (const m of [...(edges.get(n) ?? [])].sort()) {
      if (state.get(m) === 'open') return [...path.slice(path.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...edges.keys()].sort()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/** A graph over groups of files: `groupOf` names a file's node (undefined = not a node). */
class FolderGraph {
  readonly edges = new Map<string, Set<string>>();
  /** One import behind each edge, for the failure message. */
  private readonly witness = new Map<string, Import>();

  constructor(imports: Import[], groupOf: (file: string) => string | undefined) {
    for (const imp of imports) {
      const [a, b] = [groupOf(imp.from), groupOf(imp.to)];
      if (a === undefined || b === undefined || a === b) continue;
      if (!this.edges.has(a)) this.edges.set(a, new Set());
      this.edges.get(a)!.add(b);
      if (!this.witness.has(`${a} ${b}`)) this.witness.set(`${a} ${b}`, imp);
    }
  }

  /** The cycle, one import per step, or '' when there is none. */
  cycleReport(): string {
    const cycle = findCycle(this.edges);
    if (!cycle) return '';
    const steps = cycle.slice(1).map((to, i) => {
      const w = this.witness.get(`${cycle[i]} ${to}`)!;
      return `  ${cycle[i]} → ${to}   (${w.from} imports ${w.to})`;
    });
    return `import cycle ${cycle.join(' → ')}\n${steps.join('\n')}`;
  }
}

/** pkg/<name> of a file under pkg/, `api` for a file under api/, else undefined. */
function topFolder(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] === 'api') return 'api';
  return parts[0] === 'pkg' && parts.length > 2 ? `pkg/${parts[1]}` : undefined;
}

/** pkg/<parent>/<sub> of a file inside a subfolder of `parent`, else undefined (the parent's own files). */
function subFolderOf(parent: string): (file: string) => string | undefined {
  return (file) => {
    const parts = file.split('/');
    return file.startsWith(`${parent}/`) && parts.length > 3 ? parts.slice(0, 3).join('/') : undefined;
  };
}

const pkgFiles = tsFiles('pkg');
const production = pkgFiles.filter((f) => !isTestCode(f));
const productionImports = importsOf(production);
const apiImports = importsOf(tsFiles('api').filter((f) => !isTestCode(f)));

test('the top-level folders of pkg/ import each other without a cycle', () => {
  assert.ok(production.length > 100, `found ${production.length} production files under pkg/`);
  const graph = new FolderGraph([...productionImports, ...apiImports], topFolder);
  assert.ok(graph.edges.size > 5, 'the graph has edges (the import parser works)');
  assert.equal(graph.cycleReport(), '');
});

test('the subfolders of each pkg/ folder import each other without a cycle', () => {
  const parents = [...new Set(production.map((f) => f.split('/')).filter((p) => p.length > 3).map((p) => `${p[0]}/${p[1]}`))].sort();
  for (const required of ['pkg/controllers', 'pkg/nodeagent', 'pkg/scheduler']) assert.ok(parents.includes(required), `${required} has subfolders`);
  for (const parent of parents) {
    const graph = new FolderGraph(productionImports, subFolderOf(parent));
    assert.equal(graph.cycleReport(), '', `inside ${parent}`);
  }
});

test('production code under pkg/ and api/ never imports test code or cmd/', () => {
  const bad = [...productionImports, ...apiImports].filter((i) => isTestCode(i.to) || i.to.startsWith('test/') || i.to.startsWith('cmd/'));
  assert.deepEqual(bad.map((i) => `${i.from} imports ${i.to}`), []);
});

test('the checker itself: parsing, test-code names and cycle finding', () => {
  const src = [
    "import { a } from './a.ts';",
    "import type { B } from '../b/b.ts';",
    "export { c } from './c.ts';",
    "export * from './d.ts';",
    "import './side-effect.ts';",
    "const e = await import('./e.ts');",
    "import {\n  f,\n  g,\n} from './fg.ts';",
    "// import { no } from './commented.ts';",
    "/* import { no } from './block.ts'; */",
    "import { readFile } from 'node:fs/promises';",
    "const url = 'http://x/y'; // not './url.ts'",
    "  import { h } from './h.ts'; // trailing",
    "const glob = 'src/**/*.ts';",
    "const later = await import('./later.ts');",
  ].join('\n');
  assert.deepEqual(specifiersOf(src), ['./a.ts', '../b/b.ts', './c.ts', './d.ts', './side-effect.ts', './e.ts', './fg.ts', './h.ts', './later.ts']);
  const cases: Array<[string, boolean]> = [
    ['pkg/x/a.test.ts', true], ['pkg/x/watch-client.test-support.ts', true], ['pkg/x/test-support.ts', true],
    ['pkg/x/testkit.ts', true], ['pkg/x/testing.ts', true], ['pkg/x/testing/harness.ts', true],
    ['pkg/x/a.ts', false], ['pkg/x/testable.ts', false], ['pkg/x/attesting/a.ts', false],
  ];
  for (const [file, want] of cases) assert.equal(isTestCode(file), want, file);
  const g = (pairs: Array<[string, string]>) => {
    const m = new Map<string, Set<string>>();
    for (const [a, b] of pairs) m.set(a, new Set([...(m.get(a) ?? []), b]));
    return m;
  };
  assert.equal(findCycle(g([['a', 'b'], ['b', 'c'], ['a', 'c']])), undefined);
  assert.deepEqual(findCycle(g([['a', 'b'], ['b', 'c'], ['c', 'b']])), ['b', 'c', 'b']);
  assert.deepEqual(findCycle(g([['x', 'a'], ['a', 'b'], ['b', 'c'], ['c', 'a']])), ['a', 'b', 'c', 'a']);
});
