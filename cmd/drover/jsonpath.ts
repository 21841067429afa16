// `-o jsonpath=TEMPLATE`: kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath), the subset people use:
//   text and {EXPR} actions: {.metadata.name}  {.items[*].metadata.name}  {"\n"}  {'\t'}
//   {range EXPR}...{end}: the body once per result, with `.`/`@` meaning that result ($ stays the root)
//   steps: .field  .field\.with\.dots  ['key']  ..field (recursive)  [n] [-n] [a:b[:step]] [n,m] [*] .*
//   filters: [?(@.path)] (present)  [?(@.path OP value)] with == != < <= > >= and a number, string or @/$ path
// As kubectl does by default (--allow-missing-template-keys): a missing key or index yields nothing. Several
// results of one action are joined by spaces; strings print raw, other values as compact JSON (keys sorted).
import { UsageError } from './errors.ts';

type Step =
  | { t: 'field'; name: string }
  | { t: 'recursive'; name: string | '*' }
  | { t: 'wildcard' }
  | { t: 'index'; indices: number[] }
  | { t: 'slice'; start?: number; end?: number; step?: number }
  | { t: 'filter'; left: Path; op?: string; right?: Operand };
type Path = { root: '$' | '@'; steps: Step[] };
type Operand = { t: 'path'; path: Path } | { t: 'literal'; value: string | number | boolean | null };
type Node = { t: 'text'; text: string } | { t: 'expr'; path: Path } | { t: 'literal'; text: string } | { t: 'range'; path: Path; body: Node[] };

/** A parsed template: `render(value)` is the text for one object (or List). */
export interface JsonPathTemplate {
  render(value: unknown): string;
}

