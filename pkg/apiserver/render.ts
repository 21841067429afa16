// Rendering objects and lists in the negotiated form: the object itself, a Table, or PartialObjectMetadata.
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import type { OutputFormat } from './content.ts';
import { listOf } from './context.ts';
import { queryParam, type RawQuery } from './options.ts';
import { parseIncludeObject, partialObjectMetadata, toTable } from './table.ts';

/** List metadata as lists and Tables carry it. */
export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** One object in the requested form. */
export function renderObject(kind: KindInfo, obj: ApiObject, format: OutputFormat, q: RawQuery, nowMs: number): unknown {
  if (format.as === 'Table') return toTable(kind, [obj], { includeObject: parseIncludeObject(queryParam(q, 'includeObject')), nowMs, listMeta: { resourceVersion: obj.metadata.resourceVersion } });
  if (format.as === 'PartialObjectMetadata') return partialObjectMetadata(obj);
  return obj;
}

/** A list in the requested form. */
export function renderList(kind: KindInfo, items: ApiObject[], meta: ListMeta, format: OutputFormat, q: RawQuery, nowMs: number): unknown {
  if (format.as === 'Table') return toTable(kind, items, { includeObject: parseIncludeObject(queryParam(q, 'includeObject')), nowMs, listMeta: meta });
  if (format.as === 'PartialObjectMetadata') {
    return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta, items: items.map(partialObjectMetadata) };
  }
  return listOf(kind, items, meta as unknown as Record<string, unknown>);
}
