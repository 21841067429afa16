// Splitting a template into text and actions, and an action into tokens — Go's text/template lexer, in two
// levels: segments (text between delimiters, with `{{-`/`-}}` whitespace trimming and `{{/* */}}` comments
// dropped) and tokens within one action. Every segment and token keeps its offset so errors name line:column.
import { TemplateError } from './errors.ts';

export { position } from './errors.ts';

/** Literal text or an action's inner source. */
export type Segment =
  | { kind: 'text'; text: string; offset: number }
  | { kind: 'action'; source: string; offset: number };

/** A token of an action. */
export type Token =
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'number'; value: number; offset: number }
  | { kind: 'bool'; value: boolean; offset: number }
  | { kind: 'nil'; offset: number }
  | { kind: 'field'; path: string[]; offset: number }
  | { kind: 'variable'; name: string; path: string[]; offset: number }
  | { kind: 'ident'; name: string; offset: number }
  | { kind: 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma'; offset: number };

const SPACE = /\s/;

/** The text and action segments of `source` (what Go's lexer emits between delimiters). */
export function segments(name: string, source: string, left = '{{', right = '}}'): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let trimNext = false;
  const fail = (offset: number, msg: string): never => {
    throw TemplateError.at(name, source, offset, msg);
  };
  while (i <= source.length) {
    const open = source.indexOf(left, i);
    let text = source.slice(i, open < 0 ? source.length : open);
    let textOffset = i;
    if (trimNext) {
      const trimmed = text.replace(/^\s+/, '');
      textOffset += text.length - trimmed.length;
      text = trimmed;
      trimNext = false;
    }
    if (open < 0) {
      if (text) out.push({ kind: 'text', text, offset: textOffset });
      break;
    }
    let inner = open + left.length;
    // `{{- ` trims the whitespace before the action (the marker needs a space after it, as in Go).
    if (source[inner] === '-' && SPACE.test(source[inner + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      inner += 2;
    }
    if (text) out.push({ kind: 'text', text, offset: textOffset });
    const end = findActionEnd(source, inner, right, () => fail(open, 'unclosed action'));
    let content = source.slice(inner, end);
    let contentEnd = end;
    if (/\s-$/.test(content)) {
      trimNext = true;
      content = content.slice(0, -2);
      contentEnd -= 2;
    }
    const trimmed = content.trim();
    if (trimmed.startsWith('/*')) {
      if (!trimmed.endsWith('*/')) fail(open, 'unclosed comment');
    } else {
      out.push({ kind: 'action', source: source.slice(inner, contentEnd), offset: inner });
    }
    i = end + right.length;
  }
  return out;
}

// The right delimiter ending the action that starts at `from`, skipping quoted strings and comments.
function findActionEnd(source: string, from: number, right: string, unclosed: () => never): number {
  let i = from;
  while (i < source.length) {
    if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2);
      if (close < 0) unclosed();
      i = close + 2;
      continue;
    }
    const c = source[i];
    if (c === '"' || c === '`' || c === "'") {
      i = skipQuoted(source, i);
      if (i < 0) unclosed();
      continue;
    }
    if (source.startsWith(right, i)) return i;
    i++;
  }
  return unclosed();
}

function skipQuoted(source: string, i: number): number {
  const q = source[i];
  for (let j = i + 1; j < source.length; j++) {
    if (q !== '`' && source[j] === '\\') {
      j++;
      continue;
    }
    if (source[j] === q) return j + 1;
    if (q !== '`' && source[j] === '\n') return -1;
  }
  return -1;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?)/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** The tokens of one action; `base` is the action's offset in the whole template (for errors). */
