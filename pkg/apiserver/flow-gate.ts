// Flow control in front of every resource request (pkg/flowcontrol): the request is described from its path,
// method and client identity before its body is read, waits for a seat of its priority level, and is answered
// 429 with Retry-After and a Status body when its level cannot take it within the queue wait. Health checks,
// metrics, discovery and OpenAPI are exempt. A watch gives its seat back once it has started streaming.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError, type Status } from '../apierrors/status.ts';
import { requestAttributes } from '../auth/attributes.ts';
import { requestWidth, type FlowControl, type FlowVerb, type RequestDescriptor, type Seat } from '../flowcontrol/index.ts';

/** Seats held by requests in flight (a watch's is released early by releaseWatchSeat). */
const seats = new WeakMap<IncomingMessage, Seat>();

/** The user an authenticator put on the request (fastify `request.user = { name, groups }`), if any. */
type WithUser = FastifyRequest & { user?: { name?: unknown; groups?: unknown } };

/** Install the flow-control hook (after authentication, before the body is parsed); `send` answers a Status. */
export function installFlowControl(
  app: FastifyInstance,
  flow: FlowControl,
  hooks: {
    /** Answer a Status (routes.ts sendStatus). */
    send: (reply: FastifyReply, s: Status) => unknown;
    /** Objects of a resource now (the work estimate of a LIST). */
    objectsOf: (resource: string) => number;
    /** A request is answered 429 here: label it for the request metrics, as the handler would have. */
    rejected: (raw: object, d: RequestDescriptor) => void;
    /** Who sent the request, when authentication (which runs first) found out. */
    user?: (raw: object) => { username: string; groups?: string[] } | undefined;
  },
): void {
  const { send, objectsOf } = hooks;
  app.addHook('onRequest', async (request, reply) => {
    const authenticated = hooks.user?.(request.raw);
    const user = authenticated ? { name: authenticated.username, groups: authenticated.groups ?? [] } : userOf(request as WithUser);
    const d = describeRequest(request.method, request.url, request.headers['user-agent'], user);
    if (!d) return;
    const width = d.verb === 'list' ? requestWidth(d, objectsOf(d.resource), listLimit(request.url)) : 1;
    // Listen before waiting: a client may go away while its request is queued.
    let closed = false;
    let held: Seat | undefined;
    const gone = new AbortController();
    reply.raw.once('close', () => {
      closed = true;
      held?.release();
      gone.abort();
    });
    const decision = await flow.admit(d, width, gone.signal);
    if (decision.admitted && closed) {
      // Nobody to answer: give the seat back at once and do not run the request.
      decision.seat.release();
      reply.hijack();
      return reply;
    }
    if (!decision.admitted && decision.reason === 'cancelled') {
      reply.hijack(); // the client is gone: nothing to answer
      return reply;
    }
    if (!decision.admitted) {
      hooks.rejected(request.raw, d);
      reply.header('X-Drover-PF-Priority-Level', decision.classification.level);
      const why = decision.reason === 'queue-full' ? 'its queue is full' : 'no seat came free within the queue wait';
      send(reply, apiError('TooManyRequests', `too many requests, please try again later (priority level ${decision.classification.level}: ${why})`, { retryAfterSeconds: decision.retryAfterSeconds }).status);
      return reply;
    }
    held = decision.seat;
    seats.set(request.raw, decision.seat);
  });
}

/** A watch has started streaming: it no longer holds a seat (its events are not requests). */
export function releaseWatchSeat(raw: object): void {
  seats.get(raw as IncomingMessage)?.release();
}

function listLimit(url: string): number | undefined {
  const m = /[?&]limit=(\d+)/.exec(url);
  return m ? Number(m[1]) : undefined;
}

function userOf(request: WithUser): RequestDescriptor['user'] {
  const u = request.user;
  if (!u || typeof u.name !== 'string') return undefined;
  return { name: u.name, groups: Array.isArray(u.groups) ? u.groups.filter((g): g is string => typeof g === 'string') : [] };
}

const FLOW_VERBS: ReadonlySet<string> = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * The descriptor of a resource request (`/api/v1/…` or `/apis/{group}/{version}/…`), or undefined for anything
 * else. Read from the path by RBAC's own request attributes (pkg/auth/attributes.ts, Kubernetes' RequestInfo),
 * so flow control and authorization see the same verb and resource: an invalid path is classified anyway and
 * answered by the router as usual.
 */
export function describeRequest(method: string, url: string, userAgent: string | undefined, user?: RequestDescriptor['user']): RequestDescriptor | undefined {
  const a = requestAttributes(method, url);
  if (!a.resourceRequest || !FLOW_VERBS.has(a.verb)) return undefined;
  return { user, userAgent, verb: a.verb as FlowVerb, resource: a.resource, subresource: a.subresource || undefined, namespace: a.namespace || undefined };
}
