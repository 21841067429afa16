// A real Drover API server on a loopback socket over a memory store, for interop tests (kubectl, client-node)
// that must talk HTTP. Unit tests of the API server use app.inject() instead (pkg/apiserver/test-support.ts).
import type { KindInfo } from '../../api/schemas/kind.ts';
import { silentLogger, type Logger } from '../../pkg/log/logger.ts';
import { createApiServer, type ApiServer, type ApiServerOptions } from '../../pkg/apiserver/server.ts';
import { planCommitPlugin } from '../../pkg/plancommit/route.ts';
import { openMemoryStore } from '../../pkg/storage/memory/index.ts';
import type { Store } from '../../pkg/storage/store.ts';

/** Options of startApiServer. */
export interface TestApiServerOptions {
  /** Persist the store here; restart() then reopens the store from this directory like `drover dev` does. */
  dataDir?: string;
  /** Kinds served (default: every registered kind). */
  kinds?: KindInfo[];
  logger?: Logger;
  /** Extra endpoints (ApiServerOptions.plugins), e.g. the allocation log proxy; the plan commit is always there. */
  plugins?: ApiServerOptions['plugins'];
  /** Turn authentication and RBAC on with this bootstrap admin token (drover:admin, system:masters). */
  adminToken?: string;
}

/** The admin token interop suites start their servers with (authentication on, as `drover dev` runs). */
export const TEST_ADMIN_TOKEN = 'drover_interop-admin-token';

/** A listening API server that can be stopped and started again on the same port. */
export interface TestApiServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (the same across restarts). */
  readonly url: string;
  readonly port: number;
  /** The current store (a new object after restart() when a dataDir is used). */
  readonly store: Store;
  /** The current API server (a new one after each start). */
  readonly server: ApiServer;
  /** Close the API server (watches end, the port is freed); the store stays open. */
  stop(): Promise<void>;
  /** Start a new API server on the same port; with a dataDir the store is first reopened from disk. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Close the server and the store. */
  close(): Promise<void>;
}

/** Start an API server with the plan commit on 127.0.0.1 (any free port) over a fresh memory store, compaction off. */
export async function startApiServer(opts: TestApiServerOptions = {}): Promise<TestApiServer> {
  const logger = opts.logger ?? silentLogger;
  let store = await openMemoryStore({ dataDir: opts.dataDir, logger });
  let server: ApiServer | undefined;
  let port = 0;
  let url = '';

  const start = async (): Promise<void> => {
    if (server) return;
    // Like every `drover server`, it commits plans: tests place allocations through evaluations/{name}/plan.
    const authentication = opts.adminToken
      ? { bootstrapTokens: [{ token: opts.adminToken, user: 'drover:admin', groups: ['system:masters'], description: 'test admin' }] }
      : undefined;
    const next = await createApiServer({ store, logger, kinds: opts.kinds, compactionIntervalMs: 0, authentication, plugins: [planCommitPlugin(), ...(opts.plugins ?? [])] });
    url = await next.listen({ port, host: '127.0.0.1' });
    port = Number(new URL(url).port);
    server = next;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    await current?.close();
  };
  await start();

  const self: TestApiServer = {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    get store() {
      return store;
    },
    get server() {
      if (!server) throw new Error('API server is stopped');
      return server;
    },
    stop,
    async start() {
      if (!server && opts.dataDir) {
        await store.close();
        store = await openMemoryStore({ dataDir: opts.dataDir, logger });
      }
      await start();
    },
    async restart() {
      await stop();
      await self.start();
    },
    async close() {
      await stop();
      await store.close();
    },
  };
  return self;
}