/** Parse `template`; a malformed one is a UsageError naming what is wrong. */
export function parseJsonPath(template: string): JsonPathTemplate {
  const fail = (why: string): never => {
    throw new UsageError(`error parsing jsonpath ${template}, ${why}`);
  };
  const stack: Node[][] = [[]];
  const ranges: Array<{ t: 'range'; path: Path; body: Node[] }> = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const text = template.slice(i, open === -1 ? undefined : open);
    if (text) stack.at(-1)!.push({ t: 'text', text });
    if (open === -1) break;
    const close = actionEnd(template, open + 1);
    if (close === -1) fail('unclosed action');
    const action = template.slice(open + 1, close).trim();
    i = close + 1;
    if (action === 'end') {
      if (ranges.length === 0) fail('not in range, nothing to end');
      ranges.pop();
      stack.pop();
    } else if (action.startsWith('range ')) {
      const node = { t: 'range' as const, path: parsePath(action.slice(6).trim(), fail), body: [] };
      stack.at(-1)!.push(node);
      ranges.push(node);
      stack.push(node.body);
    } else if (/^(["']).*\1$/s.test(action)) {
      stack.at(-1)!.push({ t: 'literal', text: unquote(action, fail) });
    } else {
      stack.at(-1)!.push({ t: 'expr', path: parsePath(action, fail) });
    }
  }
  if (ranges.length > 0) fail('unclosed range (missing {end})');
  const nodes = stack[0]!;
  return { render: (value) => renderNodes(nodes, value, value) };
}

/** Where the action opened before `from` closes: the next `}` outside a quoted string. */
function actionEnd(s: string, from: number): number {
  let quote = '';
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  return -1;
}

function unquote(s: string, fail: (why: string) => never): string {
  const body = s.slice(1, -1);
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
  return body.replace(/\\(.)/g, (_m, c: string) => escapes[c] ?? fail(`unknown escape \\${c} in ${s}`));
}

function parsePath(src: string, fail: (why: string) => never): Path {
  let i = 0;
  let root: '$' | '@' = '@';
  if (src[0] === '$' || src[0] === '@') {
    root = src[0];
    i = 1;
  } else if (src[0] !== '.' && src[0] !== '[') fail(`unrecognized identifier ${src}`);
  const steps: Step[] = [];
  const name = () => {
    let out = '';
    while (i < src.length && !'.[ ,)=!<>'.includes(src[i]!)) {
      if (src[i] === '\\' && i + 1 < src.length) i++;
      out += src[i++];
    }
    return out;
  };
  while (i < src.length) {
    if (src.startsWith('..', i)) {
      i += 2;
      if (src[i] === '*') {
        i++;
        steps.push({ t: 'recursive', name: '*' });
      } else {
        const n = name();
        if (!n) fail(`expected a field after .. in ${src}`);
        steps.push({ t: 'recursive', name: n });
      }
    } else if (src[i] === '.') {
      i++;
      if (src[i] === '*') {
        i++;
        steps.push({ t: 'wildcard' });
      } else if (i < src.length && src[i] !== '[') {
        const n = name();
        if (!n) fail(`expected a field name in ${src}`);
        steps.push({ t: 'field', name: n });
      }
    } else if (src[i] === '[') {
      const close = bracketEnd(src, i);
      if (close === -1) fail(`unterminated [ in ${src}`);
      steps.push(parseBracket(src.slice(i + 1, close).trim(), fail));
      i = close + 1;
    } else fail(`unexpected ${JSON.stringify(src[i])} in ${src}`);
  }
  return { root, steps };
}

function bracketEnd(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

function parseBracket(inner: string, fail: (why: string) => never): Step {
  if (inner === '*') return { t: 'wildcard' };
  if (/^(["']).*\1$/s.test(inner)) return { t: 'field', name: unquote(inner, fail) };
  if (inner.startsWith('?(') && inner.endsWith(')')) return parseFilter(inner.slice(2, -1).trim(), fail);
  if (/^-?\d+(\s*,\s*-?\d+)*$/.test(inner)) return { t: 'index', indices: inner.split(',').map((n) => Number(n.trim())) };
  const slice = /^(-?\d+)?\s*:\s*(-?\d+)?(?:\s*:\s*(-?\d+)?)?$/.exec(inner);
  if (slice) {
    const num = (s?: string) => (s === undefined ? undefined : Number(s));
    const step = num(slice[3]);
    if (step !== undefined && step <= 0) fail(`step must be > 0 in [${inner}]`);
    return { t: 'slice', start: num(slice[1]), end: num(slice[2]), step };
  }
  return fail(`invalid array index or key [${inner}]`);
}

function parseFilter(src: string, fail: (why: string) => never): Step {
  const m = /^(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s.exec(src);
  if (!m) return { t: 'filter', left: parsePath(src, fail) };
  return { t: 'filter', left: parsePath(m[1]!.trim(), fail), op: m[2], right: parseOperand(m[3]!.trim(), fail) };
}

function parseOperand(src: string, fail: (why: string) => never): Operand {
  if (/^(["']).*\1$/s.test(src)) return { t: 'literal', value: unquote(src, fail) };
  if (/^-?\d+(\.\d+)?$/.test(src)) return { t: 'literal', value: Number(src) };
  if (src === 'true' || src === 'false') return { t: 'literal', value: src === 'true' };
  if (src === 'null') return { t: 'literal', value: null };
  return { t: 'path', path: parsePath(src, fail) };
}

function renderNodes(nodes: Node[], root: unknown, current: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text' || n.t === 'literal') out += n.text;
    else if (n.t === 'expr') out += evaluate(n.path, root, current).map(printValue).join(' ');
    else for (const item of evaluate(n.path, root, current)) out += renderNodes(n.body, root, item);
  }
  return out;
}

// kubectl prints decoded JSON (Go maps): objects with their keys sorted.
function printValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const children = (v: unknown): unknown[] => (Array.isArray(v) ? v : isObject(v) ? Object.values(v) : []);

function evaluate(path: Path, root: unknown, current: unknown): unknown[] {
  let values = [path.root === '$' ? root : current];
  for (const step of path.steps) values = values.flatMap((v) => applyStep(step, v, root));
  return values;
}

function applyStep(step: Step, v: unknown, root: unknown): unknown[] {
  switch (step.t) {
    case 'field':
      return isObject(v) && Object.hasOwn(v, step.name) ? [v[step.name]] : [];
    case 'wildcard':
      return children(v);
    case 'recursive':
      return descend(v, step.name);
    case 'index': {
      if (!Array.isArray(v)) return [];
      return step.indices.map((n) => (n < 0 ? n + v.length : n)).filter((n) => n >= 0 && n < v.length).map((n) => v[n]);
    }
    case 'slice': {
      if (!Array.isArray(v)) return [];
      const clamp = (n: number) => Math.min(v.length, Math.max(0, n < 0 ? n + v.length : n));
      const start = clamp(step.start ?? 0);
      const end = clamp(step.end ?? v.length);
      const out: unknown[] = [];
      for (let k = start; k < end; k += step.step ?? 1) out.push(v[k]);
      return out;
    }
    case 'filter':
      return children(v).filter((item) => matches(step, item, root));
  }
}

/** Every value under `v` (at any depth) held by key `name` (`*`: every value), in document order. */
function descend(v: unknown, name: string): unknown[] {
  const out: unknown[] = [];
  const walk = (x: unknown) => {
    if (isObject(x)) {
      for (const [k, child] of Object.entries(x)) {
        if (name === '*' || k === name) out.push(child);
        walk(child);
      }
    } else if (Array.isArray(x)) {
      for (const child of x) {
        if (name === '*') out.push(child);
        walk(child);
      }
    }
  };
  walk(v);
  return out;
}

function matches(f: Extract<Step, { t: 'filter' }>, item: unknown, root: unknown): boolean {
  const left = evaluate(f.left, root, item);
  if (!f.op || !f.right) return left.length > 0 && left[0] !== false && left[0] !== null;
  const right = f.right.t === 'literal' ? [f.right.value] : evaluate(f.right.path, root, item);
  if (left.length === 0 || right.length === 0) return false;
  const a = left[0];
  const b = right[0];
  switch (f.op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default: {
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      const x = a as number | string;
      const y = b as number | string;
      return f.op === '<' ? x < y : f.op === '<=' ? x <= y : f.op === '>' ? x > y : x >= y;
    }
  }
}
