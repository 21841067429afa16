// Event resourceVersions: one store revision can hold several objects of a kind (a plan commit, a batch of stops),
// so a revision alone cannot say "resume after this event". The last event of a revision under the kind's prefix
// carries the revision itself ("49"); the n-1 events before it carry ordered decimals strictly between the
// previous revision and this one ("48.1", "48.2"). Everything else (objects read by GET or LIST, list and
// bookmark resourceVersions, CAS) stays on whole revisions. See docs/api.md "Resource versions".

/** A resourceVersion a client may send back: a whole revision, or an event's in-revision position. */
const RV_TEXT = /^\d+(\.\d+)?$/;

/**
 * The resourceVersion of the `j`-th (0-based) of the `n` events revision `rev` has under a prefix. All positions of
 * one revision share one width of digits, so their numeric order is their order in the revision. As doubles they
 * are exact while rev × 10^digits < 2^53: a transaction holds at most 128 ops (three digits), so revisions up to
 * 9 × 10^12; a relist's synthetic deletions can need more digits (five for 100,000 objects: revisions up to 9 × 10^10).
 */
export function eventRv(rev: number, j: number, n: number): string {
  if (j >= n - 1) return String(rev);
  const width = String(n - 1).length;
  return `${rev - 1}.${String(j + 1).padStart(width, '0')}`;
}

/**
 * The resourceVersion of every event of `events` (whole revisions, in store order, as a store watch batch
 * delivers them): events of one revision are numbered in the order they come.
 */
export function eventRvs(events: ReadonlyArray<{ rev: number }>): string[] {
  const out: string[] = new Array(events.length);
  for (let i = 0; i < events.length; ) {
    let end = i + 1;
    while (end < events.length && events[end].rev === events[i].rev) end++;
    for (let j = i; j < end; j++) out[j] = eventRv(events[i].rev, j - i, end - i);
    i = end;
  }
  return out;
}

/** True when `v` is a well-formed resourceVersion (a revision or an event position). */
export function isResourceVersion(v: string): boolean {
  return RV_TEXT.test(v);
}

/** The position a resourceVersion names, as a number ordered with every other (a revision is itself). */
export function rvPosition(v: string): number {
  return Number(v);
}

/** The store revision that holds the object version `v` names: an event position belongs to the next revision. */
export function revisionOf(v: string | number): number {
  return Math.ceil(typeof v === 'number' ? v : Number(v));
}

/** True when `v` is an event position inside a revision (not a whole revision). */
export function isInsideRevision(pos: number): boolean {
  return !Number.isInteger(pos);
}

/**
 * Whether a resourceVersion a client sent as a precondition names the object version `current` carries: both
 * name the same store revision (an event's position maps back to its revision). Malformed text never matches.
 */
export function sameObjectVersion(given: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  if (given === current) return true;
  return isResourceVersion(given) && isResourceVersion(current) && revisionOf(given) === revisionOf(current);
}
