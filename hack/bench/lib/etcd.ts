// A real etcd for a benchmark: the one given with --etcd, else a fresh member from test/support/etcd.ts
// (loopback, temporary data directory, killed when the benchmark ends).
import { startEtcd } from '../../../test/support/etcd.ts';

/** An etcd the benchmark may use, and how to let go of it. */
export interface BenchEtcd {
  endpoint: string;
  stop(): Promise<void>;
}

/** Use `given` when set, otherwise start a single member (on `basePort` and basePort+1 when given, else free ports). */
export async function benchEtcd(given?: string, basePort?: number): Promise<BenchEtcd> {
  if (given) return { endpoint: given, stop: async () => {} };
  const cluster = await startEtcd({ members: 1, basePort });
  return { endpoint: cluster.endpoints[0]!, stop: () => cluster.stop() };
}
