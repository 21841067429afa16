// Why placements failed, per group, worded as `drover plan` words them: nodes excluded by filter per
// constraint and class, resources exhausted, which dimension.
import { html } from 'htm/preact';
import type { VNode } from 'preact';

/** The lines explaining one group's failed placements. */
export function failureLines(m: Record<string, any>): string[] {
  const lines: string[] = [];
  if ((m.nodesEvaluated ?? 0) === 0) lines.push('No nodes were eligible for evaluation');
  for (const [dc, n] of Object.entries((m.nodesAvailable ?? {}) as Record<string, number>)) if (n === 0) lines.push(`No nodes are available in datacenter "${dc}"`);
  for (const [c, n] of Object.entries((m.classFiltered ?? {}) as Record<string, number>)) lines.push(`Class "${c}": ${n} nodes excluded by filter`);
  for (const [c, n] of Object.entries((m.constraintFiltered ?? {}) as Record<string, number>)) lines.push(`Constraint "${c}": ${n} nodes excluded by filter`);
  if (m.nodesExhausted) lines.push(`Resources exhausted on ${m.nodesExhausted} nodes`);
  for (const [c, n] of Object.entries((m.classExhausted ?? {}) as Record<string, number>)) lines.push(`Class "${c}" exhausted on ${n} nodes`);
  for (const [d, n] of Object.entries((m.dimensionExhausted ?? {}) as Record<string, number>)) lines.push(`Dimension "${d}" exhausted on ${n} nodes`);
  if (m.coalescedFailures) lines.push(`${m.coalescedFailures} more allocations failed the same way`);
  return lines;
}

/** Placement failures of every group. */
export function PlacementFailures(p: { failed: Record<string, Record<string, any>> }): VNode {
  return html`<div class="failures" data-testid="placement-failures">${Object.entries(p.failed).map(([g, m]) => html`<div><b>Task group "${g}" failed to place</b><ul>${failureLines(m).map((l) => html`<li>${l}</li>`)}</ul></div>`)}</div>` as VNode;
}
