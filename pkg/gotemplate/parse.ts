// The parse tree of a template: text, actions (pipelines) and the control structures if / else if / else,
// range (with its else and break/continue) and with, as Go's text/template/parse builds it. Function names are
// checked here, as Go does, so an unknown function is a parse error with its position.
import { TemplateError } from './errors.ts';
import { segments, tokens, type Token } from './lexer.ts';

/** An operand of a command. */
export type Arg =
  | { kind: 'field'; path: string[]; offset: number }
  | { kind: 'variable'; name: string; path: string[]; offset: number }
  | { kind: 'ident'; name: string; offset: number }
  | { kind: 'literal'; value: unknown; offset: number }
  | { kind: 'pipeline'; pipe: Pipeline; path: string[]; offset: number };

/** One command of a pipeline: a function call or a single operand. */
export interface Command {
  args: Arg[];
  offset: number;
}

/** `$a, $b := cmd | cmd ...` */
export interface Pipeline {
  decl: string[];
  /** `=` assigns to existing variables instead of declaring them. */
  assign: boolean;
  cmds: Command[];
  offset: number;
}

/** if, with or range: a pipeline, the nodes run when it holds, and an optional else. */
export interface ControlNode {
  kind: 'if' | 'with' | 'range';
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | undefined;
  offset: number;
}

/** A node of the tree. */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | ControlNode
  | { kind: 'break' | 'continue'; offset: number };

/** A parsed template. */
export interface Tree {
  name: string;
  source: string;
  root: Node[];
}

/** Parse options. */
export interface ParseOptions {
  leftDelim?: string;
  rightDelim?: string;
  /** Names of the functions the template may call. */
  funcs: ReadonlySet<string>;
}

interface Frame {
  kind: 'if' | 'with' | 'range' | 'root';
  node?: ControlNode;
  /** Where nodes go: the list, then the else list. */
  target: Node[];
  /** `else if` chains close with the outer frame's `end`. */
  chained: boolean;
  offset: number;
}

/** Parse `source` into a tree; throws TemplateError naming line and column. */
export function parse(name: string, source: string, opts: ParseOptions): Tree {
  const root: Node[] = [];
  const stack: Frame[] = [{ kind: 'root', target: root, chained: false, offset: 0 }];
  const fail = (offset: number, msg: string): never => {
    throw TemplateError.at(name, source, offset, msg);
  };
  const top = () => stack[stack.length - 1]!;
  const rangeDepth = () => stack.filter((f) => f.kind === 'range' && f.node && f.target === f.node.list).length;
  for (const seg of segments(name, source, opts.leftDelim, opts.rightDelim)) {
    if (seg.kind === 'text') {
      top().target.push({ kind: 'text', text: seg.text });
      continue;
    }
    const toks = tokens(name, source, seg.source, seg.offset);
    if (toks.length === 0) fail(seg.offset, 'missing value for command');
    const p = new TokenParser(name, source, toks, opts.funcs, seg.offset);
    const first = toks[0]!;
    const keyword = first.kind === 'ident' ? first.name : undefined;
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      p.next();
      const node = { kind: keyword, pipe: p.pipeline(keyword), list: [], elseList: undefined, offset: first.offset } as ControlNode;
      p.end();
      top().target.push(node);
      stack.push({ kind: keyword, node, target: node.list, chained: false, offset: first.offset });
    } else if (keyword === 'else') {
      p.next();
      const f = top();
      if (f.kind === 'root' || !f.node || f.node.elseList) fail(first.offset, 'unexpected {{else}}');
      f.node!.elseList = [];
      f.target = f.node!.elseList;
      const chain = p.peek();
      if (chain?.kind === 'ident' && (chain.name === 'if' || chain.name === 'with')) {
        if (chain.name !== f.kind) fail(chain.offset, `{{else ${chain.name}}} inside {{${f.kind}}}`);
        p.next();
        const node = { kind: chain.name, pipe: p.pipeline(chain.name), list: [], elseList: undefined, offset: chain.offset } as ControlNode;
        p.end();
        f.target.push(node);
        stack.push({ kind: chain.name, node, target: node.list, chained: true, offset: chain.offset });
      } else {
        p.end();
      }
    } else if (keyword === 'end') {
      p.next();
      p.end();
      if (top().kind === 'root') fail(first.offset, 'unexpected {{end}}');
      while (stack.pop()!.chained);
    } else if (keyword === 'break' || keyword === 'continue') {
      p.next();
      p.end();
      if (rangeDepth() === 0) fail(first.offset, `{{${keyword}}} outside {{range}}`);
      top().target.push({ kind: keyword, offset: first.offset });
    } else if (keyword === 'define' || keyword === 'template' || keyword === 'block') {
      fail(first.offset, `{{${keyword}}} is not supported`);
    } else {
      const pipe = p.pipeline('command');
      p.end();
      top().target.push({ kind: 'action', pipe });
    }
  }
  if (stack.length > 1) fail(top().offset, `unexpected EOF: {{${top().kind}}} has no {{end}}`);
  return { name, source, root };
}

