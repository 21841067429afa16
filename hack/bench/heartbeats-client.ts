// The raw limit of heartbeats.ts, in its own process: the API server's maximum Lease update throughput, a tight
// loop of compare-and-swap PUTs (each with the resourceVersion the previous one returned) on leases of the
// node-lease namespace, one worker per lease so no update ever conflicts, for a fixed time at each of a few
// concurrency levels (the server batches its log syncs, so throughput grows with the updates in flight).
import { Pool } from 'undici';
import { microTime } from '../../api/schemas/timestamp.ts';
import { sendResult } from './lib/child.ts';
import { LatencyHistogram } from './lib/stats.ts';

/** What the parent asks for (argv[2], JSON). */
export interface CasClientArgs {
  url: string;
  /** Updates in flight (one lease per worker) at each level, measured in this order. */
  levels: number[];
  warmupMs: number;
  durationMs: number;
  namespace: string;
}

/** What the child sends back: one entry per level. */
export type CasClientResult = CasLevelResult[];

/** The tight loop at one concurrency level. */
export interface CasLevelResult {
  workers: number;
  ops: number;
  errors: number;
  conflicts: number;
  elapsedMs: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: Record<string, unknown>;
}

const args = JSON.parse(process.argv[2]!) as CasClientArgs;
const pool = new Pool(args.url, { connections: Math.max(...args.levels), pipelining: 1, keepAliveTimeout: 60_000 });
const base = `/apis/coordination.k8s.io/v1/namespaces/${args.namespace}/leases`;

/** A request with a JSON body; returns the status and parsed answer. */
async function call(method: 'POST' | 'PUT', path: string, body: unknown): Promise<{ status: number; obj: LeaseObject; text: string }> {
  const res = await pool.request({ path, method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, obj: (res.statusCode < 300 ? JSON.parse(text) : undefined) as LeaseObject, text };
}


try {
  const ns = await pool.request({ path: '/api/v1/namespaces', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: args.namespace } }) });
  await ns.body.text();
  if (ns.statusCode !== 201 && ns.statusCode !== 409) throw new Error(`creating namespace ${args.namespace}: HTTP ${ns.statusCode}`);
  const leases: LeaseObject[] = [];
  for (let i = 0; i < Math.max(...args.levels); i++) {
    const now = microTime(Date.now());
    const name = `bench-cas-${String(i).padStart(4, '0')}`;
    const r = await call('POST', base, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: args.namespace },
      spec: { holderIdentity: name, leaseDurationSeconds: 20, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    });
    if (r.status !== 201) throw new Error(`creating lease ${name}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    leases.push(r.obj);
  }
  // One worker per lease until `until`: renew by CAS with the last answer's resourceVersion, as NodeLease does.
  const runLevel = async (workers: number): Promise<CasLevelResult> => {
    const hist = new LatencyHistogram(60_000);
    let ops = 0;
    let errors = 0;
    let conflicts = 0;
    let firstError: string | undefined;
    const loop = async (i: number, until: number, measure: boolean) => {
      while (performance.now() < until) {
        const cur = leases[i]!;
        const s = performance.now();
        const r = await call('PUT', `${base}/${cur.metadata.name}`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: cur.metadata, spec: { ...cur.spec, renewTime: microTime(Date.now()) } });
        if (r.status === 200) {
          leases[i] = r.obj;
          if (measure) {
            ops++;
            hist.record(performance.now() - s);
          }
        } else {
          if (measure) errors++;
          if (r.status === 409) conflicts++;
          firstError ??= `PUT ${cur.metadata.name}: HTTP ${r.status} ${r.text.slice(0, 200)}`;
          throw new Error(firstError); // this worker stops; the others go on
        }
      }
    };
    const mine = leases.slice(0, workers).map((_, i) => i);
    const warmEnd = performance.now() + args.warmupMs;
    await Promise.all(mine.map((i) => loop(i, warmEnd, false)));
    process.send?.({ edge: 'start', workers });
    const t0 = performance.now();
    await Promise.all(mine.map((i) => loop(i, t0 + args.durationMs, true).catch(() => {})));
    const elapsedMs = performance.now() - t0;
    process.send?.({ edge: 'end', workers });
    return { workers, ops, errors, conflicts, elapsedMs, opsPerSec: (ops / elapsedMs) * 1000, p50Ms: hist.percentile(50), p99Ms: hist.percentile(99), firstError };
  };
  const result: CasClientResult = [];
  for (const level of args.levels) result.push(await runLevel(level));
  await sendResult(result);
} finally {
  await pool.close();
}
