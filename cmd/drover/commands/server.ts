// `drover server`: the API server (and control-plane components) on etcd, the production backend.
import { readFile } from 'node:fs/promises';
import { openEtcdStore, type EtcdTls } from '../../../pkg/storage/etcd/index.ts';
import { UsageError } from '../errors.ts';
import { defaultComponents, type Component } from '../components.ts';
import { withEncryption } from '../encryption.ts';
import { serve } from '../serve.ts';
import { readAgentTls, readServerTls, type AgentTlsFlags, type ServerTlsFlags } from '../tls-files.ts';
import type { AuditLevel } from '../../../pkg/auth/audit.ts';
import type { DisruptionOptions } from '../../../pkg/controllers/health/disruption.ts';
import { DEFAULT_FLOW_CONTROL, type FlowControlConfig } from '../../../pkg/flowcontrol/index.ts';
import type { DevDeps } from './dev.ts';
import { resolveAdminToken } from '../admin-token.ts';

/** Arguments of `drover server`. */
export interface ServerArgs {
  etcdEndpoints: string[];
  port: number;
  host: string;
  /** Silence past a node lease's TTL before the node is down (default 10 s). */
  heartbeatGraceMs?: number;
  /** EncryptionConfiguration file (Secrets stay plaintext in etcd without one). */
  encryptionConfig?: string;
  /** TLS to etcd: --etcd-cafile (and --etcd-certfile, --etcd-keyfile when etcd requires client certificates). */
  etcdTls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** mTLS to agents' log listeners. */
  agentTls?: AgentTlsFlags;
  /** HTTPS: --tls-cert-file, --tls-key-file, --client-ca-file. */
  tls?: ServerTlsFlags;
  /** The health controller's partial-disruption rule. */
  disruption?: DisruptionOptions;
  /** API Priority and Fairness (false: off; default: pkg/flowcontrol's defaults). */
  flowControl?: FlowControlConfig | false;
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

/** The etcd client's TLS files, read; undefined without --etcd-cafile. */
async function readEtcdTls(f: { caFile?: string; certFile?: string; keyFile?: string }): Promise<EtcdTls | undefined> {
  if (!!f.certFile !== !!f.keyFile) throw new UsageError('--etcd-certfile and --etcd-keyfile go together');
  if (!f.caFile) {
    if (f.certFile) throw new UsageError('--etcd-certfile needs --etcd-cafile (the CA that signed the etcd members\' certificates)');
    return undefined;
  }
  return {
    caPem: await readFile(f.caFile, 'utf8'),
    certPem: f.certFile ? await readFile(f.certFile, 'utf8') : undefined,
    keyPem: f.keyFile ? await readFile(f.keyFile, 'utf8') : undefined,
  };
}

/** Run `server` until `deps.signal` aborts; returns the exit code. */
export async function server(args: ServerArgs, deps: DevDeps): Promise<number> {
  const adminToken = args.insecureNoAuth ? undefined : await resolveAdminToken(args.adminToken, args.adminTokenFile);
  const raw = await openEtcdStore({ endpoints: args.etcdEndpoints, logger: deps.logger, clock: deps.clock, tls: await readEtcdTls(args.etcdTls ?? {}) });
  try {
    const { store, summary } = await withEncryption(raw, args.encryptionConfig, deps.logger);
    const tls = await readServerTls(args.tls ?? {});
    const agentTls = await readAgentTls(args.agentTls ?? {});
    return await serve({
      tls,
      agentTls,
      label: 'drover server',
      store,
      port: args.port,
      flowControl: args.flowControl ?? DEFAULT_FLOW_CONTROL,
      host: args.host,
      storage: `etcd ${args.etcdEndpoints.join(',')}`,
      bannerRows: [['Storage', `etcd ${args.etcdEndpoints.join(', ')}`], ['Encryption', summary]],
      components: args.components ?? defaultComponents('server', { heartbeatGraceMs: args.heartbeatGraceMs, disruption: args.disruption }),
      security: adminToken === undefined ? undefined : { adminToken, describe: `admin token in ${args.adminTokenFile}` },
      audit: args.audit,
      ...deps,
    });
  } finally {
    await raw.close();
  }
}
