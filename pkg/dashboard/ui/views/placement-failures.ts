// Why placements failed, per group, in the words `drover plan` uses (pkg/scheduler's explainMetric).
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { explainMetric, type AllocMetric } from '../../../scheduler/metrics.ts';

/** Placement failures of every group; `queued` gives how many allocations each could not place. */
export function PlacementFailures(p: { failed: Record<string, Partial<AllocMetric>>; queued?: Record<string, number> }): VNode {
  return html`<div class="failures" data-testid="placement-failures">${Object.entries(p.failed).map(([g, m]) => {
    const n = p.queued?.[g] ?? (m.coalescedFailures ?? 0) + 1;
    return html`<div><b>Task group "${g}" failed to place ${n} allocation${n === 1 ? '' : 's'}</b><ul>${explainMetric(m).map((l) => html`<li>${l}</li>`)}</ul></div>`;
  })}</div>` as VNode;
}
