// `drover dev`: the whole system in one process on the embedded memory store, persisted to a data directory.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../pkg/clock/clock.ts';
import type { Logger } from '../../../pkg/log/logger.ts';
import { openMemoryStore } from '../../../pkg/storage/memory/index.ts';
import { defaultComponents, type Component } from '../components.ts';
import { devEncryptionConfig, withEncryption } from '../encryption.ts';
import { serve } from '../serve.ts';
import { readServerTls, type ServerTlsFlags } from '../tls-files.ts';
import type { AuditLevel } from '../../../pkg/auth/audit.ts';
import type { DisruptionOptions } from '../../../pkg/controllers/health/disruption.ts';
import { DEFAULT_FLOW_CONTROL, type FlowControlConfig } from '../../../pkg/flowcontrol/index.ts';
import { localAgentComponent } from './agent.ts';
import { resolveAdminToken } from '../admin-token.ts';
import { saveContext } from '../config.ts';

/** Arguments of `drover dev`. */
export interface DevArgs {
  port: number;
  host: string;
  dataDir: string;
  /** Silence past a node lease's TTL before the node is down (default 10 s). */
  heartbeatGraceMs?: number;
  /** EncryptionConfiguration file; default `<dataDir>/encryption-config.yaml`, created with a new key on first start. */
  encryptionConfig?: string;
  /** HTTPS: --tls-cert-file, --tls-key-file, --client-ca-file. */
  tls?: ServerTlsFlags;
  /** The health controller's partial-disruption rule. */
  disruption?: DisruptionOptions;
  /** API Priority and Fairness (false: off; default: pkg/flowcontrol's defaults). */
  flowControl?: FlowControlConfig | false;
  /** Defaults to defaultComponents('dev'). */
  components?: Component[];
  /** The bootstrap admin token (default: <dataDir>/admin.token's, created on first start). */
  adminToken?: string;
  /** The CLI config file that gets the context "dev" (server and admin token); unwritable = a warning. */
  configPath?: string;
  /** Serve without authentication (benchmarks, throwaway clusters). */
  insecureNoAuth?: boolean;
  /** The audit log file and level. */
  audit?: { path: string; level: AuditLevel };
}

/** The CLI context `drover dev` writes. */
export const DEV_CONTEXT = 'dev';

/** What `dev` runs with. */
export interface DevDeps {
  logger: Logger;
  clock: Clock;
  out(text: string): void;
  signal: AbortSignal;
  startedAt: number;
  /** Drover's version, served at /version. */
  version: string;
  /** Colour in the banner. */
  colour?: boolean;
  /** The log level, shown in the banner. */
  logLevel?: string;
}

/** Run `dev` until `deps.signal` aborts; returns the exit code. */
export async function dev(args: DevArgs, deps: DevDeps): Promise<number> {
  await mkdir(args.dataDir, { recursive: true });
  const tokenFile = join(args.dataDir, 'admin.token');
  const adminToken = args.insecureNoAuth ? undefined : await resolveAdminToken(args.adminToken, tokenFile);
  const configPath = args.configPath;
  const raw = await openMemoryStore({ dataDir: args.dataDir, logger: deps.logger, clock: deps.clock });
  try {
    const { store, summary } = await withEncryption(raw, await devEncryptionConfig(args.dataDir, args.encryptionConfig), deps.logger);
    const tls = await readServerTls(args.tls ?? {});
    return await serve({
      tls,
      label: 'drover dev',
      store,
      port: args.port,
      flowControl: args.flowControl ?? DEFAULT_FLOW_CONTROL,
      host: args.host,
      storage: `data ${args.dataDir}`,
      bannerRows: [
        ['Data dir', `${args.dataDir} (the embedded store and the local agent's allocations; delete it to start afresh)`],
        ['Encryption', summary],
        ['Runs', 'the API server, every controller, the scheduler and a node agent for this machine, in this process'],
      ],
      // One local node agent too, so a job applied to `drover dev` runs on this machine (its state under <data>/agent).
      components: args.components ?? [...defaultComponents('dev', { heartbeatGraceMs: args.heartbeatGraceMs, disruption: args.disruption }), localAgentComponent({ dataDir: join(args.dataDir, 'agent'), version: deps.version })],
      security: adminToken === undefined ? undefined : {
        adminToken,
        describe: `admin token in ${tokenFile}${configPath ? ` (and in the CLI context "${DEV_CONTEXT}" of ${configPath})` : ''}`,
        async onListening(url) {
          if (!configPath) return;
          await saveContext(configPath, { name: DEV_CONTEXT, server: url, token: adminToken }).catch((err) =>
            deps.logger.warn('could not write the CLI context; pass --token or DROVER_TOKEN', { path: configPath, err: String(err) }),
          );
        },
      },
      audit: args.audit,
      ...deps,
    });
  } finally {
    await raw.close();
  }
}
