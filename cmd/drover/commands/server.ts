// `drover server`: the API server (and control-plane components) on etcd, the production backend.
import { openEtcdStore } from '../../../pkg/storage/etcd/index.ts';
import { defaultComponents, type Component } from '../components.ts';
import { withEncryption } from '../encryption.ts';
import { serve } from '../serve.ts';
import { readServerTls, type ServerTlsFlags } from '../tls-files.ts';
import type { DevDeps } from './dev.ts';

/** Arguments of `drover server`. */
export interface ServerArgs {
  etcdEndpoints: string[];
  port: number;
  host: string;
  /** Silence past a node lease's TTL before the node is down (default 10 s). */
  heartbeatGraceMs?: number;
  /** EncryptionConfiguration file (Secrets stay plaintext in etcd without one). */
  encryptionConfig?: string;
  /** HTTPS: --tls-cert-file, --tls-key-file, --client-ca-file. */
  tls?: ServerTlsFlags;
  components?: Component[];
}

/** Run `server` until `deps.signal` aborts; returns the exit code. */
export async function server(args: ServerArgs, deps: DevDeps): Promise<number> {
  const raw = await openEtcdStore({ endpoints: args.etcdEndpoints, logger: deps.logger, clock: deps.clock });
  try {
    const { store, summary } = await withEncryption(raw, args.encryptionConfig, deps.logger);
    const tls = await readServerTls(args.tls ?? {});
    return await serve({
      tls,
      label: 'drover server',
      store,
      port: args.port,
      host: args.host,
      storage: `etcd ${args.etcdEndpoints.join(',')}`,
      bannerRows: [['Storage', `etcd ${args.etcdEndpoints.join(', ')}`], ['Encryption', summary]],
      components: args.components ?? defaultComponents('server', { heartbeatGraceMs: args.heartbeatGraceMs }),
      ...deps,
    });
  } finally {
    await raw.close();
  }
}
