// Request bodies and response media types. Fastify's own parsers are removed: every body arrives as a raw
// Buffer and is decoded here, so nothing is coerced, stripped or defaulted before our validation sees it.
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { apiError, badRequest } from '../apierrors/status.ts';

/** The patch flavours Kubernetes defines, by Content-Type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** Content types accepted for create/update bodies. */
const OBJECT_TYPES = ['application/json', 'application/yaml'];

/** Install the raw-body parser on `app`: bodies are Buffers, limited by the server's bodyLimit. */
export function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

/** The bare media type of a Content-Type header (lowercase, no parameters). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The patch type for a PATCH request's Content-Type, or a 415. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = PATCH_TYPES[mediaType(contentType)];
  if (!t || mediaType(contentType) === 'application/apply-patch+cbor') throw unsupportedMedia(contentType, Object.keys(PATCH_TYPES).filter((k) => !k.endsWith('cbor')));
  return t;
}

/** Decode a create/update/delete body (JSON or YAML) into a JSON value. Empty body → undefined. */
export function decodeObjectBody(body: unknown, contentType: string | undefined): unknown {
  const text = bodyText(body);
  if (text.trim() === '') return undefined;
  const type = mediaType(contentType) || 'application/json';
  if (type === 'application/json') return parseJson(text);
  if (type === 'application/yaml') return parseYamlText(text);
  throw unsupportedMedia(contentType, OBJECT_TYPES);
}

/** Decode a PATCH body: JSON for json/merge/strategic patches, YAML (a superset of JSON) for apply. */
export function decodePatchBody(body: unknown, type: PatchType): unknown {
  const text = bodyText(body);
  if (text.trim() === '') throw badRequest('the patch body is empty');
  return type === 'apply' ? parseYamlText(text) : parseJson(text);
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  throw badRequest('unreadable request body');
}

/** JSON.parse with a 400 on malformed input and a refusal of `__proto__` keys. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding JSON body: ${(err as Error).message}`);
  }
  rejectProtoKeys(text, value);
  return value;
}

function parseYamlText(text: string): unknown {
  let value: unknown;
  try {
    // The core schema: no timestamps or binary, so YAML yields the same JSON types a JSON body would.
    // logLevel 'error': a client's odd YAML must not print process warnings into the server's JSON log.
    value = parseYaml(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 100, logLevel: 'error' });
  } catch (err) {
    throw badRequest(`error decoding YAML body: ${(err as Error).message}`);
  }
  rejectProtoKeys(text, value);
  return value;
}

/** Deepest nesting accepted in a body; real objects stay far below, and every later step recurses. */
export const MAX_DEPTH = 100;

// One iterative walk: `__proto__` is a legal JSON key but a prototype-pollution hazard for every merge below
// (no valid object has it), absurd nesting would overflow the recursive steps after decoding, and a number
// out of float range (JSON 1e400, YAML .inf/.nan) would pass validation and be stored as null.
// Integers past 2^53 are refused too: they arrive already rounded.
function rejectProtoKeys(text: string, value: unknown): void {
  const checkProto = text.includes('__proto__');
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) throw badRequest(`the request body holds a number that is not finite (${v})`);
    // Beyond 2^53 JSON.parse has already rounded the value: storing it would be a silent coercion.
    if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
      throw badRequest(`the request body holds an integer too large to represent exactly (${v})`);
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_DEPTH) throw badRequest(`the request body is nested deeper than ${MAX_DEPTH} levels`);
    if (checkProto && !Array.isArray(v) && Object.hasOwn(v, '__proto__')) throw badRequest('the key "__proto__" is not allowed');
    for (const x of Object.values(v)) if (typeof x === 'number' || (typeof x === 'object' && x !== null)) stack.push([x, depth + 1]);
  }
}

function unsupportedMedia(contentType: string | undefined, accepted: string[]) {
  return apiError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${mediaType(contentType) || 'none'}) - accepted media types include: ${accepted.join(', ')}`,
    {},
  );
}

/** Whether `accept` admits plain JSON: absent, or application/json, application/(any) or (any)/(any) among its ranges. */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  return accept.split(',').some((range) => ['application/json', 'application/*', '*/*'].includes(range.split(';')[0]!.trim().toLowerCase()));
}

/** How a response should be rendered, from the Accept header. */
export type OutputFormat = { as: 'Object' } | { as: 'Table' } | { as: 'PartialObjectMetadata' };

/**
 * Pick the first media range of `accept` we can serve, in the client's order (as apiserver does).
 * Table and PartialObjectMetadata(List) are the meta.k8s.io transformations kubectl and client-go ask for.
 */
export function negotiateOutput(accept: string | undefined): OutputFormat {
  if (!accept || accept.trim() === '') return { as: 'Object' };
  for (const range of accept.split(',')) {
    const [typePart, ...paramParts] = range.split(';');
    const type = typePart!.trim().toLowerCase();
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const params = new Map(
      paramParts.map((p) => {
        const [k, v = ''] = p.split('=');
        return [k!.trim().toLowerCase(), v.trim().replace(/^"|"$/g, '')] as const;
      }),
    );
    const as = params.get('as');
    if (!as) return { as: 'Object' };
    const metaGroup = params.get('g') === 'meta.k8s.io' && (params.get('v') === 'v1' || params.get('v') === 'v1beta1');
    if (!metaGroup) continue;
    if (as === 'Table') return { as: 'Table' };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as: 'PartialObjectMetadata' };
  }
  throw apiError('NotAcceptable', 'only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', {});
}
