// text/template's predefined functions (and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt,
// ge) and the string helpers consul-template adds that Nomad templates use most (toUpper, toLower, trimSpace,
// split, join, replaceAll, contains, hasPrefix, hasSuffix, toJSON, base64Encode, base64Decode, parseInt).
import { printValue, truth, type TemplateFunc } from './exec.ts';

function arity(name: string, args: unknown[], n: number): void {
  if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function str(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new Error(`${name}: expected a string, got ${printValue(v)}`);
  return v;
}

function basicEq(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b && !(a === null || b === null || a === undefined || b === undefined)) throw new Error(`incompatible types for comparison`);
  return a === b || (a == null && b == null);
}

function compare(name: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`${name}: incompatible types for comparison`);
}

// fmt.Sprint: a space between operands when neither side is a string.
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += printValue(a);
  });
  return out;
}

/** fmt.Sprintf's common verbs: %v %s %d %q %f (with precision) %x %t %%. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  const out = format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([vsdqftxX%])/g, (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 'd':
        s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${printValue(a)})`;
        break;
      case 'f':
        s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${printValue(a)})`;
        break;
      case 'q':
        s = JSON.stringify(typeof a === 'string' ? a : printValue(a));
        break;
      case 'x':
      case 'X':
        s = typeof a === 'number' ? a.toString(16) : Buffer.from(printValue(a)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      default:
        s = printValue(a);
    }
    const w = Number(width || 0);
    if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb !== 's' ? '0' : ' ');
    return s;
  });
  return n < args.length ? `${out}%!(EXTRA ${args.slice(n).map(printValue).join(', ')})` : out;
}

/** The predefined functions. */
export function builtins(): Map<string, TemplateFunc> {
  const f = new Map<string, TemplateFunc>();
  // and/or are evaluated lazily by the executor; these entries make their names known to the parser.
  f.set('and', () => undefined);
  f.set('or', () => undefined);
  f.set('not', (...a) => (arity('not', a, 1), !truth(a[0])));
  f.set('len', (...a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v instanceof Map) return v.size;
    if (v !== null && typeof v === 'object') return Object.keys(v).length;
    throw new Error(`len of ${printValue(v)}`);
  });
  f.set('index', (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur) && typeof k === 'number') {
        if (k < 0 || k >= cur.length) throw new Error(`index out of range: ${k}`);
        cur = cur[k];
      } else if (cur !== null && typeof cur === 'object' && typeof k === 'string') {
        cur = (cur as Record<string, unknown>)[k];
      } else if (cur === undefined || cur === null) {
        throw new Error('index of untyped nil');
      } else {
        throw new Error(`can't index item of type ${typeof cur}`);
      }
    }
    return cur;
  });
  f.set('print', (...a) => sprint(a));
  f.set('println', (...a) => `${a.map(printValue).join(' ')}\n`);
  f.set('printf', (fmt, ...a) => sprintf(str('printf', fmt), a));
  f.set('eq', (a, ...bs) => {
    if (bs.length === 0) throw new Error('missing argument for comparison');
    return bs.some((b) => basicEq(a, b));
  });
  f.set('ne', (...a) => (arity('ne', a, 2), !basicEq(a[0], a[1])));
  f.set('lt', (...a) => (arity('lt', a, 2), compare('lt', a[0], a[1]) < 0));
  f.set('le', (...a) => (arity('le', a, 2), compare('le', a[0], a[1]) <= 0));
  f.set('gt', (...a) => (arity('gt', a, 2), compare('gt', a[0], a[1]) > 0));
  f.set('ge', (...a) => (arity('ge', a, 2), compare('ge', a[0], a[1]) >= 0));
  // consul-template's string helpers: the value being transformed comes last, so they work in pipes.
  f.set('toUpper', (s) => str('toUpper', s).toUpperCase());
  f.set('toLower', (s) => str('toLower', s).toLowerCase());
  f.set('trimSpace', (s) => str('trimSpace', s).trim());
  f.set('split', (sep, s) => str('split', s).split(str('split', sep)));
  f.set('join', (sep, list) => {
    if (!Array.isArray(list)) throw new Error(`join: expected a list, got ${printValue(list)}`);
    return list.map(printValue).join(str('join', sep));
  });
  f.set('replaceAll', (from, to, s) => str('replaceAll', s).split(str('replaceAll', from)).join(str('replaceAll', to)));
  f.set('contains', (sub, s) => str('contains', s).includes(str('contains', sub)));
  f.set('hasPrefix', (p, s) => str('hasPrefix', s).startsWith(str('hasPrefix', p)));
  f.set('hasSuffix', (p, s) => str('hasSuffix', s).endsWith(str('hasSuffix', p)));
  f.set('toJSON', (v) => JSON.stringify(v ?? null));
  f.set('base64Encode', (s) => Buffer.from(str('base64Encode', s)).toString('base64'));
  f.set('base64Decode', (s) => Buffer.from(str('base64Decode', s), 'base64').toString('utf8'));
  f.set('parseInt', (s) => {
    const n = Number.parseInt(str('parseInt', s), 10);
    if (Number.isNaN(n)) throw new Error(`parseInt: ${JSON.stringify(s)} is not an integer`);
    return n;
  });
  return f;
}
