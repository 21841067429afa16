// The command tree (commander): parses flags, resolves the connection and hands each command core a context.
// `run(argv, io)` is the whole CLI as a function — main.ts calls it with the process, tests with fakes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Argument, Command, CommanderError, Option } from 'commander';
import { createClient } from '../../pkg/client/client.ts';
import { auditOf, collect, disruptionOf, duration, flowControlOf, heartbeatGrace, logFormat, logLevel, nonNegativeInt, port, withApiServerOptions } from './flags.ts';
import { createLogger, LEVELS, type Level } from '../../pkg/log/logger.ts';
import { jsonFormat } from '../../pkg/log/json-format.ts';
import { textFormat } from '../../pkg/log/text-format.ts';
import { apply } from './commands/apply.ts';
import { completionScript, COMPLETION_SHELLS } from './commands/completion.ts';
import { complete, serverNames } from './complete.ts';
import { del } from './commands/delete.ts';
import { deploymentSet, deploymentStatus, rolloutStatus } from './commands/deployment.ts';
import { describe } from './commands/describe.ts';
import { get } from './commands/get.ts';
import { jobDispatch, jobPeriodicForce } from './commands/job-launch.ts';
import { jobHistory, jobRevert } from './commands/job-history.ts';
import { jobScale, jobStop } from './commands/job-lifecycle.ts';
import { jobStatus } from './commands/job-status.ts';
import { logs } from './commands/logs.ts';
import { nodeDrain, nodeEligibility, DEFAULT_DRAIN_DEADLINE } from './commands/node.ts';
import { plan, PLAN_ERROR_EXIT, PLAN_OUTPUT_FORMATS } from './commands/plan.ts';
import { version } from './commands/version.ts';
import { convert, CONVERT_TARGETS } from './commands/convert.ts';
import { formatOptions, withFormatOptions } from './format-options.ts';
import { readTokenFile } from './admin-token.ts';
import { defaultConfigPath, resolveConnection, type ConnectionFlags } from './config.ts';
import type { CommandContext } from './context.ts';
import { describeError } from './errors.ts';
import { readClientTls, readLogListenerTls, type ClientTlsFlags } from './tls-files.ts';
import { useColour, type CliIo } from './io.ts';
import { parseOutputFormat } from './output.ts';

/** The CLI's own version (package.json). */
export const CLIENT_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** Run the CLI with `argv` (arguments after the program name); resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  // The completion scripts' question, answered before commander parses (its words are not drover's flags).
  if (argv[0] === COMPLETE_COMMAND) return completeWords(argv.slice(1), io);
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv.map(nomadVarFlag), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander prints its own errors; ours (an option's value refused by its parser) are printed here.
      if (err.code.startsWith('drover.')) io.err(`${err.message}\n`);
      return err.exitCode;
    }
    io.err(describeError(err) + '\n');
    return 1;
  }
  return code;
}

/** Nomad's single-dash -var and -var-file (commander reads -var as -v -a -r) as --var and --var-file. */
const nomadVarFlag = (arg: string) => (/^-var(-file)?(=|$)/.test(arg) ? `-${arg}` : arg);

/** The hidden command the completion scripts run: `drover __complete WORD... CURRENT`. */
export const COMPLETE_COMMAND = '__complete';

async function completeWords(words: string[], io: CliIo): Promise<number> {
  const names = serverNames(io, `drover/${CLIENT_VERSION}`);
  for (const c of await complete(buildProgram(io), words.length ? words : [''], names)) io.out(c + '\n');
  return 0;
}

