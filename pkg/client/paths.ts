// URL paths and query strings of the REST API (drover.dev/v1 and the core group's /api/v1), kept apart from
// the transport so they are testable.
import { apiPrefixOf, type KindInfo } from '../../api/schemas/kind.ts';

/** Where an object or collection lives: `/apis/drover.dev/v1/[namespaces/{ns}/]{plural}[/{name}[/{sub}]]` (`/api/v1/…` for core kinds). */
export interface ResourceLocation {
  kind: Pick<KindInfo, 'plural' | 'namespaced' | 'kind' | 'group'>;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The path of a collection (no name) or of one object. A namespaced kind without namespace = all namespaces. */
export function resourcePath(loc: ResourceLocation): string {
  let path = apiPrefixOf(loc.kind);
  if (loc.kind.namespaced && loc.namespace) path += `/namespaces/${encodeURIComponent(loc.namespace)}`;
  path += `/${loc.kind.plural}`;
  if (loc.name !== undefined) path += `/${encodeURIComponent(loc.name)}`;
  if (loc.subresource) {
    if (loc.name === undefined) throw new TypeError('a subresource needs an object name');
    path += `/${loc.subresource}`;
  }
  return path;
}

/** Query values; undefined and empty-string entries are dropped. */
export type Query = Record<string, string | number | boolean | undefined>;

/** `?a=1&b=x` from `query` (empty when nothing is set). */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
