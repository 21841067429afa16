// The rewrite at start: every covered value not stored the way the write provider would store it now (an older
// key, plaintext from before encryption was on) is rewritten, by compare-and-swap, under the current write key.
// It also proves every stored value is readable: a value no configured key opens stops the start, named.
import type { Logger } from '../log/logger.ts';
import { isStoreError, type KeyValue, type Store } from '../storage/store.ts';
import { DecryptError, type ValueTransformer } from './transformer.ts';

/** What the rewrite did. */
export interface RewriteReport {
  /** Covered values read. */
  checked: number;
  /** Values rewritten under the write provider. */
  rewritten: number;
}

/** A rewrite that found values no configured key can read. */
export class UnreadableValuesError extends Error {
  constructor(readonly failures: DecryptError[]) {
    super(`${failures.length} stored value(s) cannot be decrypted with the configured keys (add the key they were written with back to the encryption config): ${failures.slice(0, 5).map((f) => f.message).join('; ')}`);
    this.name = 'UnreadableValuesError';
  }
}

const PAGE = 500;
const CAS_ATTEMPTS = 5;

/** Rewrite every stale value under the transformer's prefixes in `raw` (the store beneath the encrypting one). */
export async function rewriteStale(raw: Store, transformer: ValueTransformer, logger: Logger): Promise<RewriteReport> {
  const report: RewriteReport = { checked: 0, rewritten: 0 };
  const failures: DecryptError[] = [];
  for (const prefix of transformer.prefixes()) {
    let startKey: string | undefined;
    for (;;) {
      const page = await raw.list(prefix, { limit: PAGE, startKey });
      for (const kv of page.kvs) {
        report.checked++;
        try {
          if (await rewriteOne(raw, transformer, kv)) report.rewritten++;
        } catch (err) {
          if (!(err instanceof DecryptError)) throw err;
          failures.push(err);
        }
      }
      if (!page.more || page.kvs.length === 0) break;
      startKey = page.kvs[page.kvs.length - 1]!.key + '\x00';
    }
  }
  if (failures.length > 0) throw new UnreadableValuesError(failures);
  if (report.rewritten > 0) logger.info('encryption at rest: rewrote stored values under the current write key', { ...report });
  return report;
}

// Rewrite one value if stale; a concurrent write (Conflict) is re-read: it may already be current.
async function rewriteOne(raw: Store, transformer: ValueTransformer, first: KeyValue): Promise<boolean> {
  let kv: KeyValue | undefined = first;
  for (let i = 0; i < CAS_ATTEMPTS && kv; i++) {
    const opened = transformer.open(kv.key, kv.value);
    if (!opened.stale) return false;
    try {
      await raw.update(kv.key, transformer.seal(kv.key, opened.value), kv.modRevision);
      return true;
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return false;
      if (!isStoreError(err, 'Conflict')) throw err;
      kv = (await raw.get(kv.key)).kv;
    }
  }
  return false;
}
