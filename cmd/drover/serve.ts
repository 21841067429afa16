// Running the API server (and its components) until interrupted: shared by `drover dev` and `drover server`.
import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { AuditLevel } from '../../pkg/auth/audit.ts';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { dispatchPlugin } from '../../pkg/apiserver/dispatch/route.ts';
import { jobPlanPlugin } from '../../pkg/apiserver/jobplan/index.ts';
import { logProxyPlugin } from '../../pkg/apiserver/logproxy/log-proxy.ts';
import { planCommitPlugin } from '../../pkg/plancommit/route.ts';
import { dashboardPlugin } from '../../pkg/dashboard/plugin.ts';
import { fileURLToPath } from 'node:url';
import { createClient } from '../../pkg/client/client.ts';
import { newToken } from '../../pkg/auth/token.ts';
import { COMPONENTS_USER, CONTROLLERS_GROUP, NODES_GROUP, SCHEDULERS_GROUP } from '../../pkg/auth/user.ts';
import type { AuthenticationOptions } from '../../pkg/apiserver/security/index.ts';
import { adminBootstrap } from './admin-token.ts';
import { SharedInformerFactory } from '../../pkg/client/shared-informer.ts';
import type { Clock } from '../../pkg/clock/clock.ts';
import type { FlowControlConfig } from '../../pkg/flowcontrol/index.ts';
import type { Logger } from '../../pkg/log/logger.ts';
import type { Store } from '../../pkg/storage/store.ts';
import type { ServerTls } from './tls-files.ts';
import type { Component, RunningComponent } from './components.ts';
import { banner } from './banner.ts';
import { println } from './io.ts';
import { untilAborted } from './lifetime.ts';

/** What serve() runs. */
export interface ServeOptions {
  /** The command name for the ready line (`drover dev`). */
  label: string;
  store: Store;
  port: number;
  host: string;
  /** Where the state lives, for the ready line (`data /home/x/.drover/dev`, `etcd http://...`). */
  storage: string;
  /** Rows of the banner after the API and UI addresses (`['Data dir', dir]`). */
  bannerRows: Array<[string, string]>;
  /** Bold banner headings (stdout is a terminal and NO_COLOR is unset). */
  colour?: boolean;
  /** The log level, for the banner. */
  logLevel?: string;
  components: Component[];
  logger: Logger;
  clock: Clock;
  out(text: string): void;
  /** Shutdown starts when this aborts. */
  signal: AbortSignal;
  /** performance.now() at process start, for `ready in N ms`. */
  startedAt: number;
  /** Drover's version, served at /version. */
  version: string;
  /** Serve HTTPS (components in this process connect over it, trusting `loopbackCa`). */
  tls?: ServerTls;
  /** mTLS to agents' log listeners: their CA and the certificate this server presents. */
  agentTls?: { caPem: string; certPem: string; keyPem: string };
  /** Authentication and RBAC (off when absent). */
  security?: ServeSecurity;
  /** The audit log file (JSON lines, appended) and its level; none when absent. */
  audit?: { path: string; level: AuditLevel };
  /** API Priority and Fairness of the API server (false: off). */
  flowControl?: FlowControlConfig | false;
}

/** How a served API server authenticates. */
export interface ServeSecurity {
  /** The bootstrap admin token (user drover:admin, group system:masters). */
  adminToken: string;
  /** The banner's Token row: where the admin token is kept. */
  describe: string;
  /** Run once the URL is known, before the banner (`drover dev` writes its CLI context). */
  onListening?(url: string): Promise<void>;
}

/** Serve until `signal` aborts, then stop components (in reverse), the server, and return 0. The caller closes the store. */
export async function serve(opts: ServeOptions): Promise<number> {
  // Every API server commits plans (any of them may take a worker's plan), serves the job plan dry run
  // (`drover plan`, so every client gets the same answer) and the allocation log subresource (`drover logs`),
  // proxied to the allocation's node agent; and the dashboard at /ui/.
  // The in-process components authenticate with a token that lives only in this process's memory.
  const componentsToken = opts.security ? newToken() : undefined;
  const authentication: AuthenticationOptions | undefined = opts.security && {
    bootstrapTokens: [adminBootstrap(opts.security.adminToken)],
    staticTokens: [{ token: componentsToken!, user: { username: COMPONENTS_USER, groups: [CONTROLLERS_GROUP, SCHEDULERS_GROUP, NODES_GROUP] } }],
  };
  const auditFile: WriteStream | undefined = opts.audit && opts.audit.level !== 'None' ? createWriteStream(opts.audit.path, { flags: 'a', mode: 0o600 }) : undefined;
  auditFile?.on('error', (err) => opts.logger.error('audit log write failed', { path: opts.audit?.path, err: String(err) }));
  const audit = auditFile && { level: opts.audit!.level, write: (line: string) => void auditFile.write(line + '\n') };
  const api = await createApiServer({ store: opts.store, logger: opts.logger, clock: opts.clock, version: opts.version, authentication, audit, flowControl: opts.flowControl, plugins: [planCommitPlugin(), jobPlanPlugin(), dispatchPlugin(), logProxyPlugin({ agentTls: opts.agentTls }), dashboardPlugin({ assetsDir: DASHBOARD_DIR })], tls: opts.tls?.material });
  const url = await api.listen({ port: opts.port, host: opts.host });
  await opts.security?.onListening?.(url);
  // The banner first, as soon as the address is known; components log as they start; the ready line last.
  opts.out(banner({ label: opts.label, url, host: opts.host, rows: opts.bannerRows, logLevel: opts.logLevel ?? 'info', colour: opts.colour ?? false, token: opts.security?.describe }));
  const client = createClient({ server: url, token: componentsToken, userAgent: `${opts.label}/components`, tls: opts.tls ? { ca: opts.tls.loopbackCa } : undefined });
  // One informer per kind for every component of this process: each kind is listed, watched and cached once.
  const informers = new SharedInformerFactory({ client, clock: opts.clock, logger: opts.logger.child({ component: 'informers' }) });
  const running: Array<{ name: string; component: RunningComponent }> = [];
  try {
    for (const c of opts.components) {
      const deps = { store: opts.store, client, server: url, logger: opts.logger.child({ component: c.name }), clock: opts.clock, informers, metrics: api.metrics };
      running.push({ name: c.name, component: await c.start(deps) });
    }
    println(opts.out, `${opts.label} listening on ${url} (${opts.storage}), ready in ${Math.round(performance.now() - opts.startedAt)} ms`);
    await untilAborted(opts.signal);
    opts.logger.info('shutting down');
  } finally {
    for (const r of running.reverse()) {
      await stopWithin(r.component, STOP_TIMEOUT_MS).catch((err) => opts.logger.error('component failed to stop', { component: r.name, err }));
    }
    informers.stop();
    await client.close();
    await api.close();
    if (auditFile) await new Promise((resolve) => auditFile.end(resolve));
  }
  return 0;
}

/** The dashboard's build (hack/build.mjs writes it beside the CLI's), served at /ui/. */
const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/drover/dashboard/', import.meta.url));

/** How long one component may take to stop before shutdown goes on without it (a stuck stop must not hang the process). */
const STOP_TIMEOUT_MS = 15_000;

function stopWithin(component: RunningComponent, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not stop within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([component.stop(), timeout]).finally(() => clearTimeout(timer));
}

