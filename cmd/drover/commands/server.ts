// `drover server`: the API server (and control-plane components) on etcd, the production backend.
import { openEtcdStore } from '../../../pkg/storage/etcd/index.ts';
import { defaultComponents, type Component } from '../components.ts';
import { serve } from '../serve.ts';
import type { AuditLevel } from '../../../pkg/auth/audit.ts';
import type { DevDeps } from './dev.ts';
import { resolveAdminToken } from '../admin-token.ts';

/** Arguments of `drover server`. */
export interface ServerArgs {
  etcdEndpoints: string[];
  port: number;
  host: string;
  /** Silence past a node lease's TTL before the node is down (default 10 s). */
  heartbeatGraceMs?: number;
  components?: Component[];
  /** The bootstrap admin token (default: adminTokenFile's, created on first start). */
  adminToken?: string;
  /** Where the admin token is kept. */
  adminTokenFile: string;
  /** Serve without authentication (benchmarks, throwaway clusters). */
  insecureNoAuth?: boolean;
  /** The audit log file and level. */
  audit?: { path: string; level: AuditLevel };
}

/** Run `server` until `deps.signal` aborts; returns the exit code. */
export async function server(args: ServerArgs, deps: DevDeps): Promise<number> {
  const adminToken = args.insecureNoAuth ? undefined : await resolveAdminToken(args.adminToken, args.adminTokenFile);
  const store = await openEtcdStore({ endpoints: args.etcdEndpoints, logger: deps.logger, clock: deps.clock });
  try {
    return await serve({
      label: 'drover server',
      store,
      port: args.port,
      host: args.host,
      storage: `etcd ${args.etcdEndpoints.join(',')}`,
      bannerRows: [['Storage', `etcd ${args.etcdEndpoints.join(', ')}`]],
      components: args.components ?? defaultComponents('server', { heartbeatGraceMs: args.heartbeatGraceMs }),
      security: adminToken === undefined ? undefined : { adminToken, describe: `admin token in ${args.adminTokenFile}` },
      audit: args.audit,
      ...deps,
    });
  } finally {
    await store.close();
  }
}
