// Checking the shape of a plan submission before anything is read or written. Allocations and evaluations inside
// it are validated against their kinds' schemas later, when they are built (objects.ts).
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { badRequest, type StatusCause } from '../apierrors/status.ts';
import type { PlanRequest } from '../scheduler/plan/wire.ts';

const Name = Type.String({ minLength: 1, maxLength: 253 });
const Draft = Type.Object({ metadata: Type.Object({ name: Name }), spec: Type.Object({}) });
const NodeStateSchema = Type.Union(['ready', 'down', 'draining', 'ineligible', 'gone'].map((s) => Type.Literal(s)));
const Rev = Type.Integer({ minimum: 0 });

const PlanRequestSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    claim: Type.Optional(Type.Object({ claimedBy: Type.String({ minLength: 1 }), deliveries: Rev }, { additionalProperties: false })),
    basis: Type.Optional(
      Type.Object(
        {
          job: Type.Union([Type.Null(), Type.Object({ uid: Type.Optional(Type.String()), generation: Rev }, { additionalProperties: false })]),
          revisions: Type.Object({ jobs: Rev, allocations: Rev, nodes: Rev }, { additionalProperties: false }),
          nodes: Type.Record(Type.String(), NodeStateSchema),
        },
        { additionalProperties: false },
      ),
    ),
    placements: Type.Array(Draft),
    stops: Type.Array(
      Type.Object(
        {
          name: Name,
          desiredStatus: Type.Union([Type.Literal('stop'), Type.Literal('evict')]),
          description: Type.String(),
          preemptedBy: Type.Optional(Name),
          lost: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    updates: Type.Array(Type.Object({ name: Name, jobVersion: Rev }, { additionalProperties: false })),
    outcome: Type.Optional(
      Type.Object(
        {
          status: Type.Object({}),
          create: Type.Array(Draft),
          followups: Type.Array(Type.Object({ name: Name, followupEval: Name }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The request as the schema guarantees it (the allocation and evaluation drafts are checked later). */
type CheckedRequest = Static<typeof PlanRequestSchema>;

const validate = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, strict: false }).compile<CheckedRequest>(PlanRequestSchema);

/** The body as a PlanRequest, or a 400 naming what is wrong. */
export function parsePlanRequest(body: unknown): PlanRequest {
  if (body === undefined) throw badRequest('the request body is empty; a plan is required');
  if (!validate(body)) {
    const causes: StatusCause[] = (validate.errors ?? []).slice(0, 20).map((e) => ({
      reason: 'FieldValueInvalid',
      field: e.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      message: `Invalid value: ${e.message ?? 'invalid'}`,
    }));
    throw badRequest('the plan is malformed', causes);
  }
  const req = body as unknown as PlanRequest;
  const names = new Set<string>();
  for (const p of req.placements) {
    if (names.has(p.metadata.name)) throw badRequest(`allocation ${p.metadata.name} is placed twice`);
    names.add(p.metadata.name);
  }
  for (const x of [...req.stops, ...req.updates]) {
    if (names.has(x.name)) throw badRequest(`allocation ${x.name} appears twice in the plan`);
    names.add(x.name);
  }
  return req;
}
