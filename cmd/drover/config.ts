// Where the CLI connects: flags > environment > config file context > default, as kubectl's kubeconfig does.
// The config file (~/.drover/config.yaml) holds named contexts: {name, server, token?, namespace?}.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

/** One named connection in the config file. */
export interface Context {
  name: string;
  server: string;
  token?: string;
  namespace?: string;
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
  return {
    server: flags.server ?? env.DROVER_ADDR ?? ctx?.server ?? DEFAULT_SERVER,
    token: flags.token ?? env.DROVER_TOKEN ?? ctx?.token,
    namespace: flags.namespace ?? ctx?.namespace ?? 'default',
    context: ctx?.name,
  };
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
