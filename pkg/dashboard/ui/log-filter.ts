// The log view's filter (no DOM here: tested in pkg/dashboard/ui-logic.test.ts): `/re/` is a case-insensitive
// regular expression, anything else a case-insensitive substring; an invalid expression matches nothing.

/** The predicate for `text`, or undefined when every line is kept. */
export function lineFilter(text: string): ((line: string) => boolean) | undefined {
  if (!text) return undefined;
  const m = /^\/(.+)\/$/.exec(text);
  if (m) {
    let re: RegExp;
    try {
      re = new RegExp(m[1]!, 'i');
    } catch {
      return () => false;
    }
    return (l) => re.test(l);
  }
  const needle = text.toLowerCase();
  return (l) => l.toLowerCase().includes(needle);
}

/** `line` cut into [text, matched] pieces by the filter `text`, for highlighting (one piece when nothing matches). */
export function highlight(line: string, text: string): Array<[string, boolean]> {
  if (!text) return [[line, false]];
  const m = /^\/(.+)\/$/.exec(text);
  let re: RegExp;
  try {
    re = new RegExp(m ? m[1]! : text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  } catch {
    return [[line, false]];
  }
  const out: Array<[string, boolean]> = [];
  let at = 0;
  for (const hit of line.matchAll(re)) {
    if (hit[0] === '') continue; // an empty match marks nothing
    if (hit.index! > at) out.push([line.slice(at, hit.index), false]);
    out.push([hit[0], true]);
    at = hit.index! + hit[0].length;
  }
  if (at < line.length || out.length === 0) out.push([line.slice(at), false]);
  return out;
}
