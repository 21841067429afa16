// What changed between two versions of a job's spec, as leaf paths (`groups[0].tasks[0].env.VERSION`) with the
// old and new JSON values. No DOM here: tested in pkg/dashboard/ui-logic.test.ts. Empty objects and arrays are
// leaves of their own, so `{}` → `[]` or `{}` → absent is a change too.

/** One changed leaf; `old` or `new` is absent when the path exists on one side only. */
export interface SpecChange {
  path: string;
  old?: string;
  new?: string;
}

/** Every leaf of a JSON value by path, its value as JSON text. */
export function flatten(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      flatten(v, path ? `${path}.${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}` : (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)), out);
    }
  } else {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** The changed leaves from `a` to `b`, sorted by path. */
export function specDiff(a: unknown, b: unknown): SpecChange[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: SpecChange[] = [];
  for (const [path, v] of fa) if (fb.get(path) !== v) out.push({ path, old: v, new: fb.get(path) });
  for (const [path, v] of fb) if (!fa.has(path)) out.push({ path, new: v });
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
