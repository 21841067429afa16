// The value transformer at the storage boundary: the first provider of a key's rule writes, every provider of
// the rule reads. Generic over kinds: a rule is a key prefix (a kind's `/registry/...` prefix), nothing more.
import { aesGcmKeyName, ENCRYPTED_PREFIX, openAesGcm, sealAesGcm, type AesKey } from './aesgcm.ts';

/** A provider of an EncryptionConfiguration: `aesgcm` with its keys (the first encrypts) or `identity` (plaintext). */
export type Provider = { type: 'aesgcm'; keys: AesKey[] } | { type: 'identity' };

/** Which keys are transformed and how: every stored key under `prefix`, through `providers` (first writes). */
export interface TransformRule {
  /** The resource the rule came from (`secrets`), for messages. */
  resource: string;
  prefix: string;
  providers: Provider[];
}

/** A stored value that no configured provider can read: a missing key, a foreign ciphertext, tampered bytes. */
export class DecryptError extends Error {
  constructor(
    readonly storageKey: string,
    message: string,
  ) {
    super(`cannot decrypt ${storageKey}: ${message}`);
    this.name = 'DecryptError';
  }
}

/** What a read found: the plaintext and whether it was stored other than the write provider would store it now. */
export interface Opened {
  value: string;
  /** True when a rewrite would change how it is stored (older key, other provider, plaintext). */
  stale: boolean;
}

/** Encrypts and decrypts stored values by the rule whose prefix the key falls under. */
export class ValueTransformer {
  constructor(private readonly rules: readonly TransformRule[]) {}

  /** The key prefixes transformed (for the rewrite at start). */
  prefixes(): string[] {
    return this.rules.map((r) => r.prefix);
  }

  /** The stored form of `value` under `storageKey`. */
  seal(storageKey: string, value: string): string {
    const rule = this.ruleOf(storageKey);
    if (!rule) return value;
    const writer = rule.providers[0]!;
    return writer.type === 'identity' ? value : sealAesGcm(writer.keys[0]!, storageKey, value);
  }

  /** The plaintext of a stored value; a `DecryptError` when no provider of the rule can read it. */
  open(storageKey: string, stored: string): Opened {
    const rule = this.ruleOf(storageKey);
    if (!rule) return { value: stored, stale: false };
    const writer = rule.providers[0]!;
    if (!stored.startsWith(ENCRYPTED_PREFIX)) {
      if (!rule.providers.some((p) => p.type === 'identity')) {
        throw new DecryptError(storageKey, `it is stored unencrypted and the encryption config for ${rule.resource} lists no identity provider`);
      }
      return { value: stored, stale: writer.type !== 'identity' };
    }
    const keyName = aesGcmKeyName(stored);
    if (keyName === undefined) throw new DecryptError(storageKey, `unknown encryption provider in prefix ${JSON.stringify(stored.slice(0, 40).split(':').slice(0, 4).join(':'))}`);
    const key = rule.providers.flatMap((p) => (p.type === 'aesgcm' ? p.keys : [])).find((k) => k.name === keyName);
    if (!key) throw new DecryptError(storageKey, `it is encrypted with aesgcm key ${JSON.stringify(keyName)}, which the encryption config for ${rule.resource} does not list`);
    let value: string;
    try {
      value = openAesGcm(key, storageKey, stored);
    } catch {
      throw new DecryptError(storageKey, `aesgcm key ${JSON.stringify(keyName)} does not authenticate it (a different key of that name, or altered bytes)`);
    }
    return { value, stale: writer.type !== 'aesgcm' || writer.keys[0]!.name !== keyName };
  }

  private ruleOf(storageKey: string): TransformRule | undefined {
    return this.rules.find((r) => storageKey.startsWith(r.prefix));
  }
}
