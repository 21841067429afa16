// A set of field paths stored as a trie, the model behind Kubernetes' FieldsV1 (structured-merge-diff's
// fieldpath.Set). A path is a list of path elements, each spelled as in FieldsV1:
//   f:<field>        a field of an object            f:spec
//   k:<json object>  an item of an associative list  k:{"name":"web"}
//   v:<json value>   an item of a set list           v:"drover.dev/cleanup"
//   i:<index>        a list position (never produced, accepted when read)
// A node is a "member" when the path to it is in the set; FieldsV1 writes a member with children as `".": {}`.

/** One path element in FieldsV1 spelling. */
export type PathElement = string;
/** A field path: the elements from the object root down. */
export type FieldPath = readonly PathElement[];

/** `f:` element for an object field. */
export const fieldPE = (name: string): PathElement => `f:${name}`;
/** `k:` element for an associative-list item with these key fields. */
export const keyPE = (keys: Record<string, unknown>): PathElement =>
  `k:${JSON.stringify(Object.fromEntries(Object.keys(keys).sort().map((k) => [k, keys[k]])))}`;
/** `v:` element for a set-list item. */
export const valuePE = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

// structured-merge-diff's order: field names, then keys, then values, then indexes.
function comparePE(a: PathElement, b: PathElement): number {
  const ka = KIND_ORDER[a[0]] ?? 4;
  const kb = KIND_ORDER[b[0]] ?? 4;
  if (ka !== kb) return ka - kb;
  if (ka === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A set of field paths (immutable operations return new sets; insert mutates). */
export class FieldSet {
  private member = false;
  private readonly children = new Map<PathElement, FieldSet>();

  /** A set holding exactly these paths. */
  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Add `path` to the set. */
  insert(path: FieldPath): this {
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) node.children.set(pe, (next = new FieldSet()));
      node = next;
    }
    node.member = true;
    return this;
  }

  /** The subtree under one element (paths relative to it), if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(pe);
  }

  /** Elements that have a subtree below this node, in FieldsV1 order. */
  elements(): PathElement[] {
    return [...this.children.keys()].sort(comparePE);
  }

  /** Whether the empty path (this node itself) is in the set. */
  get isMember(): boolean {
    return this.member;
  }

  /** Whether `path` is in the set. */
  has(path: FieldPath): boolean {
    return this.at(path)?.member ?? false;
  }

  /** Whether `path` or any path below it is in the set. */
  hasAtOrBelow(path: FieldPath): boolean {
    const node = this.at(path);
    return node !== undefined && !node.isEmpty();
  }

  /** The subtree at `path`, if any. */
  at(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) node = node?.children.get(pe);
    return node;
  }

  /** True when no path is in the set. */
  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every path in the set, in FieldsV1 order (a member before its children). */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]) => {
      if (node.member) out.push(prefix);
      for (const pe of node.elements()) walk(node.children.get(pe)!, [...prefix, pe]);
    };
    walk(this, []);
    return out;
  }

  /** Paths in either set. */
  union(o: FieldSet): FieldSet {
    return FieldSet.combine(this, o, (a, b) => a || b, 'both');
  }

  /** Paths in both sets. */
  intersection(o: FieldSet): FieldSet {
    return FieldSet.combine(this, o, (a, b) => a && b, 'common');
  }

  /** Paths in this set and not in `o`. */
  difference(o: FieldSet): FieldSet {
    return FieldSet.combine(this, o, (a, b) => a && !b, 'left');
  }

  /** Whether both sets hold the same paths. */
  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  /** The FieldsV1 JSON form, e.g. `{"f:spec":{"f:priority":{}}}`. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pe of this.elements()) {
      const c = this.children.get(pe)!;
      if (c.isEmpty()) continue;
      const inner = c.toFieldsV1();
      out[pe] = c.member && Object.keys(inner).length > 0 ? { '.': {}, ...inner } : inner;
    }
    return out;
  }

  // Walk the elements `walk` selects from both tries, deciding membership with `op`.
  private static combine(a: FieldSet | undefined, b: FieldSet | undefined, op: (x: boolean, y: boolean) => boolean, walk: 'both' | 'common' | 'left'): FieldSet {
    const out = new FieldSet();
    out.member = op(a?.member ?? false, b?.member ?? false);
    const elements = walk === 'both' ? new Set([...(a?.children.keys() ?? []), ...(b?.children.keys() ?? [])]) : (a?.children.keys() ?? []);
    for (const pe of elements) {
      const ca = a?.children.get(pe);
      const cb = b?.children.get(pe);
      if (walk === 'common' && (!ca || !cb)) continue;
      const c = FieldSet.combine(ca, cb, op, walk);
      if (!c.isEmpty()) out.children.set(pe, c);
    }
    return out;
  }

  /** Read a FieldsV1 value; tolerant of junk (non-object values are skipped), since clients can send any. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return s;
    for (const [pe, inner] of Object.entries(v)) {
      if (pe === '.' || typeof inner !== 'object' || inner === null || Array.isArray(inner)) continue;
      const child = FieldSet.fromFieldsV1(inner);
      const keys = Object.keys(inner);
      // `{}` is a leaf member; `{".": {}, ...}` a member with children; otherwise only the children are members.
      if (keys.length === 0 || keys.includes('.')) child.member = true;
      if (!child.isEmpty()) s.children.set(pe, child);
    }
    return s;
  }
}

/** Human form of a path, as Kubernetes prints it in conflicts: `.spec.groups[name="web"].count`. */
export function pathToString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe.slice(0, 2)) {
        case 'f:':
          return `.${body}`;
        case 'k:':
          return `[${keyEntries(body)}]`;
        case 'v:':
          return `[=${body}]`;
        case 'i:':
          return `[${body}]`;
        default:
          return `.${pe}`;
      }
    })
    .join('');
}

/** Serialize a set as FieldsV1 JSON. */
export const toFieldsV1 = (s: FieldSet): Record<string, unknown> => s.toFieldsV1();
/** Parse FieldsV1 JSON into a set. */
export const fromFieldsV1 = (v: unknown): FieldSet => FieldSet.fromFieldsV1(v);

// `{"name":"web"}` → `name="web"`; an unreadable key (junk sent by a client) is shown as is.
function keyEntries(json: string): string {
  try {
    const keys = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  } catch {
    return json;
  }
}
