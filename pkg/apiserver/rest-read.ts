// GET of one object and of collections, served from the watch cache (never the store) after read-your-writes.
import type { KindInfo } from '../../api/schemas/kind.ts';
import { expired, isGone, notFound } from '../apierrors/status.ts';
import { keyPrefix, objectKey } from './codec.ts';
import { negotiateOutput } from './content.ts';
import { header, type RestRequest, type RestResponse, type ServerContext } from './context.ts';
import { encodeContinue, parsePaging, parseSelectors, type ListPaging, type ObjectFilter } from './list-options.ts';
import { renderList, renderObject, type ListMeta } from './render.ts';
import type { CacheListResult } from './watchcache/types.ts';
import { targetOf } from './write.ts';

/** The message of a 410 for a continue token whose snapshot was compacted (Kubernetes' wording). */
export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.';

/** GET one object. */
export async function getObject(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { kind, namespace, name } = req.info;
  const format = negotiateOutput(header(req, 'accept'));
  const obj = await ctx.caches.get(kind, objectKey(kind, namespace, name!));
  if (!obj) throw notFound(targetOf(kind, name));
  return { code: 200, body: renderObject(kind, obj, format, req.query, ctx.clock.now()) };
}

/** GET a collection (one namespace, or all namespaces for namespaced kinds). */
export async function listObjects(ctx: ServerContext, req: RestRequest): Promise<RestResponse> {
  const { kind, namespace } = req.info;
  const format = negotiateOutput(header(req, 'accept'));
  const filter = parseSelectors(kind, req.query);
  const prefix = keyPrefix(kind, namespace);
  const page = await readPage(ctx, kind, parsePaging(req.query), prefix, filter);
  return { code: 200, body: renderList(kind, page.items, listMeta(page, prefix, !!filter), format, req.query, ctx.clock.now()) };
}

/** The list metadata of a page: its revision, a continue token when more follows, the remaining count. */
export function listMeta(page: CacheListResult, prefix: string, filtered: boolean): ListMeta {
  const meta: ListMeta = { resourceVersion: String(page.rv) };
  if (page.nextKey !== undefined) {
    meta.continue = encodeContinue(page.rv, page.nextKey.slice(prefix.length));
    // Like Kubernetes, the count is only given when it is exact: without selectors.
    if (!filtered && page.remaining !== undefined) meta.remainingItemCount = page.remaining;
  }
  return meta;
}

/** Read the page a list asks for, honouring continue, resourceVersion and resourceVersionMatch. */
export async function readPage(ctx: ServerContext, kind: KindInfo, p: ListPaging, prefix: string, filter: ObjectFilter | undefined): Promise<CacheListResult> {
  const opts = { prefix, filter, limit: p.limit };
  if (p.continueToken) {
    const { rv, start } = p.continueToken;
    const continueKey = prefix + start;
    if (rv === -1) return ctx.caches.list(kind, { ...opts, continueKey });
    try {
      return await ctx.caches.listAt(kind, rv, { ...opts, continueKey });
    } catch (err) {
      if (!isGone(err)) throw err;
      const e = expired(CONTINUE_EXPIRED_MESSAGE);
      // The token in the 410 continues from the same key at the latest revision (an inconsistent list).
      e.status.metadata = { continue: encodeContinue(-1, start) };
      throw e;
    }
  }
  if (p.match === 'Exact') return ctx.caches.listAt(kind, p.resourceVersion!, opts);
  // resourceVersion "0": any state will do, no need to wait for our own writes.
  if (p.resourceVersion === 0) return ctx.caches.of(kind).list(opts);
  return ctx.caches.list(kind, opts, p.resourceVersion ?? 0);
}
