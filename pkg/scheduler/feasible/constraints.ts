// Constraint operators: how an attribute of a node compares with a value. Shared by constraints (filter) and
// affinities (score). distinct_hosts and distinct_property depend on the plan, not the node: see distinct.ts.
import type { Constraint, NodeView } from '../structs.ts';
import { resolveTarget, type Resolved } from '../attributes.ts';
import { parseVersion, parseVersionConstraint, satisfies, type VersionMode } from './version.ts';

/** Operators this file does not decide (always true here). */
export const PLAN_OPERATORS = new Set(['distinct_hosts', 'distinct_property']);

/** The text a failed constraint is reported by: `${attr.kernel.name} = linux`. */
export function constraintReason(c: Constraint): string {
  return [c.attribute, c.operator, c.value].filter((s) => s !== '').join(' ');
}

/** Evaluates operators against nodes, caching compiled regexps and parsed version constraints. */
export class ConstraintMatcher {
  private readonly regexps = new Map<string, RegExp | null>();
  private readonly versions = new Map<string, ReturnType<typeof parseVersionConstraint>>();

  /** Whether the node satisfies the constraint (both sides may be `${...}` targets). */
  matches(c: Constraint, node: NodeView): boolean {
    if (PLAN_OPERATORS.has(c.operator)) return true;
    return this.compare(c.operator, resolveTarget(c.attribute, node), resolveTarget(c.value, node));
  }

  /** Applies one operator to resolved left and right values. */
  compare(op: string, l: Resolved, r: Resolved): boolean {
    const both = l.found && r.found;
    switch (op) {
      case '=': case '==': case 'is':
        return both && l.value === r.value;
      case '!=': case 'not':
        return !(l.found === r.found && l.value === r.value);
      case '<': case '<=': case '>': case '>=':
        return both && checkOrder(op, l.value, r.value);
      case 'is_set':
        return l.found;
      case 'is_not_set':
        return !l.found;
      case 'regexp':
        return both && this.regexp(r.value)?.test(l.value) === true;
      case 'version': case 'semver':
        return both && this.version(op, l.value, r.value);
      case 'set_contains': case 'set_contains_all':
        return both && setItems(r.value).every((x) => setItems(l.value).includes(x));
      case 'set_contains_any':
        return both && setItems(r.value).some((x) => setItems(l.value).includes(x));
      default:
        return false;
    }
  }

  private regexp(source: string): RegExp | null {
    if (!this.regexps.has(source)) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(source);
      } catch {
        re = null; // an invalid pattern matches nothing
      }
      this.regexps.set(source, re);
    }
    return this.regexps.get(source)!;
  }

  private version(mode: VersionMode, value: string, constraint: string): boolean {
    const key = `${mode}\u0000${constraint}`;
    if (!this.versions.has(key)) this.versions.set(key, parseVersionConstraint(constraint, mode));
    const clauses = this.versions.get(key);
    const v = parseVersion(value, mode);
    return clauses !== undefined && v !== undefined && satisfies(v, clauses, mode);
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Numeric comparison when both sides are numbers, lexical otherwise. */
export function checkOrder(op: string, l: string, r: string): boolean {
  const numeric = NUMBER.test(l.trim()) && NUMBER.test(r.trim());
  const d = numeric ? Number(l) - Number(r) : l < r ? -1 : l > r ? 1 : 0;
  switch (op) {
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '>': return d > 0;
    default: return d >= 0;
  }
}

function setItems(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
