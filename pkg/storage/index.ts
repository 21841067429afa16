// The storage package's public face: the Store contract, both backends, and `openStore(url)`.
import type { Clock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { openEtcdStore } from './etcd/store.ts';
import { openMemoryStore } from './memory/store.ts';
import type { Store } from './store.ts';

export * from './store.ts';
export { MAX_REQUEST_BYTES } from './limits.ts';
export { openEtcdStore, type EtcdStoreOptions } from './etcd/store.ts';
export { openMemoryStore, type MemoryStoreOptions } from './memory/store.ts';

/** Dependencies of `openStore`. */
export interface OpenStoreDeps {
  logger?: Logger;
  clock?: Clock;
}

/**
 * Opens a store from a URL: `memory://` (volatile), `memory:///abs/dir` or `memory://rel/dir` (persisted
 * there), `etcd://host:port[,host:port...][/prefix]`.
 */
export async function openStore(url: string, deps: OpenStoreDeps = {}): Promise<Store> {
  const m = /^([a-z]+):\/\/(.*)$/.exec(url);
  if (!m) throw new Error(`store URL ${JSON.stringify(url)}: expected memory://<dir> or etcd://host:port,...`);
  const [, scheme, rest] = m as unknown as [string, string, string];
  if (scheme === 'memory') return openMemoryStore({ ...deps, dataDir: rest === '' ? undefined : rest });
  if (scheme === 'etcd') {
    const slash = rest.indexOf('/');
    const hosts = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? undefined : rest.slice(slash);
    const endpoints = hosts.split(',').filter((h) => h !== '');
    if (endpoints.length === 0) throw new Error(`store URL ${JSON.stringify(url)}: no etcd endpoints`);
    return openEtcdStore({ ...deps, endpoints, prefix });
  }
  throw new Error(`store URL ${JSON.stringify(url)}: unknown scheme ${scheme} (memory or etcd)`);
}
