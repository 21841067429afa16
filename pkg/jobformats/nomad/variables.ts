// HCL2 input variables and locals: `variable "x" { default = ... }` overridden by -var-file files and -var x=v
// flags, `locals { ... }` computed from them. hcl2json leaves expressions as "${...}" text, so references to
// var.* and local.* are substituted here; every other interpolation (${NOMAD_ALLOC_ID}, ${attr.kernel.name},
// ${node.unique.name}, ${meta.rack}) is a runtime one and is kept as written.
import type { Position, Refusal } from '../refusal.ts';

/** Values given on the command line. */
export interface VariableInputs {
  /** -var NAME=VALUE, in order. */
  vars?: Record<string, string>;
  /** Parsed -var-file contents (top-level attributes), in order. */
  varFiles?: Record<string, unknown>[];
}

const REF = /^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)$/;
const INTERP = /\$\{([^{}]*)\}/g;
// A runtime interpolation: a dotted name (attr.x, node.unique.name, meta.rack, NOMAD_PORT_http, env["X"]).
const RUNTIME = /^([A-Za-z_][A-Za-z0-9_-]*)(\.[A-Za-z0-9_-]+)*(\[[^\]]*\])?$/;

/** Resolves var.* and local.* inside values; problems become refusals. */
export class Variables {
  private readonly values = new Map<string, unknown>();
  // Declared without a value: already refused once at the declaration.
  private readonly missing = new Set<string>();

  constructor(private readonly refusals: Refusal[]) {}

  /** Set from the file's `variable` blocks (name → default, type) and the inputs; missing values are refused. */
  declare(decls: { name: string; default?: unknown; hasDefault: boolean; type?: string; path: string; position?: Position }[], inputs: VariableInputs): void {
    const given: Record<string, unknown> = Object.assign({}, ...(inputs.varFiles ?? []), inputs.vars ?? {});
    for (const d of decls) {
      if (d.name in given) this.values.set(`var.${d.name}`, typed(given[d.name], d.type));
      else if (d.hasDefault) this.values.set(`var.${d.name}`, d.default);
      else {
        this.missing.add(`var.${d.name}`);
        this.refusals.push({ path: d.path, position: d.position, message: `variable "${d.name}" has no default and no value was given (-var ${d.name}=VALUE or -var-file)` });
      }
    }
    for (const name of Object.keys(given)) {
      if (!decls.some((d) => d.name === name)) this.refusals.push({ path: `var.${name}`, message: `-var ${name}: the job file declares no variable "${name}"` });
    }
  }

  /** Add locals in order; a local may use variables and earlier locals. */
  local(name: string, value: unknown, at: { path: string; position?: Position }): void {
    this.values.set(`local.${name}`, this.resolve(value, at));
  }

  /** `value` with var.NAME and local.NAME references replaced. */
  resolve(value: unknown, at: { path: string; position?: Position }): unknown {
    if (typeof value === 'string') return this.resolveString(value, at);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, at));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, at)]));
    return value;
  }

  private resolveString(s: string, at: { path: string; position?: Position }): unknown {
    const whole = /^\$\{([^{}]*)\}$/.exec(s);
    if (whole && REF.test(whole[1]!.trim())) return this.lookup(whole[1]!.trim(), at);
    return s.replace(INTERP, (all, inner: string) => {
      const e = inner.trim();
      if (REF.test(e)) {
        const v = this.lookup(e, at);
        return typeof v === 'string' ? v : JSON.stringify(v);
      }
      if (!RUNTIME.test(e) || /\b(var|local)\./.test(e)) {
        this.refusals.push({ ...at, message: `the expression \${${e}} is not supported (only var.NAME, local.NAME and runtime interpolations such as \${NOMAD_ALLOC_ID} or \${attr.kernel.name})` });
      }
      return all;
    });
  }

  private lookup(ref: string, at: { path: string; position?: Position }): unknown {
    if (this.values.has(ref)) return this.values.get(ref);
    if (this.missing.has(ref)) return '';
    this.refusals.push({ ...at, message: `${ref} is not declared` });
    return '';
  }
}

function typed(v: unknown, type?: string): unknown {
  if (typeof v !== 'string' || !type) return v;
  if (/number/.test(type) && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (/bool/.test(type) && (v === 'true' || v === 'false')) return v === 'true';
  if (/list|map|object|set|tuple/.test(type)) {
    try { return JSON.parse(v); } catch { return v; }
  }
  return v;
}
