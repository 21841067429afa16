// The API server under test: createApiServer on an etcd store, listening on loopback, logging as `drover
// server` does (JSON lines at info, one per request) except that the lines are discarded instead of written.
import { createApiServer, type ApiServer } from '../../../pkg/apiserver/server.ts';
import { jsonLogger } from '../../../pkg/log/logger.ts';
import { planCommitPlugin } from '../../../pkg/plancommit/route.ts';
import { openEtcdStore } from '../../../pkg/storage/etcd/index.ts';
import type { Store } from '../../../pkg/storage/store.ts';

/** A running server and its store. */
export interface BenchServer {
  url: string;
  api: ApiServer;
  store: Store;
  close(): Promise<void>;
}

/** Open an etcd store under `prefix` and serve it on a free loopback port. */
export async function startBenchServer(endpoint: string, prefix: string): Promise<BenchServer> {
  const logger = jsonLogger({ level: 'info', out: () => {} });
  const store = await openEtcdStore({ endpoints: [endpoint], prefix, logger });
  const api = await createApiServer({ store, logger, compactionIntervalMs: 0, plugins: [planCommitPlugin()] });
  const url = await api.listen({ port: 0 });
  return {
    url,
    api,
    store,
    async close() {
      await api.close();
      await store.close();
    },
  };
}

/** CPU time (user+system, ms) this process used while `fn` ran, with the wall time. */
export async function withCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 };
}
