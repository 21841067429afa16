// The load side of security.ts, in its own process: API creates against the server without security and
// the one with authentication + RBAC + audit, at the same concurrency, alternating in rounds so drift hits both.
import { Pool } from 'undici';
import { sendResult } from './lib/child.ts';
import { closedLoop, type LoadResult } from './lib/load.ts';
import { jobManifest, jobsPath } from './lib/fixtures.ts';

/** What the parent asks for (argv[2], JSON). */
export interface SecurityClientArgs {
  offUrl: string;
  onUrl: string;
  /** The bearer token for the secured server (a user granted `edit` in default by a RoleBinding). */
  token: string;
  concurrency: number;
  count: number;
  rounds: number;
  warmup: number;
}

/** Creates/s per round of each server. */
export interface SecurityClientResult {
  off: LoadResult[];
  on: LoadResult[];
}

const args = JSON.parse(process.argv[2]!) as SecurityClientArgs;

function creator(url: string, token?: string) {
  const pool = new Pool(url, { connections: args.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const create = async (name: string) => {
    const res = await pool.request({ path: jobsPath(), method: 'POST', headers, body: JSON.stringify(jobManifest(name)) });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`POST ${name}: ${res.statusCode} ${text.slice(0, 300)}`);
  };
  return { create, close: () => pool.close() };
}

const off = creator(args.offUrl);
const on = creator(args.onUrl, args.token);
const strip = (r: LoadResult) => ({ ...r, latencies: [] });
try {
  await closedLoop(args.warmup, args.concurrency, (i) => off.create(`warm-${i}`));
  await closedLoop(args.warmup, args.concurrency, (i) => on.create(`warm-${i}`));
  const result: SecurityClientResult = { off: [], on: [] };
  for (let round = 0; round < args.rounds; round++) {
    result.off.push(strip(await closedLoop(args.count, args.concurrency, (i) => off.create(`r${round}-${i}`))));
    result.on.push(strip(await closedLoop(args.count, args.concurrency, (i) => on.create(`r${round}-${i}`))));
  }
  await sendResult(result);
} finally {
  await off.close();
  await on.close();
}
