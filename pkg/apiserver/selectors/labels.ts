// Label selectors with Kubernetes' syntax and semantics (apimachinery pkg/labels): a small lexer and a
// recursive-descent parser mirroring the reference one, so error texts and edge cases ("a in ()", "!a")
// behave as kubectl users expect.
import { badRequest } from '../../apierrors/status.ts';
import { invalidValue, labelKeyErrors, labelValueErrors } from './validation.ts';

/** A requirement's operator, spelled as Kubernetes' selection.Operator. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One term of a selector: `key op values`. Values are sorted and unique. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A conjunction of requirements (sorted by key); empty matches everything, `nothing` matches no object. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  nothing?: boolean;
}

/** The metav1.LabelSelector object form used inside specs. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

type Tok = 'id' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' | 'end';
interface Token {
  tok: Tok;
  lit: string;
}

const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOL_TOKENS = new Set<string>(['!', '=', '==', '!=', '>', '<', '(', ')', ',']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

// Longest match over the symbol tokens, as the reference lexer does ("!=" before "!").
function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (isSpace(c)) {
      i++;
    } else if (SYMBOLS.has(c)) {
      const two = s.slice(i, i + 2);
      const lit = SYMBOL_TOKENS.has(two) ? two : c;
      out.push({ tok: lit as Tok, lit });
      i += lit.length;
    } else {
      let j = i;
      while (j < s.length && !isSpace(s[j]) && !SYMBOLS.has(s[j])) j++;
      const lit = s.slice(i, j);
      out.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit });
      i = j;
    }
  }
  out.push({ tok: 'end', lit: '' });
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  // In value position the keywords `in`/`notin` are plain identifiers (a label may be called "in").
  peek(values: boolean): Token {
    const t = this.toks[this.pos];
    return values && (t.tok === 'in' || t.tok === 'notin') ? { tok: 'id', lit: t.lit } : t;
  }

  next(values: boolean): Token {
    const t = this.peek(values);
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek(true);
      if (t.tok === 'end') return reqs;
      if (t.tok !== 'id' && t.tok !== '!') throw new Error(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirement());
      const sep = this.next(true);
      if (sep.tok === 'end') return reqs;
      if (sep.tok !== ',') throw new Error(`found '${sep.lit}', expected: ',' or 'end of string'`);
      const after = this.peek(true);
      if (after.tok !== 'id' && after.tok !== '!') throw new Error(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    try {
      let unary: LabelOperator | undefined;
      let t = this.next(true);
      if (t.tok === '!') {
        unary = '!';
        t = this.next(true);
      }
      if (t.tok !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
      const key = t.lit;
      const keyErrs = labelKeyErrors(key);
      if (keyErrs.length > 0) throw new Error(invalidValue('key', key, keyErrs));
      const ahead = this.peek(true).tok;
      if (unary || ahead === 'end' || ahead === ',') return newRequirement(key, unary ?? 'exists', []);
      const op = this.operator();
      const values = op === 'in' || op === 'notin' ? this.setValues() : [this.exactValue()];
      return newRequirement(key, op, values);
    } catch (e) {
      throw new Error(`unable to parse requirement: ${(e as Error).message}`);
    }
  }

  private operator(): LabelOperator {
    const t = this.next(false);
    const ops: Partial<Record<Tok, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const op = ops[t.tok];
    if (!op) throw new Error(`found '${t.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  }

  private exactValue(): string {
    const ahead = this.peek(true).tok;
    if (ahead === 'end' || ahead === ',') return '';
    const t = this.next(true);
    if (t.tok !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
    return t.lit;
  }

  // `(a,b)`, `()` and stray commas mean the empty value, as in the reference parser.
  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const first = this.peek(true);
    if (first.tok === ')') {
      this.next(true);
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new Error(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next(true);
      if (t.tok === ')') {
        if (expectValue) values.push('');
        return values;
      }
      if (t.tok === ',') {
        if (expectValue) values.push('');
        expectValue = true;
      } else if (t.tok === 'id' && expectValue) {
        values.push(t.lit);
        expectValue = false;
      } else {
        throw new Error(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }
}

const uniqSorted = (xs: string[]) => [...new Set(xs)].sort();

// Kubernetes' NewRequirement: value counts per operator, then syntax of each value.
function newRequirement(key: string, operator: LabelOperator, raw: string[]): LabelRequirement {
  const values = uniqSorted(raw);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) throw new Error("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) throw new Error('values: Invalid value: exact-match compatibility requires one single value');
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) throw new Error("values: Invalid value: values set must be empty for exists and does not exist");
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) throw new Error("values: Invalid value: for 'Gt', 'Lt' operators, exactly one value is required");
      if (!/^[-+]?\d+$/.test(values[0])) throw new Error(`values[0]: Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, operator, values };
  }
  values.forEach((v, i) => {
    const errs = labelValueErrors(v);
    if (errs.length > 0) throw new Error(invalidValue(`values[${i}]`, v, errs));
  });
  return { key, operator, values };
}

const byKey = (a: LabelRequirement, b: LabelRequirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Parse `a=b,c in (x,y),!d`; throws a 400 BadRequest ApiError naming the problem. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return { requirements: new Parser(lex(s)).parse().sort(byKey) };
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

/** Whether `labels` satisfy every requirement of `sel`. */
export function matchLabels(sel: LabelSelector, labels: Record<string, string> = {}): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => matchRequirement(r, labels));
}

function matchRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      // A label that is not an integer never satisfies an ordering requirement.
      if (!has || !/^[-+]?\d+$/.test(v as string)) return false;
      const [lv, rv] = [BigInt(v as string), BigInt(r.values[0])];
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** Print one requirement in selector syntax. */
export function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

/** Print a selector in the syntax parseLabelSelector reads (the canonical form, requirements by key). */
export function labelSelectorToString(sel: LabelSelector): string {
  return sel.requirements.map(requirementToString).join(',');
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * The selector of a metav1.LabelSelector object (as metav1.LabelSelectorAsSelector): absent → matches nothing,
 * `{}` → matches everything. Throws BadRequest for an unknown operator or bad key/value syntax.
 */
export function selectorFromLabelSelectorObject(obj: LabelSelectorObject | null | undefined): LabelSelector {
  if (obj === null || obj === undefined) return { requirements: [], nothing: true };
  const reqs: LabelRequirement[] = [];
  try {
    for (const [key, value] of Object.entries(obj.matchLabels ?? {})) reqs.push(checkedRequirement(key, '=', [value]));
    for (const e of obj.matchExpressions ?? []) {
      const op = EXPRESSION_OPERATORS[e.operator];
      if (!op) throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
      reqs.push(checkedRequirement(e.key, op, e.values ?? []));
    }
  } catch (e) {
    throw badRequest(`invalid label selector: ${(e as Error).message}`);
  }
  return { requirements: reqs.sort(byKey) };
}

function checkedRequirement(key: string, op: LabelOperator, values: string[]): LabelRequirement {
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length > 0) throw new Error(invalidValue('key', key, keyErrs));
  return newRequirement(key, op, values);
}
