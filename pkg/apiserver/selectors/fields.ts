// Field selectors with Kubernetes' syntax (apimachinery pkg/fields): `field=value`, `field==value`,
// `field!=value`, comma = AND; `\`, `,` and `=` in values are escaped with a backslash.
import { badRequest } from '../../apierrors/status.ts';

/** A field requirement's operator (`==` parses as `=`). */
export type FieldOperator = '=' | '!=';

/** One term of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

/** A conjunction of field requirements (sorted); empty matches everything. */
export interface FieldSelector {
  requirements: FieldRequirement[];
}

/** Fields every kind can be selected by, whatever its registry entry says. */
export const ALWAYS_SELECTABLE = ['metadata.name', 'metadata.namespace'];

// Order matters: "!=" and "==" before "=" so "a!=b" is not read as "a!" "=" "b".
const OPERATORS = ['!=', '==', '='] as const;

// Split on commas that are not escaped.
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op === '!=' ? '!=' : '=', term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Undo escapeFieldValue; rejects unknown escapes and bare `,`/`=` as Kubernetes does. */
export function unescapeFieldValue(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      throw new Error(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Escape `\`, `,` and `=` in a field selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byTerm = (a: FieldRequirement, b: FieldRequirement) => cmp(a.field, b.field) || cmp(a.operator, b.operator) || cmp(a.value, b.value);

/**
 * Parse a field selector, allowing only `allowed` fields (plus metadata.name and metadata.namespace).
 * Throws 400 BadRequest: `field label not supported: spec.foo` for other fields, or a syntax message.
 */
export function parseFieldSelector(s: string, allowed: string[]): FieldSelector {
  const known = new Set([...ALWAYS_SELECTABLE, ...allowed]);
  const requirements: FieldRequirement[] = [];
  for (const raw of splitTerms(s)) {
    const term = raw.trim();
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const [field, operator, rawValue] = [parts[0].trim(), parts[1], parts[2].trim()];
    let value: string;
    try {
      value = unescapeFieldValue(rawValue);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    if (!known.has(field)) throw badRequest(`field label not supported: ${field}`);
    requirements.push({ field, operator, value });
  }
  return { requirements: requirements.sort(byTerm) };
}

/** Whether the object whose fields `get` reads satisfies every requirement; an absent field reads as "". */
export function matchFields(sel: FieldSelector, get: (field: string) => string | undefined): boolean {
  return sel.requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.operator === '='));
}

/** Print a selector in the syntax parseFieldSelector reads. */
export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/** The value a selector pins `field` to with `=`, if any (lets a watch cache index e.g. spec.nodeName). */
export function requiredFieldValue(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}
