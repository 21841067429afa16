// A Store that keeps covered values encrypted in the store beneath it and plaintext above it: writes are sealed,
// every value read (get, list, txn results, tombstones, watch events, a conflict's current state) is opened.
// The API server, its watch caches and every component see plaintext objects; the backend holds ciphertext.
import { StoreError, type KeyValue, type Store, type TxnOp, type WatchEvent } from '../storage/store.ts';
import { DecryptError, type ValueTransformer } from './transformer.ts';

/** Wrap `store` so values under the transformer's prefixes are stored encrypted. */
export function encryptingStore(store: Store, transformer: ValueTransformer): Store {
  const open = (kv: KeyValue): KeyValue => ({ ...kv, value: transformer.open(kv.key, kv.value).value });
  const openMaybe = (kv: KeyValue | undefined) => (kv ? open(kv) : undefined);
  // A refused write reports the current state: opened too, so a conflict never hands ciphertext upwards.
  const reported = <T>(p: Promise<T>): Promise<T> =>
    p.then(undefined, (err: unknown) => {
      if (err instanceof StoreError && err.current) throw new StoreError(err.code, err.message, guarded(() => open(err.current!)));
      throw err;
    });
  return {
    get: (key) => guardedAsync(async () => {
      const r = await store.get(key);
      return { ...r, kv: openMaybe(r.kv) };
    }),
    list: (prefix, opts) => guardedAsync(async () => {
      const r = await store.list(prefix, opts);
      return { ...r, kvs: r.kvs.map(open) };
    }),
    create: (key, value) => guardedAsync(async () => ({ ...(await reported(store.create(key, transformer.seal(key, value)))), value })),
    update: (key, value, rev) => guardedAsync(async () => ({ ...(await reported(store.update(key, transformer.seal(key, value), rev))), value })),
    delete: (key, rev) => guardedAsync(async () => open(await reported(store.delete(key, rev)))),
    txn: (compares, ops) => guardedAsync(async () => {
      const sealed: TxnOp[] = ops.map((op) => (op.type === 'put' ? { ...op, value: transformer.seal(op.key, op.value) } : op));
      const r = await store.txn(compares, sealed);
      const written = r.written.map((kv, i) => (kv ? { ...kv, value: (ops[i] as { value: string }).value } : undefined));
      return { ...r, written, current: r.current.map(openMaybe) };
    }),
    watch: (prefix, start, handlers) => {
      let failed = false;
      const w = store.watch(prefix, start, {
        onEvents: (events) => {
          if (failed) return;
          const opened: WatchEvent[] = [];
          for (const e of events) {
            try {
              opened.push({ ...e, kv: open(e.kv), prevKv: openMaybe(e.prevKv) });
            } catch (err) {
              // Deliver the revisions before the unreadable one (each revision whole), then end the watch.
              failed = true;
              queueMicrotask(() => w.cancel());
              const before = opened.filter((o) => o.kv.modRevision < e.kv.modRevision);
              if (before.length > 0) handlers.onEvents(before);
              return handlers.onError(undecryptable(err) as Error);
            }
          }
          handlers.onEvents(opened);
        },
        onError: (err) => {
          if (!failed) handlers.onError(err);
        },
        onProgress: handlers.onProgress?.bind(handlers),
      });
      return w;
    },
    compact: (rev) => store.compact(rev),
    status: () => store.status(),
    health: () => store.health(),
    close: () => store.close(),
  };
}

function undecryptable(err: unknown): unknown {
  return err instanceof DecryptError ? new StoreError('Undecryptable', err.message) : err;
}

function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw undecryptable(err);
  }
}

async function guardedAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw undecryptable(err);
  }
}
