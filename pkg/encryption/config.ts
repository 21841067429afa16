// Reading an EncryptionConfiguration (Kubernetes' apiserver.config.k8s.io/v1 file, the aesgcm and identity
// providers) into transform rules. Every mistake is reported with its field path, all at once.
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import type { AesKey } from './aesgcm.ts';
import type { Provider, TransformRule } from './transformer.ts';

/** Maps a resource name of the config (`secrets`, `variables.drover.dev`) to its storage key prefix, or undefined. */
export type ResolvePrefix = (resource: string) => string | undefined;

/** A config file that cannot be used; `problems` are `field.path: message` lines. */
export class EncryptionConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`encryption config ${source}: ${problems.join('; ')}`);
    this.name = 'EncryptionConfigError';
  }
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const AES_KEY_BYTES = [16, 24, 32];

/** Parse `text` (YAML or JSON) into rules; `source` names the file in errors. */
export function parseEncryptionConfig(text: string, resolve: ResolvePrefix, source = 'file'): TransformRule[] {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new EncryptionConfigError([`not YAML: ${(err as Error).message}`], source);
  }
  if (!isRecord(doc)) throw new EncryptionConfigError(['must be a mapping with kind EncryptionConfiguration'], source);
  if (doc.kind !== 'EncryptionConfiguration') problems.push(`kind: must be EncryptionConfiguration`);
  if (doc.apiVersion !== 'apiserver.config.k8s.io/v1') problems.push(`apiVersion: must be apiserver.config.k8s.io/v1`);
  const allowed = new Set(['kind', 'apiVersion', 'resources']);
  for (const k of Object.keys(doc)) if (!allowed.has(k)) problems.push(`${k}: unknown field`);
  const rules: TransformRule[] = [];
  const seen = new Map<string, string>();
  const entries = Array.isArray(doc.resources) ? doc.resources : [];
  if (entries.length === 0) problems.push('resources: must list at least one entry');
  entries.forEach((entry, i) => {
    const path = `resources[${i}]`;
    if (!isRecord(entry)) return void problems.push(`${path}: must be a mapping`);
    for (const k of Object.keys(entry)) if (k !== 'resources' && k !== 'providers') problems.push(`${path}.${k}: unknown field`);
    const providers = parseProviders(entry.providers, `${path}.providers`, problems);
    const names = Array.isArray(entry.resources) ? entry.resources : [];
    if (names.length === 0) problems.push(`${path}.resources: must name at least one resource`);
    names.forEach((name, j) => {
      const p = `${path}.resources[${j}]`;
      const prefix = typeof name === 'string' ? resolve(name) : undefined;
      if (prefix === undefined) return void problems.push(`${p}: unknown resource ${JSON.stringify(name)}`);
      if (seen.has(prefix)) return void problems.push(`${p}: ${JSON.stringify(name)} is already configured at ${seen.get(prefix)}`);
      seen.set(prefix, p);
      rules.push({ resource: String(name), prefix, providers });
    });
  });
  if (problems.length > 0) throw new EncryptionConfigError(problems, source);
  return rules;
}

function parseProviders(raw: unknown, path: string, problems: string[]): Provider[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(`${path}: must list at least one provider (aesgcm or identity)`);
    return [];
  }
  const names = new Set<string>();
  return raw.flatMap((p, i): Provider[] => {
    const at = `${path}[${i}]`;
    if (!isRecord(p) || Object.keys(p).length !== 1) return void problems.push(`${at}: must name exactly one provider: aesgcm or identity`), [];
    if ('identity' in p) return [{ type: 'identity' }];
    if (!('aesgcm' in p)) return void problems.push(`${at}.${Object.keys(p)[0]}: unsupported provider (aesgcm, identity)`), [];
    const keys = isRecord(p.aesgcm) && Array.isArray(p.aesgcm.keys) ? p.aesgcm.keys : [];
    if (keys.length === 0) return void problems.push(`${at}.aesgcm.keys: must list at least one key`), [];
    const parsed = keys.flatMap((k, j): AesKey[] => {
      const kp = `${at}.aesgcm.keys[${j}]`;
      const name = isRecord(k) ? k.name : undefined;
      const secret = isRecord(k) && typeof k.secret === 'string' ? Buffer.from(k.secret, 'base64') : undefined;
      if (typeof name !== 'string' || !KEY_NAME.test(name)) return void problems.push(`${kp}.name: must be 1-63 letters, digits, '.', '_' or '-'`), [];
      if (names.has(name)) return void problems.push(`${kp}.name: duplicate key name ${JSON.stringify(name)}`), [];
      names.add(name);
      if (!secret || !AES_KEY_BYTES.includes(secret.length)) return void problems.push(`${kp}.secret: must be the base64 of 16, 24 or 32 random bytes`), [];
      return [{ name, secret }];
    });
    return [{ type: 'aesgcm', keys: parsed }];
  });
}

/** A fresh config for `resources`: one new random 32-byte aesgcm key named `name`, then identity (so data stored before encryption was on stays readable until rewritten). */
export function generateEncryptionConfig(resources: string[], name = 'key1'): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources, providers: [{ aesgcm: { keys: [{ name, secret: randomBytes(32).toString('base64') }] } }, { identity: {} }] }],
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
