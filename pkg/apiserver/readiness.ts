// /readyz: the server is ready when every watch cache is synced and its store can take writes. A store that can
// only be read (etcd's space alarm raised) is not ready: a load balancer should send writers elsewhere, and an
// operator's probe should say why. Each probe asks the store (one cheap etcd call), bounded in time.
import type { Timer } from '../clock/clock.ts';
import type { ServerContext } from './context.ts';

/** How long /readyz waits for the store's answer before calling it unreachable. */
const STORAGE_PROBE_TIMEOUT_MS = 2000;

/** A readiness check: resolves to the failed checks, each `name failed: reason` (empty = ready). */
export function readinessCheck(ctx: Pick<ServerContext, 'store' | 'clock'>, cachesReady: () => boolean): () => Promise<string[]> {
  return async () => {
    const failed: string[] = [];
    if (!cachesReady()) failed.push('watch-caches failed: not synced');
    const storage = await storageProblem(ctx);
    if (storage) failed.push(`storage failed: ${storage}`);
    return failed;
  };
}

async function storageProblem(ctx: Pick<ServerContext, 'store' | 'clock'>): Promise<string | undefined> {
  let timer: Timer | undefined;
  const timeout = new Promise<string>((resolve) => (timer = ctx.clock.setTimeout(() => resolve('no answer from the store'), STORAGE_PROBE_TIMEOUT_MS)));
  const probe = ctx.store.health().then(
    (h) => (h.writable ? undefined : `writes refused: ${h.reason ?? 'the store is not writable'}`),
    (err: unknown) => `unreachable: ${err instanceof Error ? err.message : String(err)}`,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    timer?.cancel();
  }
}