/** The commander program; `setExit` receives each action's exit code. Exported for the docs generator. */
export function buildProgram(io: CliIo, setExit: (code: number) => void = () => {}): Command {
  const program = new Command('drover')
    .description('Drover: a declarative cluster scheduler (Nomad\'s job model on a Kubernetes-style API)')
    .option('--server <url>', 'API server URL; several, comma-separated or repeated, to fail over between (env DROVER_ADDR; default http://127.0.0.1:7070)', (v: string, prev?: string) => (prev ? `${prev},${v}` : v))
    .option('--token <token>', 'bearer token (env DROVER_TOKEN)')
    .option('--context <name>', 'context from the config file (env DROVER_CONTEXT; default: its currentContext)')
    .option('--config <path>', 'config file (env DROVER_CONFIG; default ~/.drover/config.yaml)')
    .option('--certificate-authority <file>', "CA certificate that vouches for an https server (default: the system's roots)")
    .option('--client-certificate <file>', 'client certificate for TLS authentication (CN = user, O = groups)')
    .option('--client-key <file>', 'key of --client-certificate')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  // Subcommands inherit output and exit behaviour.
  const command = (name: string) => program.command(name).configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();

  // Client-side commands: resolve the connection, build a client, run the core, always close the client.
  // `errorExit` is the exit code of a failure (1, like kubectl; `plan` uses Nomad's 255).
  const withClient = async (cmd: Command, fn: (ctx: CommandContext) => Promise<number>, errorExit = 1) => {
    const flags = cmd.optsWithGlobals<ConnectionFlags & ClientTlsFlags>();
    let serverUrl: string | undefined;
    try {
      const conn = await resolveConnection({ ...flags, namespace: undefined }, io.env, io.homedir);
      serverUrl = conn.server;
      const client = createClient({ server: conn.server, token: conn.token, userAgent: `drover/${CLIENT_VERSION}`, tls: await readClientTls(conn.tls ?? {}) });
      try {
        setExit(await fn({ client, out: io.out, err: io.err, namespace: conn.namespace, now: () => io.clock.now(), signal: io.signal }));
      } finally {
        await client.close();
      }
    } catch (err) {
      io.err(describeError(err, serverUrl) + '\n');
      setExit(errorExit);
    }
  };
  // Logs: text for a person at a terminal, JSON lines for whatever reads a pipe (unless --log-format says).
  const serverDeps = (o: { logLevel: string; logFormat?: string }) => ({
    logger: createLogger({
      level: o.logLevel as Level,
      out: (line) => io.err(line + '\n'),
      format: (o.logFormat ?? (io.errIsTTY ? 'text' : 'json')) === 'text' ? textFormat({ colour: useColour(io.errIsTTY, io.env) }) : jsonFormat,
    }),
    colour: useColour(io.outIsTTY, io.env),
    logLevel: o.logLevel,
    clock: io.clock,
    out: io.out,
    signal: io.signal,
    startedAt: io.startedAt,
    version: CLIENT_VERSION,
  });

  withApiServerOptions(command('dev'))
    .description('run the API server and every component in one process on the embedded store')
    .option('--port <port>', 'port to listen on', port, 7070)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where state is kept (default ~/.drover/dev)')
    .option('--encryption-config <file>', 'EncryptionConfiguration for Secrets at rest (default <data-dir>/encryption-config.yaml, created with a new key)')
    .option('--admin-token <token>', 'the bootstrap admin token (default: the one in <data-dir>/admin.token, created on first start); also written to the CLI context "dev"')
    // dev and server load the API server and storage lazily, so client commands start without them.
    .action(async (o, cmd: Command) => {
      const { dev } = await import('./commands/dev.ts');
      const configPath = cmd.optsWithGlobals<ConnectionFlags>().config ?? io.env.DROVER_CONFIG ?? defaultConfigPath(io.homedir);
      const args = { port: o.port, host: o.host, dataDir: o.dataDir ?? join(io.homedir, '.drover', 'dev'), heartbeatGraceMs: o.heartbeatGrace, encryptionConfig: o.encryptionConfig, tls: o, adminToken: o.adminToken, configPath, insecureNoAuth: o.insecureNoAuth, audit: auditOf(o), flowControl: flowControlOf(o), disruption: disruptionOf(o) };
      setExit(await dev(args, serverDeps(o)));
    });

  withApiServerOptions(command('server'))
    .description('run the API server and control-plane components on etcd')
    .requiredOption('--etcd-endpoints <urls>', 'comma-separated etcd client URLs, e.g. http://127.0.0.1:2379 (https://... with --etcd-cafile)')
    .option('--etcd-cafile <file>', "speak TLS to etcd, verifying its members' certificates against this CA")
    .option('--etcd-certfile <file>', 'client certificate presented to etcd (its --client-cert-auth)')
    .option('--etcd-keyfile <file>', 'key of --etcd-certfile')
    .option('--agent-certificate-authority <file>', "CA of the agents' log-listener certificates (agents serving with --tls-cert-file)")
    .option('--agent-client-certificate <file>', 'client certificate this server presents to agents (their --client-ca-file must have signed it)')
    .option('--agent-client-key <file>', 'key of --agent-client-certificate')
    .option('--encryption-config <file>', 'EncryptionConfiguration for Secrets at rest (aesgcm keys; stale values are rewritten at start)')
    .option('--port <port>', 'port to listen on', port, 7070)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--admin-token <token>', 'the bootstrap admin token (also written to --admin-token-file)')
    .option('--admin-token-file <path>', 'where the bootstrap admin token is kept; created with a new token on first start (default ~/.drover/server/admin.token)')
    .action(async (o) => {
      const { server } = await import('./commands/server.ts');
      const etcdEndpoints = String(o.etcdEndpoints).split(',').map((s) => s.trim()).filter(Boolean);
      const adminTokenFile = o.adminTokenFile ?? join(io.homedir, '.drover', 'server', 'admin.token');
      setExit(await server({ etcdEndpoints, port: o.port, host: o.host, heartbeatGraceMs: o.heartbeatGrace, encryptionConfig: o.encryptionConfig, tls: o, etcdTls: { caFile: o.etcdCafile, certFile: o.etcdCertfile, keyFile: o.etcdKeyfile }, agentTls: o, adminToken: o.adminToken, adminTokenFile, insecureNoAuth: o.insecureNoAuth, audit: auditOf(o), flowControl: flowControlOf(o), disruption: disruptionOf(o) }, serverDeps(o)));
    });

  command('apply')
    .description('create or update objects from manifests by server-side apply (field manager "drover")')
    .requiredOption('-f, --filename <path>', 'file, directory or - for stdin (repeatable)', collect)
    .option('-R, --recursive', 'descend into subdirectories of directories given with -f')
    .option('-n, --namespace <ns>', 'namespace for objects that do not set one')
    .addOption(new Option('--dry-run [mode]', 'server: validate and admit without storing').choices(['server', 'none']).preset('server'))
    .option('--force-conflicts', 'take ownership of fields other managers own instead of failing');
  withFormatOptions(program.commands.at(-1)!)
    .action((o, cmd: Command) =>
      withClient(cmd, async (ctx) =>
        apply(ctx, { files: o.filename, recursive: o.recursive, namespace: o.namespace, dryRun: o.dryRun === 'server', forceConflicts: o.forceConflicts, readStdin: io.readStdin, ...(await formatOptions(o)) }),
      ),
    );

  command('plan')
    .summary('dry-run jobs like `nomad job plan`: the diff, the placements, and why placements fail')
    .description(
      'dry-run jobs against the running cluster, like `nomad job plan`: the diff against the running job, the placements, ' +
        'and for placements that fail why (nodes filtered by which check, exhausted by which dimension); nothing is stored. ' +
        'Exit code: 0 no allocations would be created or destroyed, 1 some would (failed placements included), 255 error',
    )
    .requiredOption('-f, --filename <path>', 'file, directory or - for stdin holding Jobs (repeatable)', collect)
    .option('-R, --recursive', 'descend into subdirectories of directories given with -f')
    .option('-n, --namespace <ns>', 'namespace for jobs that do not set one')
    .addOption(new Option('-o, --output <format>', 'output format').choices(PLAN_OUTPUT_FORMATS).default('text'))
    .option('--verbose', 'also unchanged fields, fields of added tasks, node usage after the plan and placement scores');
  withFormatOptions(program.commands.at(-1)!)
    // Usage errors too exit with Nomad's 255 (help still exits 0).
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(PLAN_ERROR_EXIT, err.code, err.message);
    })
    .action((o, cmd: Command) =>
      withClient(
        cmd,
        async (ctx) => plan(ctx, { files: o.filename, recursive: o.recursive, namespace: o.namespace, output: o.output, verbose: o.verbose, readStdin: io.readStdin, ...(await formatOptions(o)) }),
        PLAN_ERROR_EXIT,
      ),
    );

  command('get')
    .description('list objects of a kind, or show named ones')
    .argument('<kind>', 'kind: plural, singular, short name, Kind or kind.drover.dev')
    .argument('[names...]', 'object names')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=cache')
    .option('--field-selector <selector>', 'field selector, e.g. spec.nodeName=n1')
    .option('-o, --output <format>', 'output format: table, wide, yaml, json, name, or jsonpath=TEMPLATE (kubectl\'s JSONPath, e.g. \'{.items[*].metadata.name}\')', 'table')
    .option('-w, --watch', 'after listing, watch for changes')
    .option('--watch-only', 'watch for changes without listing first')
    .action((kind: string, names: string[], o, cmd: Command) =>
      withClient(cmd, (ctx) =>
        get(ctx, {
          kind,
          names,
          namespace: o.namespace,
          allNamespaces: o.allNamespaces,
          labelSelector: o.selector,
          fieldSelector: o.fieldSelector,
          output: parseOutputFormat(o.output),
          watch: o.watch,
          watchOnly: o.watchOnly,
        }),
      ),
    );

  command('describe')
    .description('show an object in detail, with the events about it')
    .argument('<kind>', 'kind: plural, singular, short name, Kind or kind.drover.dev')
    .argument('<names...>', 'object names')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .action((kind: string, names: string[], o, cmd: Command) => withClient(cmd, (ctx) => describe(ctx, { kind, names, namespace: o.namespace })));

  command('delete')
    .description('delete objects by kind and name, or those in manifests')
    .argument('[args...]', 'KIND NAME... (or nothing with -f)')
    .option('-f, --filename <path>', 'delete the objects in a file, directory or - for stdin (repeatable)', collect)
    .option('-R, --recursive', 'descend into subdirectories of directories given with -f')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .option('--ignore-not-found', 'treat objects that do not exist as deleted')
    .addOption(new Option('--dry-run [mode]', 'server: check without deleting').choices(['server', 'none']).preset('server'))
    .action((args: string[], o, cmd: Command) =>
      withClient(cmd, (ctx) =>
        del(ctx, { args, files: o.filename, recursive: o.recursive, namespace: o.namespace, ignoreNotFound: o.ignoreNotFound, dryRun: o.dryRun === 'server', readStdin: io.readStdin }),
      ),
    );

  const node = command('node').description('operate on nodes: drain them, change their eligibility (list them with `get nodes`)');
  const nodeCommand = (name: string) => node.command(name).configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  nodeCommand('drain')
    .description('migrate allocations off a node under their jobs\' migrate policies and make it ineligible (or cancel a drain)')
    .argument('<node>', 'node name')
    .option('--deadline <duration>', `time allowed before everything left is stopped (moved where there is room) and the drain ends (default ${DEFAULT_DRAIN_DEADLINE})`)
    .option('--no-deadline', 'no deadline: migrate only as the migrate policies allow')
    .option('--force', 'deadline now: stop (move) every allocation at once')
    .option('--ignore-system', 'leave allocations of system jobs running')
    .option('--disable', 'cancel the drain and make the node eligible again')
    .option('--keep-ineligible', 'with --disable: leave the node ineligible')
    .action((name: string, o, cmd: Command) =>
      withClient(cmd, (ctx) =>
        nodeDrain(ctx, {
          node: name,
          deadline: typeof o.deadline === 'string' ? o.deadline : undefined,
          noDeadline: o.deadline === false,
          force: o.force,
          ignoreSystem: o.ignoreSystem,
          disable: o.disable,
          keepIneligible: o.keepIneligible,
        }),
      ),
    );
  nodeCommand('eligibility')
    .description('allow (--enable) or forbid (--disable) new placements on a node; running allocations stay')
    .argument('<node>', 'node name')
    .option('--enable', 'make the node eligible')
    .option('--disable', 'make the node ineligible')
    .action((name: string, o, cmd: Command) => withClient(cmd, (ctx) => nodeEligibility(ctx, { node: name, enable: o.enable, disable: o.disable })));

  const job = command('job').description('inspect and operate on a job without its manifest: status, history, revert, scale, stop, dispatch, periodic force');
  const jobCommand = (parent: Command, name: string) => parent.command(name).configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  const nsOption = () => new Option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")');
  jobCommand(job, 'status')
    .description("Nomad's job view: status, summary per group, latest deployment, placement failures of the latest blocked evaluation, allocations with version and health")
    .argument('<job>', 'job name')
    .addOption(nsOption())
    .action((name: string, o, cmd: Command) => withClient(cmd, (ctx) => jobStatus(ctx, { job: name, namespace: o.namespace })));
  jobCommand(job, 'history')
    .description('the recorded versions of a job, newest first (stable or not, when submitted)')
    .argument('<job>', 'job name')
    .addOption(nsOption())
    .option('-p, --diffs', 'show the diff of each version to the one before')
    .action((name: string, o, cmd: Command) => withClient(cmd, (ctx) => jobHistory(ctx, { job: name, namespace: o.namespace, diffs: o.diffs })));
  jobCommand(job, 'revert')
    .description("put the spec of a recorded version back (the job gets a new version, rolled out under its update policy)")
    .argument('<job>', 'job name')
    .argument('<version>', 'version number, from `drover job history`')
    .addOption(nsOption())
    .action((name: string, version: string, o, cmd: Command) => withClient(cmd, (ctx) => jobRevert(ctx, { job: name, version, namespace: o.namespace })));
  jobCommand(job, 'scale')
    .description("set a group's count")
    .argument('<job>', 'job name')
    .argument('<group>', 'task group name')
    .argument('<count>', 'allocations wanted')
    .addOption(nsOption())
    .action((name: string, group: string, count: string, o, cmd: Command) => withClient(cmd, (ctx) => jobScale(ctx, { job: name, group, count, namespace: o.namespace })));
  jobCommand(job, 'stop')
    .description('stop every allocation of a job and keep the job (spec.stop), or delete it with --purge')
    .argument('<job>', 'job name')
    .addOption(nsOption())
    .option('--purge', 'delete the job instead of keeping it stopped')
    .action((name: string, o, cmd: Command) => withClient(cmd, (ctx) => jobStop(ctx, { job: name, namespace: o.namespace, purge: o.purge })));
  jobCommand(job, 'dispatch')
    .description("create a child job of a parameterized job, like `nomad job dispatch`: meta keys as the job's metaRequired/metaOptional allow, and a payload its tasks receive through dispatchPayload")
    .argument('<job>', 'the parameterized job')
    .argument('[payload-file]', 'file holding the payload (- for stdin)')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .option('--meta <key=value>', 'a meta key of the child (repeatable)', collect)
    .option('-q, --quiet', "print only the child's name")
    .action((name: string, payloadFile: string | undefined, o, cmd: Command) =>
      withClient(cmd, (ctx) => jobDispatch(ctx, { job: name, namespace: o.namespace, meta: o.meta, payloadFile, quiet: o.quiet, readStdin: io.readStdin })),
    );
  const periodic = jobCommand(job, 'periodic').description('operate on periodic jobs');
  jobCommand(periodic, 'force')
    .description("launch a periodic job's child now, like `nomad job periodic force` (whatever the schedule and prohibitOverlap say)")
    .argument('<job>', 'the periodic job')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .action((name: string, o, cmd: Command) => withClient(cmd, (ctx) => jobPeriodicForce(ctx, { job: name, namespace: o.namespace })));
  const deployment = command('deployment').description("follow and steer a job version's rollout (list them with `get deployments`)");
  const deploymentCommand = (name: string) => deployment.command(name).configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  deploymentCommand('status')
    .description("a deployment's phase and per-group progress (desired, placed, healthy, unhealthy, progress deadline)")
    .argument('[name]', 'deployment name (or --job)')
    .option('--job <job>', "the deployment of the job's current version")
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .action((name: string | undefined, o, cmd: Command) => withClient(cmd, (ctx) => deploymentStatus(ctx, { name, job: o.job, namespace: o.namespace })));
  const actions = [
    ['promote', "promote the deployment's canaries: the rest of the rollout goes on"],
    ['pause', 'stop placing new batches until resumed (the progress deadline stops too)'],
    ['resume', 'continue a paused deployment'],
    ['fail', 'fail the deployment now (autoRevert then rolls back)'],
  ] as const;
  for (const [action, what] of actions) {
    deploymentCommand(action)
      .description(what)
      .argument('<name>', 'deployment name')
      .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
      .action((name: string, o, cmd: Command) => withClient(cmd, (ctx) => deploymentSet(ctx, { name, action, namespace: o.namespace })));
  }

  const rollout = command('rollout').description('follow rollouts of jobs');
  rollout
    .command('status')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .description("follow the deployment of the job's current version until it ends; exit 0 when it succeeds, 1 when it fails or is cancelled")
    .argument('<job>', 'job name')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .action((job: string, o, cmd: Command) => withClient(cmd, (ctx) => rolloutStatus(ctx, { job, namespace: o.namespace })));

  command('logs')
    .description("print a task's stdout (or stderr) of an allocation, through the API server from the allocation's agent, like `kubectl logs`")
    .argument('<alloc>', 'allocation name')
    .argument('[task]', "task name (default: the allocation's first main task)")
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, or "default")')
    .option('-f, --follow', 'keep streaming what the task writes')
    .option('--stderr', 'stderr instead of stdout')
    .option('--tail <lines>', 'only the last N lines')
    .action((alloc: string, task: string | undefined, o, cmd: Command) =>
      withClient(cmd, (ctx) => logs(ctx, { alloc, task, namespace: o.namespace, follow: o.follow, stderr: o.stderr, tail: o.tail })),
    );

  const token = command('token').description('user tokens as Token objects (auth.drover.dev): create one for a person or a node agent, revoke one; `get tokens` lists them (their SHA-256, never the token)');
  const tokenCommand = (name: string) => token.command(name).configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  tokenCommand('create')
    .description('create a token for a user and print it (shown only this once; the server keeps its SHA-256). A node agent: --user drover:node:NAME --group drover:nodes')
    .requiredOption('--user <name>', 'the user the token authenticates as')
    .option('--group <group>', 'a group of that user (repeatable), e.g. drover:nodes, system:masters', collect)
    .option('--ttl <duration>', 'lifetime, e.g. 24h (default: until revoked)')
    .option('--description <text>', 'what the token is for')
    .action((o, cmd: Command) => withClient(cmd, async (ctx) => {
      const { tokenCreate } = await import('./commands/token.ts');
      return tokenCreate(ctx, { user: o.user, groups: o.group, ttl: o.ttl, description: o.description });
    }));
  tokenCommand('revoke')
    .description('revoke a token (delete its Token object): requests with it get 401 from then on')
    .argument('<token>', 'the token, or its SHA-256 (the NAME of `drover get tokens`)')
    .action((t: string, _o, cmd: Command) => withClient(cmd, async (ctx) => {
      const { tokenRevoke } = await import('./commands/token.ts');
      return tokenRevoke(ctx, t);
    }));

  command('agent')
    .description(
      'run the node agent of this machine: register it as a Node, heartbeat, run the allocations placed on it. ' +
        "Here --config FILE is the agent's config file (YAML: name, datacenter, nodeClass, dataDir, address, meta, hostVolumes, " +
        'http, drivers, heartbeatInterval, leaseDuration, reserved, server or servers, token); flags win over it. ' +
        'With several API servers (--server URL,URL or repeated) it fails over to the next when one cannot be reached',
    )
    .option('--name <name>', 'node name (default: the hostname)')
    .option('--datacenter <dc>', 'datacenter (default dc1)')
    .option('--node-class <class>', 'node class, for constraints')
    .option('--data-dir <dir>', 'allocation directories and agent state (default ~/.drover/agent)')
    .option('--http-addr <host:port>', 'where the log listener binds, which the API server proxies `drover logs` to (default 127.0.0.1:0)')
    .option('--tls-cert-file <file>', 'serve the log listener over HTTPS with this certificate (drover tls cert create agent)')
    .option('--tls-key-file <file>', 'key of --tls-cert-file')
    .option('--client-ca-file <file>', 'with --tls-cert-file: accept only clients (the API server) with a certificate of this CA')
    .option('--log-client-name <cn>', 'with --client-ca-file: also require the client certificate to name this user (repeatable), e.g. drover-apiserver', collect, [])
    .option('--docker-socket <path>', "the Docker daemon's socket for the docker driver (default /var/run/docker.sock; hack/dockerd.sh: /run/drover-docker.sock)")
    .option('--simulate <n>', 'instead of this machine, run N hollow nodes with varied fingerprints that pretend to run their allocations (scale tests)', (v) => Number(v))
    .option('--name-prefix <prefix>', 'with --simulate: node name prefix (nodes are <prefix>00000, <prefix>00001, ...)', 'hollow-')
    .option('--heartbeat-interval <duration>', 'with --simulate: time between lease renewals of each node, spread over the interval (default 10s)')
    .option('--token-file <path>', "file holding the agent's bearer token (instead of --token); e.g. one from `drover token create --user drover:node:NAME --group drover:nodes`")
    .addOption(logLevel())
    .addOption(logFormat())
    .action(async (o, cmd: Command) => {
      const g = cmd.optsWithGlobals<ConnectionFlags & ClientTlsFlags>();
      if (o.tokenFile !== undefined) {
        try {
          g.token = await readTokenFile(o.tokenFile);
        } catch (err) {
          io.err(describeError(err) + '\n');
          return setExit(1);
        }
      }
      if (o.simulate !== undefined) {
        const { simulate } = await import('./commands/simulate.ts');
        try {
          const args = { count: o.simulate, datacenter: o.datacenter, namePrefix: o.namePrefix, heartbeatInterval: o.heartbeatInterval, server: g.server, token: g.token, context: g.context, tls: await readClientTls(g) };
          setExit(await simulate(args, { ...serverDeps(o), env: io.env, homedir: io.homedir }));
        } catch (err) {
          io.err(describeError(err) + '\n');
          setExit(1);
        }
        return;
      }
      const { agent } = await import('./commands/agent.ts');
      try {
        const args = { name: o.name, datacenter: o.datacenter, nodeClass: o.nodeClass, dataDir: o.dataDir, httpAddr: o.httpAddr, dockerSocket: o.dockerSocket, configFile: g.config, server: g.server, token: g.token, tls: await readClientTls(g), logTls: await readLogListenerTls(o) };
        setExit(await agent(args, { ...serverDeps(o), env: io.env, homedir: io.homedir }));
      } catch (err) {
        io.err(describeError(err) + '\n');
        setExit(1);
      }
    });

  command('convert')
    .description('print a Nomad job file or Marathon app as Drover YAML, or a Drover Job as a Nomad job file; fields that do not convert are refused with their file:line:column (nothing is sent to a server)')
    .requiredOption('-f, --filename <path>', 'file, directory or - for stdin (repeatable)', collect)
    .option('-R, --recursive', 'descend into subdirectories of directories given with -f')
    .addOption(new Option('--to <format>', 'output: yaml (default for Nomad and Marathon input) or hcl (default for Drover input)').choices(CONVERT_TARGETS));
  withFormatOptions(program.commands.at(-1)!)
    .action(async (o) => {
      try {
        setExit(await convert(io, { files: o.filename, recursive: o.recursive, to: o.to, readStdin: io.readStdin, ...(await formatOptions(o)) }));
      } catch (err) {
        io.err(describeError(err) + '\n');
        setExit(1);
      }
    });

  command('completion')
    .description('print the shell completion script for bash, zsh or fish (commands, flags, kinds and object names); e.g. `source <(drover completion bash)`')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(COMPLETION_SHELLS))
    .action((shell: string) => {
      io.out(completionScript(shell));
    });

  // TLS material: files only, no server involved (loaded lazily: node-forge is only needed here).
  const tls = command('tls').description('create a CA and the certificates it signs (PEM) for HTTPS, mTLS and client-certificate users');
  const tlsCommand = (parent: Command, name: string) => parent.command(name).configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  const localRun = async (fn: () => Promise<number>) => {
    try {
      setExit(await fn());
    } catch (err) {
      io.err(describeError(err) + '\n');
      setExit(1);
    }
  };
  const days = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CommanderError(1, 'drover.invalidDays', `error: invalid number of days "${value}"`);
    return n;
  };
  tlsCommand(tlsCommand(tls, 'ca').description('the certificate authority'), 'create')
    .description('write a new CA certificate and key (drover-ca.pem, drover-ca-key.pem)')
    .option('--out-dir <dir>', 'where to write the files', '.')
    .option('--common-name <cn>', "the CA's subject CN", 'drover-ca')
    .option('--days <n>', 'validity in days', days, 3650)
    .action((o) => localRun(async () => (await import('./commands/tls.ts')).tlsCaCreate({ outDir: o.outDir, commonName: o.commonName, days: o.days }, io.out, new Date(io.clock.now()))));
  tlsCommand(tlsCommand(tls, 'cert').description('certificates signed by the CA'), 'create')
    // The role is an argument, not --server/--agent/--client: --server is every command's API-URL flag.
    .description('write a certificate and key signed by the CA: server (API server), agent (node agent: CN drover:node:NAME, O drover:nodes, the identity of a node token) or client (CN = user, O = groups)')
    .addArgument(new Argument('<role>', 'server: serves HTTPS (serverAuth); agent: serves its log listener and authenticates to the API server (both); client: a user (clientAuth)').choices(['server', 'agent', 'client']))
    .option('--name <name>', 'client: the user; agent: the node; server: the CN (default drover-apiserver)')
    .option('--group <group>', 'a group of the user (the subject O; repeatable)', collect, [])
    .option('--host <host>', 'a DNS name or IP address the certificate serves (server, agent; repeatable; default localhost and 127.0.0.1)', collect, [])
    .option('--ca <file>', 'the CA certificate', 'drover-ca.pem')
    .option('--ca-key <file>', "the CA's key", 'drover-ca-key.pem')
    .option('--out-dir <dir>', 'where to write the files', '.')
    .option('--days <n>', 'validity in days', days, 365)
    .action((role: 'server' | 'agent' | 'client', o) =>
      localRun(async () => {
        const { tlsCertCreate } = await import('./commands/tls.ts');
        return tlsCertCreate({ role, outDir: o.outDir, ca: o.ca, caKey: o.caKey, name: o.name, groups: o.group, hosts: o.host, days: o.days }, io.out, new Date(io.clock.now()));
      }),
    );

  command('version')
    .description("print the client's and the server's version")
    .option('--client', 'only the client version (no server needed)')
    .action((o, cmd: Command) => withClient(cmd, (ctx) => version(ctx, CLIENT_VERSION, { clientOnly: o.client })));

  return program;
}
