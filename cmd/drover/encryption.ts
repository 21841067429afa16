// Encryption at rest for `drover dev` and `drover server`: read the EncryptionConfiguration file, rewrite stale
// values at start, and hand the API server the encrypting store. `drover dev` creates its key file on first start.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kinds } from '../../api/schemas/index.ts';
import { groupOf } from '../../api/schemas/kind.ts';
import { keyPrefix } from '../../pkg/apiserver/codec.ts';
import { encryptingStore, generateEncryptionConfig, parseEncryptionConfig, rewriteStale, UnreadableValuesError, ValueTransformer } from '../../pkg/encryption/index.ts';
import type { Logger } from '../../pkg/log/logger.ts';
import type { Store } from '../../pkg/storage/store.ts';

/** The name of `drover dev`'s generated config in its data dir. */
export const DEV_ENCRYPTION_CONFIG = 'encryption-config.yaml';

/** A resource name as EncryptionConfiguration spells it (`secrets`, `jobs.drover.dev`) → its storage key prefix. */
export function resourcePrefix(resource: string): string | undefined {
  const kind = kinds.find((k) => (groupOf(k) === '' ? k.plural : `${k.plural}.${groupOf(k)}`) === resource);
  return kind ? keyPrefix(kind) : undefined;
}

/** The store the API server should use given `configPath` (unchanged without one), and a banner line. */
export async function withEncryption(raw: Store, configPath: string | undefined, logger: Logger): Promise<{ store: Store; summary: string }> {
  if (!configPath) {
    // Off, but a store that holds encrypted Secrets (the flag forgotten) must stop the start with a reason, not
    // serve ciphertext as objects: plaintext only, checked at start and on every read.
    const plain = new ValueTransformer([{ resource: 'secrets', prefix: resourcePrefix('secrets')!, providers: [{ type: 'identity' }] }]);
    try {
      await rewriteStale(raw, plain, logger);
    } catch (err) {
      if (err instanceof UnreadableValuesError) throw new Error(`stored Secrets are encrypted, but no --encryption-config was given: ${err.message}`);
      throw err;
    }
    return { store: encryptingStore(raw, plain), summary: 'off (no --encryption-config)' };
  }
  const rules = parseEncryptionConfig(await readFile(configPath, 'utf8'), resourcePrefix, configPath);
  const transformer = new ValueTransformer(rules);
  const report = await rewriteStale(raw, transformer, logger.child({ component: 'encryption' }));
  const writers = rules.map((r) => {
    const w = r.providers[0]!;
    return `${r.resource}: ${w.type === 'aesgcm' ? `aesgcm key ${w.keys[0]!.name}` : 'identity (plaintext)'}`;
  });
  return { store: encryptingStore(raw, transformer), summary: `${writers.join(', ')} (${configPath}; ${report.rewritten} rewritten at start)` };
}

/** The config `drover dev` uses: `explicit`, else `<dataDir>/encryption-config.yaml`, created with a fresh key (mode 0600) if absent. */
export async function devEncryptionConfig(dataDir: string, explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  const path = join(dataDir, DEV_ENCRYPTION_CONFIG);
  await writeFile(path, generateEncryptionConfig(['secrets']), { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return path;
}
