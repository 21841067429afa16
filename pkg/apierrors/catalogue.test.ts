// The error catalogue, exact and both ways (as fastify's errors test): every Status reason and cause type the
// code constructs is in docs/api.md's tables with the right HTTP code, and every row of those tables is
// constructed somewhere in the source. "Constructs" is read off the source itself, with the TypeScript checker:
// every string literal in pkg/, api/ and cmd/ (tests and test helpers aside) whose contextual type is the
// StatusReason or CauseType union — an apiError('X', …) argument, a `reason: 'X'` in a cause, a value in a
// code→reason map. Reasons computed at run time would escape such a scan, so the test also refuses casts to
// either type and any Status built with a `code` of its own instead of the catalogue's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CAUSE_TYPES, REASONS } from './status.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The source that runs in production: pkg/, api/, cmd/ without tests and test helpers. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      if (e === 'node_modules' || e.startsWith('.') || e === 'testing') continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !/(^|\/)(test-support|testing|testkit)\.ts$/.test(p)) out.push(p);
    }
  };
  for (const d of ['pkg', 'api', 'cmd']) walk(join(ROOT, d));
  return out.sort();
}

/** A table of docs/api.md: the rows under the header line that starts with `| <first> |`. */
function docTable(doc: string, first: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  assert.ok(start >= 0, `docs/api.md has a table headed "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

/** `X` from a cell `` `X` `` (the name column must hold exactly one code-formatted name). */
function name(cell: string): string {
  const m = /^`([A-Za-z]+)`$/.exec(cell);
  assert.ok(m, `a table's first cell is one \`Name\`: ${cell}`);
  return m[1]!;
}

/**
 * Site of a literal; `rebuilt` when it sits in the client's reading of a response that was not a Status
 * (fromResponse maps any server's code to a reason): a reason Drover understands, not one it produces.
 */
interface Site { value: string; where: string; rebuilt: boolean }

/** Top-level declarations that read another server's codes rather than produce a Status. */
const REBUILDERS = new Set(['fromResponse', 'REASON_BY_CODE']);

/** Whether `n` sits inside one of REBUILDERS (in pkg/apierrors/status.ts). */
function rebuilds(n: ts.Node): boolean {
  if (!n.getSourceFile().fileName.endsWith('pkg/apierrors/status.ts')) return false;
  for (let p: ts.Node | undefined = n; p; p = p.parent) {
    if ((ts.isFunctionDeclaration(p) || ts.isVariableDeclaration(p)) && p.name && ts.isIdentifier(p.name) && REBUILDERS.has(p.name.text)) return true;
  }
  return false;
}
interface Scan { reasons: Site[]; causes: Site[]; casts: string[]; codeOverrides: string[] }

/** Every StatusReason and CauseType literal the source constructs, and what would hide one. */
function scan(): Scan {
  const files = sourceFiles();
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, resolveJsonModule: true, types: ['node'],
  });
  const checker = program.getTypeChecker();
  const statusModule = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, 'pkg/apierrors/status.ts'))!)!;
  const statusCause = checker.getDeclaredTypeOfSymbol(checker.getExportsOfModule(statusModule).find((x) => x.name === 'StatusCause')!);
  const out: Scan = { reasons: [], causes: [], casts: [], codeOverrides: [] };
  // The two unions, recognised by their members (`keyof typeof REASONS` keeps no alias name to go by).
  const reasonSet = [...Object.keys(REASONS)].sort().join();
  const causeSet = [...CAUSE_TYPES].sort().join();
  const catalogueOf = (t: ts.Type | undefined): 'reason' | 'cause' | undefined => {
    if (!t) return undefined;
    const members = (t.isUnion() ? t.types : [t]).filter((u) => !(u.flags & ts.TypeFlags.Undefined));
    if (!members.every((u) => u.isStringLiteral())) return undefined;
    const set = members.map((u) => (u as ts.StringLiteralType).value).sort().join();
    return set === reasonSet ? 'reason' : set === causeSet ? 'cause' : undefined;
  };
  const isStatusType = (t: ts.Type | undefined) => !!t && (t.getSymbol()?.name === 'Status' || (t.isUnion() && t.types.some((u) => u.getSymbol()?.name === 'Status')));
  for (const file of files) {
    const sf = program.getSourceFile(file)!;
    const where = (n: ts.Node) => `${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        let kind = catalogueOf(checker.getContextualType(n));
        // Inside a generic call (`conflicts.map((c) => ({ reason: 'X', … }))`) the checker reports only the
        // literal as contextual type: judge the object the literal is the `reason` of by its shape instead.
        const prop = n.parent;
        if (!kind && ts.isPropertyAssignment(prop) && prop.name.getText(sf) === 'reason' && ts.isObjectLiteralExpression(prop.parent)
          && checker.isTypeAssignableTo(checker.getTypeAtLocation(prop.parent), statusCause)) kind = 'cause';
        const site = { value: n.text, where: where(n), rebuilt: rebuilds(n) };
        if (kind === 'reason') out.reasons.push(site);
        if (kind === 'cause') out.causes.push(site);
      }
      if ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && /\b(StatusReason|CauseType)\b/.test(n.type.getText(sf))) out.casts.push(where(n));
      // A Status object literal with its own `code` (status() itself is where the catalogue's code is set).
      if (ts.isObjectLiteralExpression(n) && isStatusType(checker.getContextualType(n)) && n.properties.some((p) => p.name?.getText(sf) === 'code')) {
        const fn = ts.findAncestor(n, ts.isFunctionDeclaration);
        const inStatusBuilder = relative(ROOT, file) === 'pkg/apierrors/status.ts' && fn?.name?.text === 'status';
        if (!inStatusBuilder) out.codeOverrides.push(where(n));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

const doc = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
const reasonRows = docTable(doc, 'Reason').map(([r, code]) => ({ reason: name(r!), code: Number(code) }));
const causeRows = docTable(doc, 'Cause type').map(([c]) => name(c!));
const found = scan();
if (process.env.CATALOGUE_DEBUG) writeFileSync(process.env.CATALOGUE_DEBUG, JSON.stringify(found, null, 1));

test('the scan sees the source: it finds the literals it is meant to (a broken scan would pass everything)', () => {
  assert.ok(found.reasons.some((s) => s.value === 'NotFound' && s.where.startsWith('pkg/apierrors/status.ts')), 'notFound() in status.ts');
  assert.ok(found.reasons.some((s) => s.value === 'UnsupportedMediaType' && s.where.startsWith('pkg/apiserver/content.ts')));
  assert.ok(found.causes.some((s) => s.value === 'FieldValueRequired' && s.where.startsWith('api/schemas/validate.ts')));
  assert.ok(found.causes.some((s) => s.value === 'ResourceVersionTooLarge' && s.where.startsWith('pkg/apiserver/watchcache/')));
});

test('every Status reason the code constructs is a row of docs/api.md with the code the catalogue gives it', () => {
  const documented = new Map(reasonRows.map((r) => [r.reason, r.code]));
  for (const s of found.reasons) assert.ok(documented.has(s.value), `${s.where} constructs reason ${s.value}, which docs/api.md's error table lacks`);
  // Every Status is built by status(), which takes its code from REASONS: the table must say the same.
  assert.deepEqual(Object.fromEntries(reasonRows.map((r) => [r.reason, r.code])), { ...REASONS }, 'docs/api.md\'s reason/code table equals the catalogue');
  assert.deepEqual(found.codeOverrides, [], 'a Status with a code of its own (not the catalogue\'s for its reason)');
  assert.deepEqual(found.casts, [], 'a cast to StatusReason/CauseType hides a reason computed at run time');
});

test('every row of docs/api.md\'s error table is constructed somewhere', () => {
  assert.equal(new Set(reasonRows.map((r) => r.reason)).size, reasonRows.length, 'no reason twice');
  const constructed = new Set(found.reasons.filter((s) => !s.rebuilt).map((s) => s.value));
  for (const r of reasonRows) assert.ok(constructed.has(r.reason), `docs/api.md lists ${r.reason} ${r.code}, which no source constructs`);
});

test('cause types: constructed exactly the ones docs/api.md lists, each somewhere', () => {
  assert.equal(new Set(causeRows).size, causeRows.length, 'no cause type twice');
  const constructed = new Set(found.causes.filter((s) => !s.rebuilt).map((s) => s.value));
  for (const s of found.causes) assert.ok(causeRows.includes(s.value), `${s.where} constructs cause ${s.value}, which docs/api.md's cause table lacks`);
  for (const c of causeRows) assert.ok(constructed.has(c), `docs/api.md lists cause ${c}, which no source constructs`);
  assert.deepEqual([...causeRows].sort(), [...CAUSE_TYPES].sort(), 'the cause table equals the catalogue');
});
