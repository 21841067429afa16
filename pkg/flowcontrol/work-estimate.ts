// How many seats a request takes (Kubernetes' work estimator, simplified): one, except a LIST, which takes one
// per OBJECTS_PER_SEAT objects it may return (the collection's size, or its `limit` if smaller). On one event
// loop a list of thousands of objects costs what hundreds of small requests do, and every byte of it is encoded
// on the thread that also serves the heartbeats; counting it as one seat would let a level run dozens at once.
// kube-apiserver caps a request at 10 seats because it encodes lists on many cores in parallel; here the only
// cap is the level's seats (fair-queue.ts), so a level runs as many big lists at once as its seats pay for.
import type { RequestDescriptor } from './classify.ts';

/** Objects one seat pays for. */
export const OBJECTS_PER_SEAT = 100;

/** Seats for `d`, given how many objects its collection holds now and the list's `limit` (0/undefined = none). */
export function requestWidth(d: Pick<RequestDescriptor, 'verb'>, objects: number, limit?: number): number {
  if (d.verb !== 'list') return 1;
  const n = limit && limit > 0 ? Math.min(limit, objects) : objects;
  return Math.max(1, Math.ceil(n / OBJECTS_PER_SEAT));
}
