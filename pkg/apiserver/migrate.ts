// Moving the stored objects of a kind that changed group, so an upgraded data directory or etcd cluster keeps
// them: Event and Namespace were drover.dev/v1 (`/registry/drover.dev/events/...`, `.../namespaces/...`) and are
// core/v1 (`/registry/events/...`, `/registry/namespaces/...`); Lease was drover.dev/v1 and is coordination.k8s.io/v1
// (`/registry/coordination.k8s.io/leases/...`).
// Each object moves in one transaction — created at its new key only if absent there, deleted from the old
// one only if unchanged — so API servers starting side by side move each object once, and a lost race is
// simply left to the winner.
import { apiVersionOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../storage/store.ts';
import { keyPrefix } from './codec.ts';

/** Where kinds that moved were stored before, by kind name. */
export const FORMER_PREFIXES: Record<string, string> = { Event: '/registry/drover.dev/events/', Namespace: '/registry/drover.dev/namespaces/', Lease: '/registry/drover.dev/leases/' };

const PAGE = 500;

/** Move every object stored under a kind's former prefix to its current key and apiVersion; returns how many moved. */
export async function migrateMovedKinds(store: Store, kinds: KindInfo[], logger: Logger): Promise<number> {
  let moved = 0;
  for (const kind of kinds) {
    const from = FORMER_PREFIXES[kind.kind];
    if (!from || from === keyPrefix(kind)) continue;
    let startKey: string | undefined;
    for (;;) {
      const page = await store.list(from, { limit: PAGE, startKey });
      for (const kv of page.kvs) {
        const obj = JSON.parse(kv.value) as ApiObject;
        obj.apiVersion = apiVersionOf(kind);
        const to = keyPrefix(kind) + kv.key.slice(from.length);
        const r = await store.txn(
          [{ key: kv.key, target: 'mod', equals: kv.modRevision }, { key: to, target: 'create', equals: 0 }],
          [{ type: 'put', key: to, value: JSON.stringify(obj) }, { type: 'delete', key: kv.key }],
        );
        if (r.succeeded) moved++;
      }
      if (!page.more || page.kvs.length === 0) break;
      startKey = `${page.kvs[page.kvs.length - 1]!.key}\u0000`;
    }
    if (moved > 0) logger.info('moved stored objects to their new group', { kind: kind.kind, from, to: keyPrefix(kind), moved });
  }
  return moved;
}
