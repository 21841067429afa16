// Event resourceVersions: one store revision can hold several objects of a kind (a plan commit, a batch of stops),
// so a revision alone cannot say "resume after this event". The last event of a revision under the kind's prefix
// carries the revision itself ("49"); the n-1 events before it carry ordered decimals strictly between the
// previous revision and this one ("48.1", "48.2"). Everything else (objects read by GET or LIST, list and
// bookmark resourceVersions, CAS) stays on whole revisions. See docs/api.md "Resource versions". The predicates on
// resourceVersions (mapping a position back to its revision) are shared with clients: api/schemas/resource-version.ts.

export { isInsideRevision, isResourceVersion, revisionOf, rvPosition, sameObjectVersion } from '../../../api/schemas/resource-version.ts';

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
