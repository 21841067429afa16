// `drover describe eval NAME`: an evaluation told the way `nomad eval status` tells it — what triggered it, its
// phase and claim, what it left queued, and for each group that could not be placed why: nodes excluded by
// which class or constraint, exhausted on which class and dimension. A blocked evaluation says what will
// unblock it.
import type { AllocMetric, Evaluation } from '../../../api/schemas/index.ts';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { age } from '../table.ts';

type Pair = [string, string | undefined];

/** The describe text of an Evaluation (events are appended by describe). */
export function describeEvaluation(obj: ApiObject, now: number): string {
  const e = obj as Evaluation;
  const s = e.status ?? {};
  const m = e.metadata;
  const job = e.spec.jobVersion === undefined ? e.spec.jobName : `${e.spec.jobName} (version ${e.spec.jobVersion})`;
  const claim = s.claimedBy ? `${s.claimedBy}${s.claimExpiresAt ? ` (until ${s.claimExpiresAt})` : ''}` : undefined;
  const head: Pair[] = [
    ['Name:', m.name], ['Namespace:', m.namespace], ['Job:', job], ['Type:', e.spec.type], ['Priority:', e.spec.priority?.toString()],
    ['Triggered By:', e.spec.triggeredBy], ['Node:', e.spec.nodeName], ['Status:', s.phase ?? 'pending'], ['Status Description:', s.statusDescription],
    ['Wait Until:', e.spec.waitUntil], ['Claimed By:', claim], ['Deliveries:', String(s.deliveries ?? 0)], ['Previous Eval:', e.spec.previousEval],
    ['Next Eval:', s.nextEval], ['Blocked Eval:', s.blockedEval], ['Snapshot Revision:', s.snapshotRevision],
    ['Created:', m.creationTimestamp && `${m.creationTimestamp} (${age(m.creationTimestamp, now)} ago)`],
  ];
  const lines = align(head.filter(([k, v]) => v !== undefined || ['Node:', 'Previous Eval:', 'Next Eval:', 'Blocked Eval:'].includes(k)));
  lines.push(...desiredChanges(s.annotations), ...queued(s.queuedAllocations), ...failedPlacements(s.failedTGAllocs ?? {}, s.queuedAllocations ?? {}));
  if (s.phase === 'blocked') lines.push(...blockedReason(e));
  return lines.join('\n') + '\n';
}

function align(pairs: Pair[]): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `${k.padEnd(width)}${v ?? '<none>'}`);
}

/** The plan's desired changes per group (`desiredChanges.<group>` annotations), non-zero counts only. */
function desiredChanges(annotations: Record<string, string> | undefined): string[] {
  const rows: string[] = [];
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!key.startsWith('desiredChanges.')) continue;
    let counts: Record<string, number>;
    try {
      counts = JSON.parse(value);
    } catch {
      continue;
    }
    const parts = Object.entries(counts).filter(([, n]) => typeof n === 'number' && n > 0).map(([k, n]) => `${n} ${k}`);
    rows.push(`  ${key.slice('desiredChanges.'.length)}: ${parts.length ? parts.join(', ') : 'no changes'}`);
  }
  return rows.length ? ['', 'Desired Changes:', ...rows] : [];
}

function queued(q: Record<string, number> | undefined): string[] {
  const rows = Object.entries(q ?? {}).filter(([, n]) => n > 0).map(([g, n]) => `  ${g}: ${n} unplaced`);
  return rows.length ? ['', 'Queued Allocations:', ...rows] : [];
}

/** Nomad's "Failed Placements" block, one paragraph per group. */
export function failedPlacements(failed: Record<string, AllocMetric>, queuedAllocs: Record<string, number>): string[] {
  const groups = Object.entries(failed);
  if (groups.length === 0) return [];
  const out = ['', 'Failed Placements:'];
  for (const [group, metric] of groups) {
    const count = queuedAllocs[group] ?? 1 + (metric.coalescedFailures ?? 0);
    out.push(`  Task Group "${group}" (failed to place ${count} allocation${count === 1 ? '' : 's'}):`);
    out.push(...metricLines(metric).map((l) => `    ${l}`));
  }
  return out;
}

/** The reasons of one group's metric, as bullet lines and a summary line. */
export function metricLines(m: AllocMetric): string[] {
  const lines: string[] = [];
  const each = (map: Record<string, number> | undefined, fmt: (k: string, n: number) => string) => {
    for (const [k, n] of Object.entries(map ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`* ${fmt(k, n)}`);
  };
  const nodes = (n: number) => `${n} node${n === 1 ? '' : 's'}`;
  each(m.classFiltered, (k, n) => `Class "${k}": ${nodes(n)} excluded by filter`);
  each(m.constraintFiltered, (k, n) => `Constraint "${k}": ${nodes(n)} excluded by filter`);
  if (m.nodesExhausted) lines.push(`* Resources exhausted on ${nodes(m.nodesExhausted)}`);
  each(m.classExhausted, (k, n) => `Class "${k}" exhausted on ${nodes(n)}`);
  each(m.dimensionExhausted, (k, n) => `Dimension "${k}" exhausted on ${nodes(n)}`);
  for (const q of m.quotaExhausted ?? []) lines.push(`* Quota limit hit "${q}"`);
  if ((m.nodesEvaluated ?? 0) === 0) lines.push('* No nodes were eligible for evaluation');
  const available = Object.entries(m.nodesAvailable ?? {}).map(([dc, n]) => `${dc}=${n}`).join(', ');
  lines.push(`Nodes evaluated: ${m.nodesEvaluated ?? 0}, filtered: ${m.nodesFiltered ?? 0}, exhausted: ${m.nodesExhausted ?? 0}${available ? ` (available: ${available})` : ''}`);
  return lines;
}

/** What a blocked evaluation waits for. */
function blockedReason(e: Evaluation): string[] {
  const elig = Object.values(e.status?.classEligibility ?? {});
  const yes = elig.filter(Boolean).length;
  const no = elig.length - yes;
  const classes = e.status?.escapedComputedClass
    ? 'its constraints use per-node attributes, so any node may qualify'
    : `node classes seen: ${yes} eligible, ${no} ineligible; a node of an ineligible class does not unblock it`;
  return ['', 'Blocked:', '  Waiting for capacity: a node joining, an allocation freeing resources, or a node becoming eligible', `  unblocks it when that node could fit a failed group (${classes}).`];
}
