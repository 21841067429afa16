// meta.k8s.io/v1 Table output (what `kubectl get` asks for), following the CRD table convertor: Name first,
// the kind's printer columns, Age last; dates rendered as human durations; rows carry PartialObjectMetadata
// (or the full object with includeObject=Object).
import type { ApiObject, KindInfo, PrinterColumn } from '../../api/schemas/kind.ts';
import { badRequest } from '../apierrors/status.ts';

/** What each row's `object` holds (the `includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A Table column definition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** A meta.k8s.io/v1 Table. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: Array<{ cells: unknown[]; object?: unknown }>;
}

/** Parse `includeObject` (default Metadata). */
export function parseIncludeObject(v: string | undefined): IncludeObject {
  if (v === undefined || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`);
}

/** The column definitions of `kind`'s table. */
export function tableColumns(kind: KindInfo): TableColumn[] {
  const name: TableColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
  const age: TableColumn = { name: 'Age', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 };
  const custom = kind.printerColumns
    .filter((c) => !(c.name === 'Age' && c.jsonPath === '.metadata.creationTimestamp'))
    .map((c) => ({ name: c.name, type: c.type === 'date' ? 'date' : c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0 }));
  return [name, ...custom, age];
}

/** Build a Table of `items`. `withColumns` false omits column definitions (later watch events). */
export function toTable(
  kind: KindInfo,
  items: ApiObject[],
  opts: { includeObject: IncludeObject; nowMs: number; listMeta?: Table['metadata']; withColumns?: boolean },
): Table {
  const custom = kind.printerColumns.filter((c) => !(c.name === 'Age' && c.jsonPath === '.metadata.creationTimestamp'));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.withColumns === false ? [] : tableColumns(kind),
    rows: items.map((obj) => {
      const cells: unknown[] = [obj.metadata.name];
      for (const c of custom) cells.push(cellFor(c, obj, opts.nowMs));
      cells.push(dateCell(obj.metadata.creationTimestamp, opts.nowMs));
      const row: { cells: unknown[]; object?: unknown } = { cells };
      if (opts.includeObject === 'Object') row.object = obj;
      else if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(obj);
      return row;
    }),
  };
}

/** The PartialObjectMetadata form of an object (its metadata only). */
export function partialObjectMetadata(obj: ApiObject): { kind: 'PartialObjectMetadata'; apiVersion: 'meta.k8s.io/v1'; metadata: ApiObject['metadata'] } {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function cellFor(c: PrinterColumn, obj: ApiObject, nowMs: number): unknown {
  const values = evalJsonPath(obj, c.jsonPath);
  if (c.count) {
    const v = values[0];
    return v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
  }
  if (values.length === 0) return null;
  if (values.length > 1) return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
  const v = values[0];
  if (c.type === 'date') return typeof v === 'string' ? dateCell(v, nowMs) : null;
  if ((c.type === 'integer' || c.type === 'number') && typeof v !== 'number') return null;
  if (c.type === 'boolean' && typeof v !== 'boolean') return null;
  if (c.type === 'string') return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return v;
}

function dateCell(ts: string | undefined, nowMs: number): string {
  if (!ts) return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<invalid>' : humanDuration(nowMs - t);
}

/**
 * Evaluate a simple JSONPath (`.a.b`, `.a[*].b`, `.a[0]`, optionally wrapped in `{}`) against `obj`;
 * returns every matched value (missing paths match nothing).
 */
export function evalJsonPath(obj: unknown, path: string): unknown[] {
  const p = path.trim().replace(/^\{(.*)\}$/, '$1');
  const tokens = p.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let cur: unknown[] = [obj];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if (t.startsWith('.')) {
        const key = t.slice(1);
        if (Object.hasOwn(v, key)) next.push((v as Record<string, unknown>)[key]);
      } else if (t === '[*]') {
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else {
        const inner = t.slice(1, -1).replace(/^['"]|['"]$/g, '');
        const idx = Number(inner);
        if (Array.isArray(v) && Number.isInteger(idx)) {
          const at = v[idx < 0 ? v.length + idx : idx];
          if (at !== undefined) next.push(at);
        } else if (!Array.isArray(v) && Object.hasOwn(v, inner)) next.push((v as Record<string, unknown>)[inner]);
      }
    }
    cur = next;
  }
  return cur.filter((v) => v !== undefined);
}

/** apimachinery's duration.HumanDuration: "45s", "5m3s", "3h20m", "2d4h", "1y30d". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${days / 365}y` : `${Math.trunc(days / 365)}y${days % 365}d`;
  return `${Math.trunc(days / 365)}y`;
}
