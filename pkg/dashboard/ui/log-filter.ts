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
