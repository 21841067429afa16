// The Drover API server: fastify with our own body parsing (nothing coerced or stripped), one generic REST
// handler for every kind, a watch cache per kind, discovery/OpenAPI, metrics, health and store compaction.
import Fastify, { type FastifyInstance } from 'fastify';
import { kinds as allKinds } from '../../api/schemas/index.ts';
import { API_VERSION, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import { apiError, isAlreadyExists } from '../apierrors/status.ts';
import { realClock, type Clock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../storage/store.ts';
import { refuseUnverifiedClientCerts, serverTlsOptions, type ServerTlsMaterial } from '../tls/index.ts';
import { accessLogLevel } from './access-log.ts';
import { AdmissionChain, type AdmissionHook } from './admission.ts';
import { coreObjectRules } from './core-admission.ts';
import { jobDependencyCycles } from './job-dependencies.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { migrateMovedKinds } from './migrate.ts';
import { allocationUsageGuard } from './allocation-guard.ts';
import { KindCaches } from './caches.ts';
import { Compactor } from './compaction.ts';
import { ConnectionTracker } from './connections.ts';
import { toStatus } from './errors.ts';
import { installBodyParser } from './content.ts';
import { WatchRegistry, type ServerContext } from './context.ts';
import { ApiMetrics } from './metrics.ts';
import type { Registry } from 'prom-client';
import { installErrorHandlers, METRIC_VERBS, registerRoutes, sendStatus } from './routes.ts';
import { SharedLines } from './watch-lines.ts';
import { createObject } from './write.ts';
import { installSecurity, securityObjectRules, type AuthenticationOptions } from './security/index.ts';
import { certificateAuthenticator } from './security/certificate.ts';
import { installAudit, type AuditOptions } from './security/audit-hook.ts';
import { FlowControl, type FlowControlConfig, type RequestDescriptor } from '../flowcontrol/index.ts';
import { installFlowControl, releaseWatchSeat } from './flow-gate.ts';
import { crdAdmission, crdKindOf, CustomResources } from './crd/index.ts';

/** Options of createApiServer. */
export interface ApiServerOptions {
  store: Store;
  logger: Logger;
  clock?: Clock;
  /** The kinds served (default: every kind of api/schemas). */
  kinds?: KindInfo[];
  admission?: AdmissionHook[];
  /** Largest accepted request body (default 3 MiB, like kube-apiserver). */
  bodyLimitBytes?: number;
  /** Store compaction period (default 5 min; 0 disables). Each round keeps the revisions of the last round. */
  compactionIntervalMs?: number;
  /** Never compact the newest this-many revisions (default 10,000). */
  compactionMinRetainedRevisions?: number;
  /** Period of BOOKMARK events on watches that allow them (default 60 s). */
  bookmarkIntervalMs?: number;
  /**
   * When set, every request except health checks needs a credential (`Authorization: Bearer <token>`: a stored
   * Token, a static token of this process) and, unless `authorization: 'AlwaysAllow'`, RBAC's permission. The
   * security kinds (Role, ClusterRole, RoleBinding, ClusterRoleBinding, Token) are then served too.
   */
  authentication?: AuthenticationOptions;
  /** The audit log: a JSON line per request to `write`, at `level` (works with authentication off too, without users). */
  audit?: AuditOptions;
  /** Drover's version, shown in /version. */
  version?: string;
  /**
   * Serve HTTPS with this certificate; with `clientCaPem`, client certificates are requested and a certificate
   * that CA did not sign ends the connection at the TLS layer (`peerIdentity` from pkg/tls names the user of one it did).
   */
  tls?: ServerTlsMaterial;
  /**
   * Extra endpoints (subresources such as a plan commit), registered on the fastify
   * instance before it starts. A route more specific than `/apis/drover.dev/v1/*` takes precedence over the
   * generic handler. Bodies arrive as raw Buffers (see content.ts: decodeObjectBody); errors thrown as
   * ApiError become Status responses.
   */
  plugins?: Array<(app: FastifyInstance, ctx: ServerContext) => void | Promise<void>>;
  /**
   * API Priority and Fairness (pkg/flowcontrol): priority levels, seats and queues in front of every resource
   * request. Unset or false: no flow control (every request is served at once).
   */
  flowControl?: FlowControlConfig | false;
}

/** A running API server. */
export interface ApiServer {
  app: FastifyInstance;
  /** The registry served at /metrics; components in the same process register their metrics here. */
  metrics: Registry;
  /** Listen on `port` (0 = any) and `host` (default 127.0.0.1); returns the base URL. */
  listen(opts: { port: number; host?: string }): Promise<string>;
  /** End watches, finish in-flight requests, stop caches and compaction. The store stays open (it is the caller's). */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;

/** Build the API server: caches synced, `default` namespace ensured, routes ready (not yet listening). */
export async function createApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const clock = opts.clock ?? realClock;
  const kinds = withSecurityKinds(opts.kinds ?? allKinds, opts.authentication !== undefined);
  const logger = opts.logger.child({ component: 'apiserver' });
  const metrics = new ApiMetrics();
  const caches = new KindCaches({ store: opts.store, logger, clock, kinds, bookmarkIntervalMs: opts.bookmarkIntervalMs });
  const crdKind = crdKindOf(kinds);
  const custom = crdKind ? new CustomResources(crdKind, kinds) : undefined;
  const ctx: ServerContext = {
    store: opts.store,
    logger,
    clock,
    kinds,
    kindByPlural: new Map(kinds.map((k) => [k.plural, k])),
    namespaceKind: kinds.find((k) => k.kind === 'Namespace'),
    // The allocation guard is not optional: plan commits (pkg/plancommit) rely on it to keep nodes from being
    // overcommitted, and without the plan-commit plugin it leaves no way at all to create a live allocation.
    admission: new AdmissionChain([allocationUsageGuard, coreObjectRules, securityObjectRules, namespaceLifecycle, jobDependencyCycles(caches), ...(custom ? [crdAdmission] : []), ...(opts.admission ?? [])]),
    caches,
    metrics,
    watches: new WatchRegistry(),
    watchLines: new SharedLines(),
    requestLabels: new WeakMap(),
    requestUsers: new WeakMap(),
  };
  // Before the caches start, so they see the moved objects at their new keys.
  await migrateMovedKinds(opts.store, kinds, logger);
  await caches.start();
  await ensureDefaultNamespace(ctx);
  // Kinds of stored CustomResourceDefinitions are served before the server listens (a restart serves them again).
  await custom?.start(ctx);

  let closing = false;
  const app = Fastify({
    ...(opts.tls ? { https: serverTlsOptions(opts.tls) } : {}),
    logger: false,
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    return503OnClosing: true,
    // Errors the router raises before any route (a malformed %-escape in the path) get a Status body too.
    frameworkErrors: (err, request, reply) => sendStatus(reply, toStatus(err, logger, { method: request.method, url: request.url })),
  });
  if (opts.tls?.clientCaPem !== undefined && !opts.tls.requireClientCert) refuseUnverifiedClientCerts(app.server);
  const connections = new ConnectionTracker(app.server);
  installBodyParser(app);
  installErrorHandlers(app, ctx);
  // With client certificates verified (a client CA), a certificate names its user as a token would.
  const certificates = opts.tls?.clientCaPem !== undefined ? [certificateAuthenticator] : [];
  if (opts.authentication) await installSecurity(app, ctx, { ...opts.authentication, authenticators: [...(opts.authentication.authenticators ?? []), ...certificates] });
  if (opts.flowControl) {
    const objectsOf = (plural: string) => {
      const kind = ctx.kindByPlural.get(plural);
      try {
        return kind ? caches.of(kind).size() : 0;
      } catch {
        return 0; // a kind without a cache here: the router answers it
      }
    };
    const rejected = (raw: object, d: RequestDescriptor) => ctx.requestLabels.set(raw, { verb: METRIC_VERBS[d.verb], resource: d.resource, subresource: d.subresource ?? '' });
    installFlowControl(app, new FlowControl(opts.flowControl, { clock, registry: metrics.registry }), { send: sendStatus, objectsOf, rejected, user: (raw) => ctx.requestUsers.get(raw) });
    ctx.watchStarted = releaseWatchSeat;
  }
  installAccessLog(app, ctx);
  if (opts.audit) installAudit(app, ctx, opts.audit);
  registerRoutes(app, ctx, { version: opts.version, ready: () => !closing && caches.synced(), custom: custom?.documents() });
  custom?.registerRoutes(app, ctx);
  for (const plugin of opts.plugins ?? []) await plugin(app, ctx);
  await app.ready();

  const compactor = new Compactor({ store: opts.store, clock, logger, metrics, intervalMs: opts.compactionIntervalMs, minRetainedRevisions: opts.compactionMinRetainedRevisions });
  if (opts.compactionIntervalMs !== 0) compactor.start();

  return {
    app,
    metrics: metrics.registry,
    async listen({ port, host = '127.0.0.1' }) {
      await app.listen({ port, host });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      const h = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      return `${opts.tls ? 'https' : 'http'}://${h}:${p}`;
    },
    async close() {
      if (closing) return;
      closing = true;
      // Watches first: fastify's close waits for open requests, and a watch never finishes by itself.
      ctx.watches.closeAll();
      await compactor.stop();
      await custom?.stop();
      const closed = app.close();
      connections.drain();
      await closed;
      caches.stop();
    },
  };
}

/** Create the `default` namespace unless it exists (every API server tries; the first wins). */
async function ensureDefaultNamespace(ctx: ServerContext): Promise<void> {
  const kind = ctx.namespaceKind;
  if (!kind) return;
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as ApiObject;
  try {
    await createObject(ctx, { kind, opts: { dryRun: false, manager: 'drover-apiserver', managerGiven: true, fieldValidation: 'Strict', force: false } }, ns);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** `kinds`, plus the kinds authentication and RBAC read (and ServiceAccount, for TokenRequest) when it is on. */
function withSecurityKinds(kinds: KindInfo[], authentication: boolean): KindInfo[] {
  if (!authentication) return kinds;
  const needed = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Token', 'ServiceAccount'];
  const missing = allKinds.filter((k) => needed.includes(k.kind) && !kinds.some((x) => x.kind === k.kind));
  return missing.length ? [...kinds, ...missing] : kinds;
}

/** Request metrics and access logs, at the level accessLogLevel gives (watches record their own when they end). */
function installAccessLog(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = ctx.requestLabels.get(request.raw);
    // A watch that was streaming records itself when it ends (hijacked replies may still reach this hook).
    if (labels?.verb === 'WATCH' && reply.raw.headersSent && reply.statusCode === 200) return;
    const code = String(reply.statusCode);
    const seconds = reply.elapsedTime / 1000;
    if (labels) {
      ctx.metrics.requestDuration.observe({ ...labels, code }, seconds);
      ctx.metrics.requests.inc({ ...labels, code });
    }
    const fields = {
      method: request.method,
      url: request.url,
      code: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      verb: labels?.verb,
      resource: labels?.resource,
      userAgent: request.headers['user-agent'],
      remote: request.ip,
    };
    const level = accessLogLevel({ method: request.method, code: reply.statusCode, userAgent: request.headers['user-agent'], resourceRequest: labels !== undefined });
    ctx.logger[level]('request', fields);
  });
}

