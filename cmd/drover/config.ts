// Where the CLI connects: flags > environment > config file context > default, as kubectl's kubeconfig does.
// The config file (~/.drover/config.yaml) holds named contexts: {name, server, token?, namespace?} and, for https
// servers, certificateAuthority (a file) or certificateAuthorityData (base64 PEM, as a kubeconfig carries it),
// clientCertificate and clientKey (files).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClientTlsFlags } from './tls-files.ts';

/** One named connection in the config file. */
export interface Context {
  name: string;
  server: string;
  token?: string;
  namespace?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  clientCertificate?: string;
  clientKey?: string;
}

/** The config file's shape. */
export interface CliConfig {
  currentContext?: string;
  contexts: Context[];
}

/** Where the CLI connects, after resolution. */
export interface Connection {
  server: string;
  token?: string;
  /** The default namespace for namespaced kinds. */
  namespace: string;
  /** The context used, if any. */
  context?: string;
  /** TLS files (or inline CA data) for an https server: flags over the context's (absent when neither gives any). */
  tls?: ClientTlsFlags;
}

/** The server used when nothing else says otherwise (`drover dev`'s default address). */
export const DEFAULT_SERVER = 'http://127.0.0.1:7070';

/** The global flags that bear on the connection. */
export interface ConnectionFlags {
  server?: string;
  token?: string;
  context?: string;
  config?: string;
  namespace?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
}

/** Default config file path under `homedir`. */
export const defaultConfigPath = (homedir: string) => join(homedir, '.drover', 'config.yaml');

/** Read and check a config file; a missing file is an empty config. */
export async function loadConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: [] };
    throw err;
  }
  const doc = (parse(text) ?? {}) as Partial<CliConfig>;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: expected a mapping with currentContext and contexts`);
  const contexts = doc.contexts ?? [];
  if (!Array.isArray(contexts)) throw new Error(`${path}: contexts must be a list`);
  for (const [i, c] of contexts.entries()) {
    if (!c || typeof c.name !== 'string' || typeof c.server !== 'string') throw new Error(`${path}: contexts[${i}] needs a name and a server`);
    for (const f of ['certificateAuthority', 'certificateAuthorityData', 'clientCertificate', 'clientKey'] as const) {
      if (c[f] !== undefined && typeof c[f] !== 'string') throw new Error(`${path}: contexts[${i}].${f} must be a string`);
    }
  }
  return { currentContext: doc.currentContext, contexts };
}

/** Resolve the connection: flags > env (DROVER_ADDR, DROVER_TOKEN, DROVER_CONTEXT) > config context > default. */
export async function resolveConnection(flags: ConnectionFlags, env: Record<string, string | undefined>, homedir: string): Promise<Connection> {
  const config = await loadConfig(flags.config ?? env.DROVER_CONFIG ?? defaultConfigPath(homedir));
  const wanted = flags.context ?? env.DROVER_CONTEXT ?? config.currentContext;
  const ctx = wanted ? config.contexts.find((c) => c.name === wanted) : undefined;
  // A context asked for by name must exist; a stale currentContext is an error too rather than a silent default.
  if (wanted && !ctx) throw new Error(`context "${wanted}" not found in the config file`);
  // A CA or client certificate on the command line replaces the context's as a whole (never a mix of the two).
  const fromFlags = flags.certificateAuthority || flags.clientCertificate || flags.clientKey;
  const tls = defined(
    fromFlags
      ? { certificateAuthority: flags.certificateAuthority, clientCertificate: flags.clientCertificate, clientKey: flags.clientKey }
      : { certificateAuthority: ctx?.certificateAuthority, certificateAuthorityData: ctx?.certificateAuthorityData, clientCertificate: ctx?.clientCertificate, clientKey: ctx?.clientKey },
  );
  return {
    server: flags.server ?? env.DROVER_ADDR ?? ctx?.server ?? DEFAULT_SERVER,
    token: flags.token ?? env.DROVER_TOKEN ?? ctx?.token,
    namespace: flags.namespace ?? ctx?.namespace ?? 'default',
    context: ctx?.name,
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Put context `ctx` into the config file at `path` (replacing one of the same name), and make it the current
 * context when the file has none, so a fresh `drover dev` is usable with no flags. Written with mode 0600:
 * it holds tokens.
 */
export async function saveContext(path: string, ctx: Context): Promise<void> {
  const config = await loadConfig(path);
  const contexts = [...config.contexts.filter((c) => c.name !== ctx.name), ctx];
  const doc = { currentContext: config.currentContext ?? ctx.name, contexts };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(doc), { mode: 0o600 });
}
