// The level of each access log line (`request`): what an operator reading `drover dev` at info should see.
import type { Level } from '../log/logger.ts';

/** What the access log knows of a finished request. */
export interface AccessRecord {
  method: string;
  code: number;
  userAgent?: string;
  /** False for requests outside the resource API (health, metrics, discovery, unknown paths). */
  resourceRequest: boolean;
}

/**
 * error: the server failed (5xx). debug: expected answers — reads, a lookup of something absent (404 on GET:
 * get-or-create, lease acquisition, `describe` of a missing name), a conflict (409: a stale resourceVersion
 * that the client re-reads and retries, or AlreadyExists that it treats as done), the steady heartbeats and
 * status reports of Drover's own agents and components, and everything outside the resource API.
 * info: the rest — people's writes and their rejected requests (400, 401, 403, 422, ...).
 */
export function accessLogLevel(r: AccessRecord): Level {
  if (r.code >= 500) return 'error';
  if (!r.resourceRequest) return 'debug';
  const read = r.method === 'GET' || r.method === 'HEAD';
  if (r.code === 404 && read) return 'debug';
  if (r.code === 409) return 'debug';
  if (r.code < 400 && (read || isComponentAgent(r.userAgent))) return 'debug';
  return 'info';
}

/** Drover's own processes identify themselves: `drover-agent/…`, `drover-agent-simulated/…`, `drover dev/components`. */
function isComponentAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && (userAgent.startsWith('drover-') || userAgent.endsWith('/components'));
}
