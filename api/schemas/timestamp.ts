// How Drover writes times into objects, as Kubernetes serializes them: metav1.Time (metadata timestamps,
// conditions, Events, a node's drain start) at whole seconds, and metav1.MicroTime (Lease acquire and renew
// times) with six fractional digits. Both are RFC 3339 in UTC and match the schemas' `date-time` format.

/** RFC 3339 at whole seconds (metav1.Time): `2025-06-01T00:00:00Z`. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 with microseconds (metav1.MicroTime): `2025-06-01T00:00:00.123000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
