// A JSON object of a Marathon file that records which fields were read and where each sits (via the yaml
// package's source ranges: JSON is YAML), so unread fields are refused with their line and column.
import { isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import type { Position, Refusal } from '../refusal.ts';

/** A Marathon JSON object with read tracking. */
export class Fields {
  private readonly used = new Set<string>();

  constructor(
    readonly value: Record<string, unknown>,
    private readonly node: Node | undefined,
    readonly path: string,
    private readonly file: { lineStarts: number[]; refusals: Refusal[] },
  ) {}

  /** Parse a file into its root object. */
  static parse(text: string, refusals: Refusal[]): { root: Fields | undefined; doc: Document } {
    const doc = parseDocument(text);
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const value = doc.toJS() as unknown;
    const ok = typeof value === 'object' && value !== null && !Array.isArray(value);
    return { root: ok ? new Fields(value as Record<string, unknown>, doc.contents ?? undefined, '', { lineStarts, refusals }) : undefined, doc };
  }

  /** Field `name` (marked read). */
  get(name: string): unknown {
    this.used.add(name);
    return this.value[name];
  }

  /** Field `name` as an object, or undefined. */
  obj(name: string): Fields | undefined {
    const v = this.get(name);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return new Fields(v as Record<string, unknown>, this.nodeOf(name), this.child(name), this.file);
  }

  /** Field `name` as a list of objects. */
  list(name: string): Fields[] {
    const v = this.get(name);
    if (!Array.isArray(v)) return [];
    const seq = this.nodeOf(name) as { items?: Node[] } | undefined;
    return v.map((x, i) => new Fields((x ?? {}) as Record<string, unknown>, seq?.items?.[i], `${this.child(name)}[${i}]`, this.file));
  }

  child(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  /** Where field `name` (its key) starts. */
  positionOf(name?: string): Position | undefined {
    const n = name === undefined ? this.node : this.keyNode(name);
    const offset = n?.range?.[0];
    if (offset === undefined) return undefined;
    let line = 0;
    while (line + 1 < this.file.lineStarts.length && this.file.lineStarts[line + 1]! <= offset) line++;
    return { line: line + 1, column: offset - this.file.lineStarts[line]! + 1 };
  }

  /** Refuse field `name`. */
  refuse(name: string, message: string): void {
    this.used.add(name);
    this.file.refusals.push({ path: this.child(name), position: this.positionOf(name), message });
  }

  /** Refuse every unread field. */
  finish(): void {
    for (const k of Object.keys(this.value)) if (!this.used.has(k)) this.refuse(k, 'Drover has no equivalent of this Marathon field');
  }

  private pair(name: string) {
    if (!isMap(this.node)) return undefined;
    return this.node.items.find((p) => isScalar(p.key) && p.key.value === name);
  }

  private keyNode(name: string): Node | undefined {
    return (this.pair(name)?.key as Node | undefined) ?? this.node;
  }

  private nodeOf(name: string): Node | undefined {
    return (this.pair(name)?.value as Node | undefined) ?? undefined;
  }
}
