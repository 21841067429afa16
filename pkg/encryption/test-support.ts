// Shared by the encryption tests: configs with named keys, and rules for the Secret prefix.
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { parseEncryptionConfig } from './config.ts';
import { ValueTransformer } from './transformer.ts';

/** The Secret key prefix, as the API server lays it out. */
export const SECRETS_PREFIX = '/registry/secrets/';

/** A named key with fresh random bytes. */
export function newKey(name: string): { name: string; secret: string } {
  return { name, secret: randomBytes(32).toString('base64') };
}

/** An EncryptionConfiguration text for secrets with `providers` in order ('identity' or a list of keys for aesgcm). */
export function configText(...providers: Array<'identity' | Array<{ name: string; secret: string }>>): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: providers.map((p) => (p === 'identity' ? { identity: {} } : { aesgcm: { keys: p } })) }],
  });
}

/** A transformer for `configText(...providers)`. */
export function transformerOf(...providers: Parameters<typeof configText>): ValueTransformer {
  return new ValueTransformer(parseEncryptionConfig(configText(...providers), (r) => (r === 'secrets' ? SECRETS_PREFIX : undefined)));
}
