// How many seats a request takes (Kubernetes' work estimator, simplified): one, except a LIST, which takes one
// per OBJECTS_PER_SEAT objects it may return (the collection's size, or its `limit` if smaller), up to MAX_WIDTH.
// On one event loop a list of thousands of objects costs what hundreds of small requests do; counting it as one
// seat would let a level run dozens of them at once.
import type { RequestDescriptor } from './classify.ts';

/** Objects one seat pays for. */
export const OBJECTS_PER_SEAT = 100;
/** The most seats one request takes (capped again by its level's seats). */
export const MAX_WIDTH = 10;

/** Seats for `d`, given how many objects its collection holds now and the list's `limit` (0/undefined = none). */
export function requestWidth(d: Pick<RequestDescriptor, 'verb'>, objects: number, limit?: number): number {
  if (d.verb !== 'list') return 1;
  const n = limit && limit > 0 ? Math.min(limit, objects) : objects;
  return Math.max(1, Math.min(MAX_WIDTH, Math.ceil(n / OBJECTS_PER_SEAT)));
}
