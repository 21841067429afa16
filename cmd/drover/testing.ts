// For tests of CLI commands in-process: a real API server (memory store, with the plugins a command needs), a
// client on it, a temporary home for ~/.drover, and `drover(args, stdin)` running the CLI against them with
// DROVER_ADDR set — what each command test used to wire up by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '../../pkg/client/client.ts';
import { ManualClock, type Clock } from '../../pkg/clock/clock.ts';
import { startApiServer, type TestApiServer, type TestApiServerOptions } from '../../test/support/server.ts';
import { run } from './program.ts';

/** What one CLI run printed and returned. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** A server, a client and a CLI runner. */
export interface CliHarness {
  api: TestApiServer;
  client: Client;
  /** The CLI's home directory (its config lives under it). */
  home: string;
  /** Run `drover ARGS` with `stdin` as standard input; DROVER_ADDR points at the server. */
  drover(args: string[], stdin?: string): Promise<CliResult>;
  close(): Promise<void>;
}

/** Options of startCliHarness. */
export interface CliHarnessOptions {
  /** Endpoints the commands under test need (the job plan, dispatch, ...). */
  plugins?: TestApiServerOptions['plugins'];
  /** The CLI's clock (AGE columns, timestamps it writes); a ManualClock at the real time by default. */
  clock?: Clock;
}

/** Start a harness; close() it after the tests. */
export async function startCliHarness(opts: CliHarnessOptions = {}): Promise<CliHarness> {
  const api = await startApiServer({ plugins: opts.plugins });
  const client = createClient({ server: api.url });
  const home = await mkdtemp(join(tmpdir(), 'drover-cli-'));
  const clock = opts.clock ?? new ManualClock(Date.now());
  return {
    api, client, home,
    async drover(args, stdin = '') {
      const r = { out: '', err: '' };
      const code = await run(args, {
        out: (s) => void (r.out += s), err: (s) => void (r.err += s), env: { DROVER_ADDR: api.url }, homedir: home,
        readStdin: async () => stdin, clock, signal: new AbortController().signal, startedAt: 0,
      });
      return { code, ...r };
    },
    async close() {
      await client.close();
      await api.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
