// Table output for `drover get`: the same cells the API server puts in a meta.k8s.io Table for kubectl (NAME,
// the kind's printer columns, AGE), with NAMESPACE first across namespaces and priority columns only when wide.
// Columns are aligned like kubectl's tabwriter (left-aligned, three spaces apart, last column unpadded).
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { humanDuration, tableColumns, toTable } from '../../pkg/apiserver/table.ts';

/** How to build table rows for one kind. */
export interface TableSpec {
  kind: KindInfo;
  /** Add a NAMESPACE column first (`-A`). */
  withNamespace: boolean;
  /** Include priority > 0 columns (`-o wide`). */
  wide: boolean;
  /** Current time in ms, for AGE and date columns. */
  now: number;
}

/** The header cells of a table. */
export function tableHeader(spec: TableSpec): string[] {
  const names = tableColumns(spec.kind).filter((c) => spec.wide || c.priority === 0).map((c) => c.name.toUpperCase());
  return spec.withNamespace ? ['NAMESPACE', ...names] : names;
}

/** The cells of one object's row. */
export function tableRow(spec: TableSpec, obj: ApiObject): string[] {
  const shown = tableColumns(spec.kind).map((c) => spec.wide || c.priority === 0);
  const cells = toTable(spec.kind, [obj], { includeObject: 'None', nowMs: spec.now }).rows[0]!.cells;
  const row = cells.filter((_, i) => shown[i]).map(cellText);
  return spec.withNamespace ? [obj.metadata.namespace ?? '', ...row] : row;
}

/** Column widths fitting every row. */
export function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return widths;
}

/** One aligned line (no trailing newline). */
export function formatRow(row: string[], widths: number[]): string {
  return row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? c.length))).join('   ');
}

/** Aligned lines for a header and rows. */
export function formatTable(rows: string[][]): string[] {
  const widths = columnWidths(rows);
  return rows.map((r) => formatRow(r, widths));
}

/** The age of an RFC 3339 timestamp at `now` (ms), as kubectl prints it, or `<unknown>`. */
export function age(timestamp: string | undefined, now: number): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

// kubectl prints absent cells as <none>.
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