export function tokens(name: string, template: string, action: string, base: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (at: number, msg: string): never => {
    throw TemplateError.at(name, template, base + at, msg);
  };
  while (i < action.length) {
    const c = action[i]!;
    const offset = base + i;
    if (SPACE.test(c)) {
      i++;
    } else if (action.startsWith('/*', i)) {
      const close = action.indexOf('*/', i + 2);
      if (close < 0) fail(i, 'unclosed comment');
      i = close + 2;
    } else if (c === '|') {
      out.push({ kind: 'pipe', offset });
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', offset });
      i++;
    } else if (c === ',') {
      out.push({ kind: 'comma', offset });
      i++;
    } else if (action.startsWith(':=', i)) {
      out.push({ kind: 'declare', offset });
      i += 2;
    } else if (c === '=') {
      out.push({ kind: 'assign', offset });
      i++;
    } else if (c === '"' || c === '`') {
      const end = skipQuoted(action, i);
      if (end < 0) fail(i, 'unterminated quoted string');
      out.push({ kind: 'string', value: c === '`' ? action.slice(i + 1, end - 1) : unquote(action.slice(i + 1, end - 1), (m) => fail(i, m)), offset });
      i = end;
    } else if (c === "'") {
      const end = skipQuoted(action, i);
      if (end < 0) fail(i, 'unterminated character constant');
      const ch = unquote(action.slice(i + 1, end - 1), (m) => fail(i, m));
      if ([...ch].length !== 1) fail(i, `malformed character constant: ${action.slice(i, end)}`);
      out.push({ kind: 'number', value: ch.codePointAt(0)!, offset });
      i = end;
    } else if (c === '.' && !/\d/.test(action[i + 1] ?? '')) {
      const { path, next } = fieldPath(action, i, fail);
      out.push({ kind: 'field', path, offset });
      i = next;
    } else if (c === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(action);
      const varName = `$${m ? m[0] : ''}`;
      i += varName.length;
      const { path, next } = action[i] === '.' ? fieldPath(action, i, fail) : { path: [], next: i };
      out.push({ kind: 'variable', name: varName, path, offset });
      i = next;
    } else if (/[-+\d.]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(action);
      if (!m || m[0] === '' || m[0] === '-' || m[0] === '+') fail(i, `unexpected "${c}" in command`);
      const text = m![0].replace(/_/g, '');
      const value = /^[-+]?0[bBoO]/.test(text) ? parseSigned(text) : Number(text);
      if (Number.isNaN(value)) fail(i, `bad number syntax: "${m![0]}"`);
      out.push({ kind: 'number', value, offset });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(action)![0];
      if (word === 'true' || word === 'false') out.push({ kind: 'bool', value: word === 'true', offset });
      else if (word === 'nil') out.push({ kind: 'nil', offset });
      else out.push({ kind: 'ident', name: word, offset });
      i += word.length;
      // A field chained on an identifier's result is not supported (Go allows it on parenthesized pipelines).
    } else {
      fail(i, `unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
  return out;
}

function fieldPath(action: string, i: number, fail: (at: number, msg: string) => never): { path: string[]; next: number } {
  const path: string[] = [];
  let j = i;
  while (action[j] === '.') {
    IDENT.lastIndex = j + 1;
    const m = IDENT.exec(action);
    if (!m) {
      if (path.length === 0 && j === i && !/[A-Za-z0-9_]/.test(action[j + 1] ?? '')) return { path, next: j + 1 };
      fail(j, 'bad character after "."');
    }
    path.push(m![0]);
    j += 1 + m![0].length;
  }
  return { path, next: j };
}

function parseSigned(text: string): number {
  const neg = text.startsWith('-');
  const body = text.replace(/^[-+]/, '');
  const n = Number(body.replace(/^0[oO]/, '0o'));
  return neg ? -n : n;
}

function unquote(body: string, fail: (msg: string) => never): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) fail('unterminated escape');
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail(`invalid escape \\${e}${hex}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (ESCAPES[e!] !== undefined) {
      out += ESCAPES[e!];
    } else {
      fail(`unknown escape sequence: \\${e}`);
    }
  }
  return out;
}
