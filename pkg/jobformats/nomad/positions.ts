// Where each block and attribute of an HCL file starts. hcl2json (HashiCorp's parser compiled to WASM) returns
// values without positions, so this small scanner reads the same text for its structure only: comments, strings
// (with ${...} nesting), heredocs, attribute expressions skipped to their end, blocks pushed and popped by braces.
// Keys are paths of segments: a block is `type.label...[n]` (n counts siblings of the same type and labels), an
// attribute its name; segments are joined by '/'. The parser has already accepted the text, so this need not
// report syntax errors — only find things.
import type { Position } from '../refusal.ts';

/** Block and attribute start positions by path key. */
export type Positions = Map<string, Position>;

/** The key of a block segment. */
export const blockKey = (type: string, labels: string[], index: number) => `${[type, ...labels].join('.')}[${index}]`;

/** Scan `text` for the start of every block and attribute. */
export function scanPositions(text: string): Positions {
  const s = new Scanner(text);
  const out: Positions = new Map();
  s.body([], new Map(), out, true);
  return out;
}

class Scanner {
  i = 0;
  constructor(readonly t: string) {}

  private readonly lineStarts: number[] = [0];

  pos(at = this.i): Position {
    if (this.lineStarts.length === 1) for (let k = 0; k < this.t.length; k++) if (this.t[k] === '\n') this.lineStarts.push(k + 1);
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.lineStarts[lo]! + 1 };
  }

  /** Skip spaces, newlines (when `newlines`) and comments. */
  skip(newlines: boolean): void {
    const t = this.t;
    while (this.i < t.length) {
      const c = t[this.i]!;
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.i++;
      else if (c === '#' || (c === '/' && t[this.i + 1] === '/')) while (this.i < t.length && t[this.i] !== '\n') this.i++;
      else if (c === '/' && t[this.i + 1] === '*') {
        const end = t.indexOf('*/', this.i + 2);
        this.i = end < 0 ? t.length : end + 2;
      } else break;
    }
  }

  ident(): string {
    const m = /^[A-Za-z_][-A-Za-z0-9_]*/.exec(this.t.slice(this.i, this.i + 200));
    if (!m) return '';
    this.i += m[0].length;
    return m[0];
  }

  /** A quoted string starting at `"`; returns its text (escapes kept simple: labels rarely have them). */
  str(): string {
    const start = ++this.i;
    let depth = 0;
    while (this.i < this.t.length) {
      const c = this.t[this.i]!;
      if (c === '\\') this.i += 2;
      else if ((c === '$' || c === '%') && this.t[this.i + 1] === '{') { depth++; this.i += 2; }
      else if (c === '}' && depth > 0) { depth--; this.i++; }
      else if (c === '"' && depth === 0) { this.i++; return this.t.slice(start, this.i - 1); }
      else if (c === '"') this.str();
      else this.i++;
    }
    return this.t.slice(start);
  }

  heredoc(): void {
    const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(this.t.slice(this.i, this.i + 100));
    if (!m) { this.i += 2; return; }
    this.i += m[0].length;
    const end = new RegExp(`^[ \\t]*${m[1]}[ \\t]*$`, 'm');
    const rest = this.t.slice(this.i);
    const found = end.exec(rest);
    this.i += found ? found.index + found[0].length : rest.length;
  }

  /** Skip an attribute's expression: to the newline at bracket depth 0. */
  expression(): void {
    let depth = 0;
    while (this.i < this.t.length) {
      this.skip(depth > 0);
      const c = this.t[this.i];
      if (c === undefined) return;
      if (c === '\n' && depth === 0) return;
      if (c === '}' && depth === 0) return;
      if (c === '"') this.str();
      else if (c === '<' && this.t[this.i + 1] === '<') this.heredoc();
      else if (c === '(' || c === '[' || c === '{') { depth++; this.i++; }
      else if (c === ')' || c === ']' || c === '}') { depth--; this.i++; }
      else this.i++;
    }
  }

  /** Read the items of a body (until `}` or the end) under `path`. */
  body(path: string[], counts: Map<string, number>, out: Positions, top: boolean): void {
    for (;;) {
      this.skip(true);
      const c = this.t[this.i];
      if (c === undefined) return;
      if (c === '}') {
        this.i++;
        if (!top) return;
        continue;
      }
      const at = this.pos();
      const name = c === '"' ? this.str() : this.ident();
      if (!name) { this.i++; continue; }
      this.skip(false);
      if (this.t[this.i] === '=' && this.t[this.i + 1] !== '=') {
        this.i++;
        if (!out.has([...path, name].join('/'))) out.set([...path, name].join('/'), at);
        this.expression();
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        this.skip(false);
        const d = this.t[this.i];
        if (d === '"') labels.push(this.str());
        else if (d === '{' || d === undefined) break;
        else { const l = this.ident(); if (!l) { this.i++; break; } labels.push(l); }
      }
      if (this.t[this.i] !== '{') continue;
      this.i++;
      const base = [name, ...labels].join('.');
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      const seg = blockKey(name, labels, n);
      out.set([...path, seg].join('/'), at);
      this.body([...path, seg], new Map(), out, false);
    }
  }
}