class TokenParser {
  private i = 0;

  constructor(
    private readonly name: string,
    private readonly source: string,
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
    private readonly actionOffset: number,
  ) {}

  peek(): Token | undefined {
    return this.toks[this.i];
  }

  next(): Token | undefined {
    return this.toks[this.i++];
  }

  end(): void {
    const t = this.peek();
    if (t) this.fail(t.offset, `unexpected ${describe(t)} in action`);
  }

  pipeline(context: string, inParens = false): Pipeline {
    const start = this.peek()?.offset ?? this.actionOffset;
    const decl: string[] = [];
    let assign = false;
    // Declarations: `$x :=`, `$x =`, and in range `$i, $e :=`.
    const save = this.i;
    const vars: string[] = [];
    while (this.peek()?.kind === 'variable') {
      const v = this.next() as Extract<Token, { kind: 'variable' }>;
      if (v.path.length) break;
      vars.push(v.name);
      const after = this.peek();
      if (after?.kind === 'comma' && context === 'range' && vars.length === 1) {
        this.next();
        continue;
      }
      if (after?.kind === 'declare' || after?.kind === 'assign') {
        this.next();
        decl.push(...vars);
        assign = after.kind === 'assign';
      }
      break;
    }
    if (decl.length === 0) this.i = save;
    const cmds: Command[] = [];
    for (;;) {
      cmds.push(this.command(inParens));
      const t = this.peek();
      if (t?.kind === 'pipe') {
        this.next();
        continue;
      }
      break;
    }
    if (cmds.length === 0 || cmds.some((c) => c.args.length === 0)) this.fail(start, `missing value for ${context}`);
    return { decl, assign, cmds, offset: start };
  }

  private command(inParens: boolean): Command {
    const offset = this.peek()?.offset ?? this.actionOffset;
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === 'pipe' || (t.kind === 'rparen' && inParens)) break;
      args.push(this.operand());
    }
    for (let k = 1; k < args.length; k++) {
      const a = args[k]!;
      if (a.kind === 'ident') this.fail(a.offset, `function "${a.name}" used as an argument; call it in parentheses`);
    }
    return { args, offset };
  }

  private operand(): Arg {
    const t = this.next()!;
    switch (t.kind) {
      case 'string':
      case 'number':
      case 'bool':
        return { kind: 'literal', value: t.value, offset: t.offset };
      case 'nil':
        return { kind: 'literal', value: null, offset: t.offset };
      case 'field':
        return { kind: 'field', path: t.path, offset: t.offset };
      case 'variable':
        return { kind: 'variable', name: t.name, path: t.path, offset: t.offset };
      case 'ident':
        if (!this.funcs.has(t.name)) this.fail(t.offset, `function "${t.name}" not defined`);
        return { kind: 'ident', name: t.name, offset: t.offset };
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', true);
        const close = this.next();
        if (close?.kind !== 'rparen') this.fail(close?.offset ?? t.offset, 'unclosed left paren');
        return { kind: 'pipeline', pipe, path: [], offset: t.offset };
      }
      default:
        return this.fail(t.offset, `unexpected ${describe(t)} in operand`);
    }
  }

  private fail(offset: number, msg: string): never {
    throw TemplateError.at(this.name, this.source, offset, msg);
  }
}

function describe(t: Token): string {
  const names: Record<string, string> = { pipe: '"|"', lparen: '"("', rparen: '")"', declare: '":="', assign: '"="', comma: '","' };
  if (names[t.kind]) return names[t.kind]!;
  if (t.kind === 'ident') return `<${t.name}>`;
  return t.kind;
}
