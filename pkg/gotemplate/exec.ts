// Executing a parse tree against data: dot, variables ($ is the data), pipelines (a command's result is the
// last argument of the next), Go's truth (false, 0, "", nil and empty collections are false) and printing
// (`<no value>` for a missing map key, `[a b]` for lists, `map[k:v]` for objects), as text/template does.
import { TemplateError } from './errors.ts';
import type { Arg, Command, ControlNode, Node, Pipeline, Tree } from './parse.ts';

/** A template function; a throw becomes an error at the calling command. */
export type TemplateFunc = (...args: unknown[]) => unknown;

class Break {}
class Continue {}

/** Go's truth of a value. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** A value as text/template prints it (fmt's %v). */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${printValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

/** Run `tree` with `data` as dot and `funcs` callable; returns the output. */
export function execute(tree: Tree, data: unknown, funcs: ReadonlyMap<string, TemplateFunc>): string {
  return new State(tree, funcs, data).run();
}

class State {
  private out: string[] = [];
  private vars: Array<[string, unknown]> = [];

  constructor(
    private readonly tree: Tree,
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
    private readonly data: unknown,
  ) {
    this.vars.push(['$', data]);
  }

  run(): string {
    this.walk(this.tree.root, this.data);
    return this.out.join('');
  }

  private walk(list: Node[], dot: unknown): void {
    for (const n of list) this.node(n, dot);
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private node(n: Node, dot: unknown): void {
    switch (n.kind) {
      case 'text':
        this.out.push(n.text);
        return;
      case 'action': {
        const v = this.pipeline(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.out.push(printValue(v));
        return;
      }
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
      case 'if':
      case 'with':
        return this.scoped(() => {
          const v = this.pipeline(n.pipe, dot);
          if (truth(v)) this.walk(n.list, n.kind === 'with' ? v : dot);
          else if (n.elseList) this.walk(n.elseList, dot);
        });
      case 'range':
        return this.scoped(() => this.range(n, dot));
    }
  }

  private range(n: ControlNode, dot: unknown): void {
    // Declarations of a range name the key/index and the element, not the pipeline's value.
    const decl = n.pipe.decl;
    const v = this.pipeline({ ...n.pipe, decl: [] }, dot);
    let items: Array<[unknown, unknown]>;
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v instanceof Map) items = [...v.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
    else if (v !== null && typeof v === 'object') items = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    else if (v === undefined || v === null) items = [];
    else throw this.error(n.offset, `range can't iterate over ${printValue(v)}`);
    if (items.length === 0) {
      if (n.elseList) this.walk(n.elseList, dot);
      return;
    }
    for (const [k, x] of items) {
      const mark = this.vars.length;
      if (decl.length === 1) this.vars.push([decl[0]!, x]);
      if (decl.length === 2) this.vars.push([decl[0]!, k], [decl[1]!, x]);
      try {
        this.walk(n.list, x);
      } catch (e) {
        if (e instanceof Break) break;
        if (!(e instanceof Continue)) throw e;
      } finally {
        this.vars.length = mark;
      }
    }
  }

  private pipeline(p: Pipeline, dot: unknown): unknown {
    let value: unknown;
    let piped = false;
    for (const c of p.cmds) {
      value = this.command(c, dot, piped ? [value] : []);
      piped = true;
    }
    if (p.decl.length > 0) {
      const name = p.decl[0]!;
      if (p.assign) {
        const slot = this.findVar(name, p.offset);
        slot[1] = value;
      } else {
        this.vars.push([name, value]);
      }
    }
    return value;
  }

  private command(c: Command, dot: unknown, piped: unknown[]): unknown {
    const [first, ...rest] = c.args;
    if (first!.kind === 'ident') {
      if (first!.name === 'and' || first!.name === 'or') return this.logical(first!.name, rest, piped, dot, first!.offset);
      const fn = this.funcs.get(first!.name)!;
      const args = [...rest.map((a) => this.arg(a, dot)), ...piped];
      try {
        return fn(...args);
      } catch (e) {
        throw e instanceof TemplateError ? e : this.callError(first!.offset, first!.name, e);
      }
    }
    if (rest.length > 0 || piped.length > 0) throw this.error(first!.offset, `can't give argument to non-function ${describeArg(first!)}`);
    return this.arg(first!, dot);
  }

  // and/or stop at the first argument that decides (Go 1.18).
  private logical(op: 'and' | 'or', args: Arg[], piped: unknown[], dot: unknown, offset: number): unknown {
    const thunks: Array<() => unknown> = [...args.map((a) => () => this.arg(a, dot)), ...piped.map((v) => () => v)];
    if (thunks.length === 0) throw this.error(offset, `wrong number of args for ${op}: want at least 1 got 0`);
    let v: unknown;
    for (const t of thunks) {
      v = t();
      if (op === 'and' ? !truth(v) : truth(v)) return v;
    }
    return v;
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.kind) {
      case 'literal':
        return a.value;
      case 'field':
        return this.fields(dot, a.path, a.offset);
      case 'variable':
        return this.fields(this.findVar(a.name, a.offset)[1], a.path, a.offset);
      case 'pipeline':
        return this.fields(this.pipeline(a.pipe, dot), a.path, a.offset);
      case 'ident': {
        const fn = this.funcs.get(a.name)!;
        try {
          return fn();
        } catch (e) {
          throw e instanceof TemplateError ? e : this.callError(a.offset, a.name, e);
        }
      }
    }
  }

  private fields(v: unknown, path: string[], offset: number): unknown {
    let cur = v;
    for (const [i, name] of path.entries()) {
      if (cur === undefined || cur === null) throw this.error(offset, `nil pointer evaluating .${path.slice(i).join('.')}`);
      if (cur instanceof Map) cur = cur.get(name);
      else if (typeof cur === 'object' && !Array.isArray(cur)) cur = Object.prototype.hasOwnProperty.call(cur, name) ? (cur as Record<string, unknown>)[name] : undefined;
      else throw this.error(offset, `can't evaluate field ${name} in type ${typeName(cur)}`);
    }
    return cur;
  }

  private findVar(name: string, offset: number): [string, unknown] {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === name) return this.vars[i]!;
    throw this.error(offset, `undefined variable: ${name}`);
  }

  // The function's own error stays reachable as `cause` (callers may throw signals of their own through it).
  private callError(offset: number, name: string, e: unknown): TemplateError {
    const err = this.error(offset, `error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    Object.defineProperty(err, 'cause', { value: e });
    return err;
  }

  private error(offset: number, msg: string): TemplateError {
    return TemplateError.at(this.tree.name, this.tree.source, offset, msg);
  }
}

function describeArg(a: Arg): string {
  if (a.kind === 'field') return `.${a.path.join('.')}`;
  if (a.kind === 'variable') return a.name;
  return printValue(a.kind === 'literal' ? a.value : '(pipeline)');
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  return typeof v;
}
