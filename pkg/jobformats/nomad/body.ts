// A view of one HCL body (hcl2json's JSON for a block) that records which of its attributes and blocks the
// mapping read. `finish()` refuses everything left unread, so no field is ever dropped silently.
import type { Position, Refusal } from '../refusal.ts';
import { blockKey, type Positions } from './positions.ts';

/** What every body of one file shares: positions, refusals, and the variable resolver. */
export interface FileContext {
  positions: Positions;
  refusals: Refusal[];
  resolve(value: unknown, at: { path: string; position?: Position }): unknown;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One block's body. */
export class Body {
  private readonly used = new Set<string>();

  constructor(
    readonly ctx: FileContext,
    private readonly value: Json,
    /** Position-key segments of this block. */
    readonly keyPath: string[],
    /** Readable path, e.g. job.redis.group.cache. */
    readonly path: string,
  ) {}

  /** The readable path of a field of this body. */
  child(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  /** Whether the body has `name` (attribute or block). */
  has(name: string): boolean {
    return name in this.value;
  }

  /** Where attribute `name` starts (or this block, when unknown). */
  positionOf(name: string): Position | undefined {
    return this.ctx.positions.get([...this.keyPath, name].join('/')) ?? this.position();
  }

  /** Where this block starts. */
  position(): Position | undefined {
    return this.ctx.positions.get(this.keyPath.join('/'));
  }

  /** Attribute `name`, with variables resolved; undefined when absent. */
  attr(name: string): unknown {
    if (!(name in this.value)) return undefined;
    this.used.add(name);
    return this.ctx.resolve(this.value[name], { path: this.child(name), position: this.positionOf(name) });
  }

  /** Unlabeled blocks `type` (`env { ... }`), in order. */
  blocks(type: string): Body[] {
    const v = this.value[type];
    if (!Array.isArray(v)) return [];
    this.used.add(type);
    return v.filter(isObj).map((b, i) => new Body(this.ctx, b, [...this.keyPath, blockKey(type, [], i)], this.child(`${type}${v.length > 1 ? `[${i}]` : ''}`)));
  }

  /** The single unlabeled block `type`, refusing repeats. */
  block(type: string): Body | undefined {
    const all = this.blocks(type);
    for (const extra of all.slice(1)) this.ctx.refusals.push({ path: extra.path, position: extra.position(), message: `only one ${type} block is allowed here` });
    return all[0];
  }

  /** Labeled blocks `type "label" { ... }`, in order of labels then occurrence. */
  labeled(type: string): { label: string; body: Body }[] {
    const v = this.value[type];
    if (!isObj(v)) return [];
    this.used.add(type);
    const out: { label: string; body: Body }[] = [];
    for (const [label, list] of Object.entries(v)) {
      if (!Array.isArray(list)) continue;
      list.filter(isObj).forEach((b, i) => out.push({ label, body: new Body(this.ctx, b, [...this.keyPath, blockKey(type, [label], i)], this.child(`${type}.${label}`)) }));
    }
    // hcl2json's JSON groups labeled blocks in a map (Go sorts its keys): source order comes from the positions.
    const order = (x: { body: Body }) => { const p = x.body.position(); return p ? p.line * 1e6 + p.column : 0; };
    return out.sort((a, b) => order(a) - order(b));
  }

  /** An attribute map or an unlabeled block of string values (env, meta): both Nomad spellings. */
  stringMap(name: string): Record<string, string> | undefined {
    if (!this.has(name)) return undefined;
    const v = this.value[name];
    const source = Array.isArray(v) ? Object.assign({}, ...this.blocks(name).map((b) => b.all())) : this.attr(name);
    if (!isObj(source)) return this.refuse(name, 'must be a map of strings');
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(source)) out[k] = typeof val === 'string' ? val : JSON.stringify(val);
    return out;
  }

  /** Every attribute of this body, resolved (for free-form blocks such as env and driver config). */
  all(): Json {
    const out: Json = {};
    for (const k of Object.keys(this.value)) out[k] = this.attr(k);
    return out;
  }

  /** Refuse field `name` (present in the file) with `message`. */
  refuse(name: string, message: string): undefined {
    this.used.add(name);
    const v = this.value[name];
    const count = Array.isArray(v) && v.every(isObj) ? v.length : 0;
    const labeledBlock = isObj(v) && Object.values(v).every((x) => Array.isArray(x) && x.every(isObj));
    if (count > 0) {
      for (let i = 0; i < count; i++) {
        const position = this.ctx.positions.get([...this.keyPath, blockKey(name, [], i)].join('/')) ?? this.positionOf(name);
        this.ctx.refusals.push({ path: this.child(`${name}${count > 1 ? `[${i}]` : ''}`), position, message });
      }
    } else if (labeledBlock && Object.keys(v as Json).length > 0) {
      for (const label of Object.keys(v as Json)) {
        const position = this.ctx.positions.get([...this.keyPath, blockKey(name, [label], 0)].join('/')) ?? this.position();
        this.ctx.refusals.push({ path: this.child(`${name}.${label}`), position, message });
      }
    } else this.ctx.refusals.push({ path: this.child(name), position: this.positionOf(name), message });
    return undefined;
  }

  /** Refuse every field the mapping did not read. */
  finish(): void {
    for (const k of Object.keys(this.value)) if (!this.used.has(k)) this.refuse(k, 'Drover has no equivalent of this field');
  }
}
