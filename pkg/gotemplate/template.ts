// A Go text/template compatible template: parse once (functions checked, positions kept), execute many times.
import { builtins } from './builtins.ts';
import { execute, type TemplateFunc } from './exec.ts';
import { parse, type Tree } from './parse.ts';

/** How a template is parsed. */
export interface TemplateOptions {
  /** Functions beside the predefined ones (they win on a name clash). */
  funcs?: Record<string, TemplateFunc>;
  leftDelim?: string;
  rightDelim?: string;
}

/** A parsed template. */
export class Template {
  private constructor(
    private readonly tree: Tree,
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
  ) {}

  /** Parse `source`; throws TemplateError (name:line:col) on a syntax error or an unknown function. */
  static parse(name: string, source: string, opts: TemplateOptions = {}): Template {
    const funcs = builtins();
    for (const [k, fn] of Object.entries(opts.funcs ?? {})) funcs.set(k, fn);
    const tree = parse(name, source, { funcs: new Set(funcs.keys()), leftDelim: opts.leftDelim || '{{', rightDelim: opts.rightDelim || '}}' });
    return new Template(tree, funcs);
  }

  /** Render with `data` as dot; throws TemplateError naming the position of the failing action. */
  execute(data?: unknown): string {
    return execute(this.tree, data, this.funcs);
  }
}

/** Parse and execute in one go. */
export function render(name: string, source: string, data?: unknown, opts: TemplateOptions = {}): string {
  return Template.parse(name, source, opts).execute(data);
}
