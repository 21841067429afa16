// Dispatching a parameterized job (Nomad's `nomad job dispatch`): check the request against the parent's
// `parameterized` block — required and optional meta keys, the payload rule — and create the child job through
// the server's own create path (so the child is admitted like any job, dryRun included).
import type { Job } from '../../../api/schemas/index.ts';
import { MAX_PAYLOAD_BYTES } from '../../../api/schemas/job.ts';
import { childJob, dispatchChildName } from '../../../api/schemas/job-launch.ts';
import type { KindInfo } from '../../../api/schemas/kind.ts';
import { badRequest, conflict, invalid, notFound, type StatusCause } from '../../apierrors/status.ts';
import { objectKey } from '../codec.ts';
import type { ServerContext } from '../context.ts';
import type { WriteOptions } from '../options.ts';
import { createObject, targetOf } from '../write.ts';
import { isJobStopped } from '../../../api/schemas/job-stopping.ts';

/** The body of a dispatch: `{apiVersion?, kind?: JobDispatchRequest, meta?, payload?}`. */
export interface JobDispatchRequest {
  apiVersion?: string;
  kind?: string;
  /** Meta keys for the child, merged over the parent's spec.meta. */
  meta?: Record<string, string>;
  /** Base64 payload, written to the tasks' dispatchPayload files. */
  payload?: string;
}

/** The kind name in Status messages and the body's `kind`. */
export const DISPATCH_REQUEST_KIND = 'JobDispatchRequest';

const KNOWN = new Set(['apiVersion', 'kind', 'meta', 'payload']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Causes of a malformed body (unknown fields, wrong types), as strict validation reports them. */
function shapeCauses(body: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const k of Object.keys(body)) if (!KNOWN.has(k)) causes.push({ reason: 'FieldValueInvalid', field: k, message: `unknown field "${k}"` });
  if (body.kind !== undefined && body.kind !== DISPATCH_REQUEST_KIND) causes.push({ reason: 'FieldValueNotSupported', field: 'kind', message: `Unsupported value: ${JSON.stringify(body.kind)}: supported values: "${DISPATCH_REQUEST_KIND}"` });
  const meta = body.meta;
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) causes.push({ reason: 'FieldValueInvalid', field: 'meta', message: 'Invalid value: must be an object of strings' });
  else for (const [k, v] of Object.entries(meta ?? {})) if (typeof v !== 'string') causes.push({ reason: 'FieldValueInvalid', field: `meta.${k}`, message: 'Invalid value: must be a string' });
  if (body.payload !== undefined && (typeof body.payload !== 'string' || !BASE64.test(body.payload))) causes.push({ reason: 'FieldValueInvalid', field: 'payload', message: 'Invalid value: must be base64' });
  return causes;
}

/** Causes of a well-formed request against the parent's parameterized block. */
export function dispatchCauses(parent: Job, req: JobDispatchRequest): StatusCause[] {
  const p = parent.spec.parameterized!;
  const causes: StatusCause[] = [];
  const meta = req.meta ?? {};
  const required = p.metaRequired ?? [];
  const allowed = new Set([...required, ...(p.metaOptional ?? [])]);
  for (const k of required) if (!(k in meta)) causes.push({ reason: 'FieldValueRequired', field: `meta.${k}`, message: `Required value: meta key "${k}" is required by the job's parameterized.metaRequired` });
  for (const k of Object.keys(meta)) {
    if (!allowed.has(k)) {
      const known = [...allowed].map((x) => JSON.stringify(x)).join(', ') || 'none';
      causes.push({ reason: 'FieldValueNotSupported', field: `meta.${k}`, message: `Unsupported value: ${JSON.stringify(k)}: meta keys allowed by the job's parameterized block: ${known}` });
    }
  }
  const rule = p.payload ?? 'optional';
  const payload = req.payload ?? '';
  if (rule === 'required' && payload === '') causes.push({ reason: 'FieldValueRequired', field: 'payload', message: 'Required value: the job requires a payload' });
  if (rule === 'forbidden' && payload !== '') causes.push({ reason: 'FieldValueForbidden', field: 'payload', message: 'Forbidden: the job forbids a payload' });
  if (Buffer.from(payload, 'base64').length > MAX_PAYLOAD_BYTES) causes.push({ reason: 'FieldValueTooLong', field: 'payload', message: `Too long: may not be more than ${MAX_PAYLOAD_BYTES} bytes` });
  return causes;
}

/** One dispatch. */
export interface DispatchInput {
  namespace: string;
  name: string;
  body: unknown;
  opts: WriteOptions;
  /** Five characters that make the child's name unique within a second. */
  random: string;
}

/** Dispatch `input.name` in `input.namespace`; returns the created child (or, with dryRun, what would be). */
export async function dispatchJob(ctx: ServerContext, jobKind: KindInfo, input: DispatchInput): Promise<Job> {
  const body = input.body ?? {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the request body must be a ${DISPATCH_REQUEST_KIND} object`);
  const target = { ...targetOf(jobKind, input.name), kindName: DISPATCH_REQUEST_KIND };
  const shape = shapeCauses(body as Record<string, unknown>);
  if (shape.length > 0) throw invalid(target, shape);
  const parent = (await ctx.caches.get(jobKind, objectKey(jobKind, input.namespace, input.name))) as unknown as Job | undefined;
  if (!parent) throw notFound(targetOf(jobKind, input.name));
  if (!parent.spec.parameterized) throw badRequest(`job "${input.name}" is not a parameterized job: only jobs with spec.parameterized can be dispatched`);
  if (isJobStopped(parent)) throw conflict(targetOf(jobKind, input.name), 'the job is stopped or being deleted and cannot be dispatched');
  const req = body as JobDispatchRequest;
  const causes = dispatchCauses(parent, req);
  if (causes.length > 0) throw invalid(target, causes);
  const child = childJob(parent, dispatchChildName(parent.metadata.name, ctx.clock.now(), input.random), { meta: req.meta, payload: req.payload });
  return (await createObject(ctx, { kind: jobKind, opts: input.opts }, child as never)) as unknown as Job;
}
