// Version constraints for the `version` operator (hashicorp/go-version rules: "v" prefix, any number of
// segments, "~>" pessimistic, a pre-release only matches constraints naming a pre-release of the same core) and
// the `semver` operator (strict Semantic Versioning 2.0: at most major.minor.patch, "-" before a pre-release,
// pre-releases ordered by semver precedence and matched by plain ranges, no "~>").

/** A parsed version. `specified` is how many numeric segments were written (go-version's "si"). */
export interface Version {
  segments: number[];
  specified: number;
  pre: string;
}

const LOOSE = /^v?([0-9]+(?:\.[0-9]+)*)(?:-?([A-Za-z~][0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)|-([0-9][0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*))?(?:\+[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*)?$/;
const STRICT = /^v?([0-9]+(?:\.[0-9]+){0,2})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** The rule set a constraint is checked with. */
export type VersionMode = 'version' | 'semver';

/** Parses a version; undefined when it is not one. */
export function parseVersion(text: string, mode: VersionMode): Version | undefined {
  const m = (mode === 'semver' ? STRICT : LOOSE).exec(text.trim());
  if (!m) return undefined;
  const nums = m[1].split('.').map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return undefined;
  const segments = [...nums];
  while (segments.length < 3) segments.push(0);
  return { segments, specified: nums.length, pre: m[2] ?? m[3] ?? '' };
}

/** Orders two versions: negative, zero or positive. Build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === '') return 1; // a release outranks its pre-releases
  if (b.pre === '') return -1;
  return comparePrerelease(a.pre, b.pre);
}

function comparePrerelease(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const na = /^[0-9]+$/.test(pa[i]);
    const nb = /^[0-9]+$/.test(pb[i]);
    if (na && nb && Number(pa[i]) !== Number(pb[i])) return Math.sign(Number(pa[i]) - Number(pb[i]));
    if (na !== nb) return na ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return 0;
}

interface Clause {
  op: string;
  version: Version;
}

const CLAUSE = /^(=|!=|>=|<=|>|<|~>)?\s*(\S+)$/;

/** Parses "1.2, < 2.0" style constraints (clauses joined by commas, all must hold); undefined when malformed. */
export function parseVersionConstraint(text: string, mode: VersionMode): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const part of text.split(',')) {
    const m = CLAUSE.exec(part.trim());
    if (!m) return undefined;
    const op = m[1] ?? '=';
    if (mode === 'semver' && op === '~>') return undefined;
    const version = parseVersion(m[2], mode);
    if (!version) return undefined;
    clauses.push({ op, version });
  }
  return clauses.length ? clauses : undefined;
}

/** Whether `v` satisfies every clause. */
export function satisfies(v: Version, clauses: Clause[], mode: VersionMode): boolean {
  return clauses.every((c) => satisfiesClause(v, c, mode));
}

function satisfiesClause(v: Version, c: Clause, mode: VersionMode): boolean {
  const cmp = compareVersions(v, c.version);
  if (c.op === '=') return cmp === 0;
  if (c.op === '!=') return cmp !== 0;
  if (mode === 'version' && !prereleaseAllowed(v, c.version, c.op)) return false;
  switch (c.op) {
    case '>': return cmp > 0;
    case '<': return cmp < 0;
    case '>=': return cmp >= 0;
    case '<=': return cmp <= 0;
    default: return pessimistic(v, c.version);
  }
}

/** go-version: a pre-release only satisfies a range whose bound is a pre-release of the same core version. */
function prereleaseAllowed(v: Version, c: Version, op: string): boolean {
  if (v.pre !== '' && c.pre !== '') return v.segments.every((s, i) => s === (c.segments[i] ?? 0));
  if (v.pre !== '' && c.pre === '') return false;
  return !(op === '~>' && c.pre !== '' && v.pre === '');
}

/** "~> 1.2.3" means >= 1.2.3 and < 1.3; "~> 1.2" means >= 1.2 and < 2. */
function pessimistic(v: Version, c: Version): boolean {
  if (compareVersions(v, c) < 0) return false;
  if (c.specified > v.specified) return false;
  for (let i = 0; i < c.specified - 1; i++) if (v.segments[i] !== c.segments[i]) return false;
  return true;
}
