// Resource fit scores (Nomad's BestFit v3). Both use the node's free fraction of cpu and memory after placing
// the allocation: 10^freeCpu + 10^freeMem is 2 when full and 20 when empty. Bin-pack prefers full nodes
// (score 20 - total), spread prefers empty ones (total - 2). Both are bounded to [0, 18] and normalized by 18.
import type { Resources } from '../structs.ts';

/** The highest raw fit score. */
export const MAX_FIT_SCORE = 18;

/** Which fit score ranks nodes: pack allocations tightly, or spread them over nodes. */
export type FitAlgorithm = 'binpack' | 'spread';

function freeFractions(capacity: Resources, util: Resources): [number, number] {
  // A dimension the node does not have counts as full: never a reason to prefer that node.
  const cpu = capacity.cpu > 0 ? 1 - util.cpu / capacity.cpu : 0;
  const mem = capacity.memoryMB > 0 ? 1 - util.memoryMB / capacity.memoryMB : 0;
  return [cpu, mem];
}

function bound(score: number): number {
  return Math.min(MAX_FIT_SCORE, Math.max(0, score));
}

/** BestFit v3 bin-packing score in [0, 18]: higher when the node is fuller after placement. */
export function scoreFitBinPack(capacity: Resources, util: Resources): number {
  const [cpu, mem] = freeFractions(capacity, util);
  return bound(20 - (10 ** cpu + 10 ** mem));
}

/** The spread variant in [0, 18]: higher when the node is emptier after placement. */
export function scoreFitSpread(capacity: Resources, util: Resources): number {
  const [cpu, mem] = freeFractions(capacity, util);
  return bound(10 ** cpu + 10 ** mem - 2);
}

/** The fit score normalized to [0, 1], as the `binpack` entry of a node's scores. */
export function normalizedFit(algorithm: FitAlgorithm, capacity: Resources, util: Resources): number {
  const raw = algorithm === 'spread' ? scoreFitSpread(capacity, util) : scoreFitBinPack(capacity, util);
  return raw / MAX_FIT_SCORE;
}
