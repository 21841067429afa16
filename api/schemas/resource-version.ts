// resourceVersions as Drover's API server issues them (docs/api.md "Resource versions"): a store revision ("49"),
// or a watch event's position inside a revision ("48.1": the first of several objects written at revision 49).
// Shared by the server (preconditions, list and watch parameters) and clients (comparing object versions).

/** A resourceVersion a client may send back: a whole revision, or an event's in-revision position. */
// No leading zeros: "03" is not the "3" the server issued (and must not pass a precondition as it).
const RV_TEXT = /^(0|[1-9]\d*)(\.\d+)?$/;

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
