// OpenAPI v2 (Swagger 2.0) in JSON, served at `/openapi/v2` for clients that still read it (Argo CD's cluster
// cache, older kubectl and client libraries). It is derived from the OpenAPI v3 documents of every group
// (openapi.ts), so both versions come from the same TypeBox schemas: one `definitions` entry per component,
// and each v3 operation rewritten in v2's form (typed parameters, a `body` parameter, response schemas).
import { GROUP } from './schemas/kind.ts';
import type { KindInfo } from './schemas/kind.ts';
import { kinds as allKinds } from './schemas/index.ts';
import { buildOpenApiV3 } from './openapi.ts';

type Json = Record<string, unknown>;

const V3_REF = '#/components/schemas/';

/** Rewrites every `$ref` from v3's components to v2's definitions, and drops the keywords v2 lacks. */
function toV2Schema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toV2Schema);
  if (v === null || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, val] of Object.entries(v as Json)) {
    if (k === '$ref' && typeof val === 'string' && val.startsWith(V3_REF)) out[k] = `#/definitions/${val.slice(V3_REF.length)}`;
    else if (k === 'nullable') continue;
    else out[k] = toV2Schema(val);
  }
  return out;
}

/** A v3 parameter (`schema: {type}`) in v2's form (`type` beside `name`). */
function toV2Parameter(p: Json): Json {
  const { schema, ...rest } = p as Json & { schema?: Json };
  return { ...rest, ...(schema ?? {}) };
}

/** A v3 operation in v2's form. */
function toV2Operation(op: Json): Json {
  const { requestBody, responses, parameters, ...rest } = op as Json & { requestBody?: Json; responses: Record<string, Json>; parameters?: Json[] };
  const params = (parameters ?? []).map(toV2Parameter);
  const out: Json = { ...rest, schemes: ['https'] };
  if (requestBody) {
    const contentTypes = Object.keys(requestBody.content as Json);
    const first = (requestBody.content as Record<string, Json>)[contentTypes[0]!]!;
    params.push({ name: 'body', in: 'body', required: requestBody.required === true, schema: toV2Schema(first.schema) });
    out.consumes = contentTypes;
  }
  out.parameters = params;
  out.produces = ['application/json', 'application/yaml'];
  out.responses = Object.fromEntries(Object.entries(responses).map(([code, r]) => {
    const schema = (r.content as Record<string, Json> | undefined)?.['application/json']?.schema;
    return [code, schema ? { description: r.description, schema: toV2Schema(schema) } : { description: r.description }];
  }));
  return out;
}

/** The Swagger 2.0 document of every group served. */
export function buildSwaggerV2(kinds: KindInfo[] = allKinds): Json {
  const groupVersions = new Map(kinds.map((k) => [`${k.group ?? GROUP}/${k.version ?? 'v1'}`, [k.group ?? GROUP, k.version ?? 'v1'] as const]));
  const definitions: Json = {};
  const paths: Json = {};
  for (const [group, version] of groupVersions.values()) {
    const doc = buildOpenApiV3(kinds, group, version) as { paths: Record<string, Record<string, Json>>; components: { schemas: Json } };
    Object.assign(definitions, toV2Schema(doc.components.schemas));
    for (const [path, item] of Object.entries(doc.paths)) {
      paths[path] = Object.fromEntries(Object.entries(item).map(([method, op]) => [method, toV2Operation(op)]));
    }
  }
  const sorted = (o: Json) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return { swagger: '2.0', info: { title: 'Drover', version: 'v1' }, paths: sorted(paths), definitions: sorted(definitions) };
}
