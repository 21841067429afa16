// Encryption at rest: the EncryptionConfiguration reader, the value transformer, the encrypting Store wrapper
// and the rewrite at start. See README.md.
export { AESGCM_PREFIX, type AesKey } from './aesgcm.ts';
export { EncryptionConfigError, generateEncryptionConfig, parseEncryptionConfig, type ResolvePrefix } from './config.ts';
export { encryptingStore } from './encrypting-store.ts';
export { rewriteStale, UnreadableValuesError, type RewriteReport } from './rewrite.ts';
export { DecryptError, ValueTransformer, type Opened, type Provider, type TransformRule } from './transformer.ts';
