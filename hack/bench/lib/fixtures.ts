// The objects the benchmarks write: the seed's redis Job (shared/examples/redis.yaml), named and stamped.
import { randomUUID } from 'node:crypto';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { encodeStored, keyPrefix } from '../../../pkg/apiserver/codec.ts';
import { kinds } from '../../../api/schemas/index.ts';
import type { Store } from '../../../pkg/storage/store.ts';

/** The annotation carrying a send timestamp (performance.now() of the sending process, ms). */
export const SENT_ANNOTATION = 'bench.drover.dev/sent';

/** The Job kind of the registry. */
export const jobKind = kinds.find((k) => k.kind === 'Job')!;

/** The jobs collection URL path in namespace `ns`. */
export const jobsPath = (ns = 'default') => `/apis/drover.dev/v1/namespaces/${ns}/jobs`;

/** A Job manifest as a client would POST it; `sentMs` goes into the SENT_ANNOTATION when given. */
export function jobManifest(name: string, sentMs?: number): ApiObject {
  const annotations = sentMs === undefined ? undefined : { [SENT_ANNOTATION]: sentMs.toFixed(3) };
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: {
      type: 'service',
      datacenters: ['us-east-1'],
      groups: [
        {
          name: 'redis',
          count: 1,
          network: { ports: [{ label: 'redis' }] },
          tasks: [{ name: 'redis', driver: 'docker', config: { image: 'redis:latest' }, resources: { cpu: 500, memoryMB: 256, networkMbits: 10 } }],
        },
      ],
    },
  } as unknown as ApiObject;
}

/**
 * Write `count` copies of `template` (a Job as the API server stored it) straight into the store, named
 * `<namePrefix>-<i>` with fresh uids, 128 puts per transaction and a few transactions in flight: the fast way
 * to fill a watch cache, bypassing the API. Returns the store revision after the last write.
 */
export async function preloadJobs(store: Store, template: ApiObject, count: number, namePrefix = 'job'): Promise<number> {
  const perTxn = 128;
  const inFlight = 8;
  let next = 0;
  let revision = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      const end = Math.min(count, start + perTxn);
      next = end;
      const ops = [];
      for (let i = start; i < end; i++) {
        const name = `${namePrefix}-${String(i).padStart(6, '0')}`;
        const obj = { ...template, metadata: { ...template.metadata, name, uid: randomUUID() } } as ApiObject;
        ops.push({ type: 'put' as const, key: `${keyPrefix(jobKind, 'default')}${name}`, value: encodeStored(obj) });
      }
      const r = await store.txn([], ops);
      revision = Math.max(revision, r.revision);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return revision;
}

/** A Job exactly as the API server stores it (defaults, uid, managedFields): create one through the API. */
export async function storedJobTemplate(url: string): Promise<ApiObject> {
  const res = await fetch(`${url}${jobsPath()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jobManifest('template')) });
  if (res.status !== 201) throw new Error(`creating the template job: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as ApiObject;
}
