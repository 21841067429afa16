// The aesgcm provider: AES-GCM with a random 96-bit nonce per write, the storage key as additional
// authenticated data (a ciphertext copied under another key does not decrypt), and the stored form
// `k8s:enc:aesgcm:v1:<key name>:<base64(nonce | ciphertext | tag)>` as Kubernetes' EncryptionConfiguration names it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The prefix every aesgcm value starts with; the key's name and a ':' follow. */
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';

/** The prefix of any encrypted value (any provider). */
export const ENCRYPTED_PREFIX = 'k8s:enc:';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** One named AES key (16, 24 or 32 bytes: AES-128/192/256). */
export interface AesKey {
  name: string;
  secret: Buffer;
}

/** Encrypt `plaintext` stored under `storageKey` with `key`. */
export function sealAesGcm(key: AesKey, storageKey: string, plaintext: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(algorithm(key), key.secret, nonce);
  cipher.setAAD(Buffer.from(storageKey));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${AESGCM_PREFIX}${key.name}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** The key name an aesgcm value names, or undefined when `stored` is not one. */
export function aesGcmKeyName(stored: string): string | undefined {
  if (!stored.startsWith(AESGCM_PREFIX)) return undefined;
  const end = stored.indexOf(':', AESGCM_PREFIX.length);
  return end < 0 ? undefined : stored.slice(AESGCM_PREFIX.length, end);
}

/** Decrypt an aesgcm value with `key`; throws when it was not sealed with that key for `storageKey` (GCM's tag). */
export function openAesGcm(key: AesKey, storageKey: string, stored: string): string {
  const raw = Buffer.from(stored.slice(AESGCM_PREFIX.length + key.name.length + 1), 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
  const decipher = createDecipheriv(algorithm(key), key.secret, raw.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(storageKey));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}

function algorithm(key: AesKey): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return `aes-${key.secret.length * 8}-gcm` as 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
}
