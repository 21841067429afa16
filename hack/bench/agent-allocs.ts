// The seed's case study with real work: one Job of N allocations of a small task (`sleep 600`, exec driver, or
// raw_exec where exec cannot run) on real node agents. `drover dev` is the control plane; the agents are
// separate `drover agent` processes in datacenter `bench` (so dev's own local agent, in dc1, gets none and the
// agent's memory is its own). Watching the job's allocations from POST: time until all are placed (the
// schedule), until the first, 95 % and 99 % report `clientStatus: running`; the agent's resident memory with
// every task running. Raw limit in the same run: N of the same processes spawned straight from Node.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Allocation, Job, Node } from '../../api/schemas/index.ts';
import { createClient, type Client } from '../../pkg/client/client.ts';
import { processAlive } from '../../pkg/nodeagent/drivers/rawexec/procfs.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { CpuMeter } from './lib/cpu.ts';
import { countDeltas, pollUntil, requestCounts, residentKb, startDev, startDrover, type DroverProcess } from './lib/drover-process.ts';
import { formatShares, summarizeProfile } from './lib/profile.ts';
import { monotonicUs, readMainProfile, topFunctions, windowProfile } from './lib/profile-window.ts';
import { report, type BenchResult } from './lib/result.ts';
import { percentile } from './lib/stats.ts';

/** The seed's case study (Nomad, 3 servers, 100 clients, 1,000 containers): the figures to compare with. */
const CASE_STUDY = { scheduleMs: 1000, firstMs: 1000, p95Ms: 6000, p99Ms: 8000 };
const JOB = 'bench-sleep';
const DATACENTER = 'bench';
const TASK_ARGV = ['sleep', '600'];

/** When each allocation was first seen placed and first seen running, ms after the POST. */
interface AllocTimes {
  placedMs?: number;
  /** The task's own start, from its `startedAt` (the agent's wall clock) — before the status write that reports it. */
  startedMs?: number;
  runningMs?: number;
  failedMs?: number;
  description?: string;
}

/** A task process an agent recorded in its state files: the safety net kills any still alive at the end. */
interface TaskProcess {
  pid: number;
  startTime: number;
  cgroups: string[];
}

/**
 * Spawn `n` copies of `argv` from this process, as the process drivers do (detached). child_process.spawn
 * returns once the child has exec'd (libuv waits for it), so each call's return is that process's start.
 * Then kill them all and wait for their exits.
 */
async function rawSpawn(n: number, argv: string[]): Promise<{ times: number[]; errors: number; totalMs: number }> {
  const times: number[] = [];
  let errors = 0;
  const children = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', detached: true });
    children.push(child);
    if (child.pid === undefined) errors++;
    else times.push(performance.now() - t0);
    child.once('error', () => {}); // counted above (no pid)
  }
  const totalMs = performance.now() - t0;
  const exited = children.map((c) => (c.pid === undefined || c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
  for (const c of children) {
    if (c.pid === undefined) continue;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 30_000).unref())]);
  return { times, errors, totalMs };
}

/** The job: `count` allocations of one small task; ephemeral disk and memory at the schema minimums so N fit one node. */
function sleepJob(count: number, driver: string): Job {
  return {
    apiVersion: 'drover.dev/v1',
    kind: 'Job',
    metadata: { name: JOB, namespace: 'default' },
    spec: {
      type: 'service',
      datacenters: [DATACENTER],
      groups: [
        {
          name: 'sleep',
          count,
          ephemeralDisk: { sizeMB: 10 },
          tasks: [{ name: 'sleep', driver, config: { command: TASK_ARGV[0], args: TASK_ARGV.slice(1) }, resources: { cpu: 2, memoryMB: 10 } }],
        },
      ],
    },
  } as unknown as Job;
}

/** Every task process recorded in the agents' state files (`<dataDir>/state/<uid>.json`, handle.state.pid/startTime). */
function recordedTasks(dataDirs: string[]): TaskProcess[] {
  const out: TaskProcess[] = [];
  for (const dir of dataDirs) {
    const stateDir = join(dir, 'state');
    if (!existsSync(stateDir)) continue;
    for (const f of readdirSync(stateDir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const snap = JSON.parse(readFileSync(join(stateDir, f), 'utf8')) as { tasks?: Record<string, { handle?: { state?: Record<string, unknown> } }> };
        for (const t of Object.values(snap.tasks ?? {})) {
          const s = t.handle?.state;
          if (typeof s?.pid === 'number' && typeof s.startTime === 'number') {
            const cg = s.cgroup as { dirs?: string[] } | undefined;
            out.push({ pid: s.pid, startTime: s.startTime, cgroups: cg?.dirs ?? [] });
          }
        }
      } catch {
        // a file being replaced right now: the next read has it
      }
    }
  }
  return out;
}

/** Watch the job's allocations from `resourceVersion`, re-opening a stream that ends, until `stop()`. */
function watchAllocations(client: Client, resourceVersion: string, onAlloc: (a: Allocation) => void): { stop(): void } {
  const allocs = client.resource<Allocation>('allocations');
  let rv = resourceVersion;
  let stopped = false;
  let handle: { cancel(): void } | undefined;
  const open = () => {
    if (stopped) return;
    const h = allocs.watch({ namespace: 'default', resourceVersion: rv, fieldSelector: `spec.jobName=${JOB}`, allowWatchBookmarks: true, timeoutSeconds: 3600 }, (ev) => {
      if (ev.object.metadata.resourceVersion) rv = ev.object.metadata.resourceVersion;
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') onAlloc(ev.object);
    });
    handle = h;
    h.done.then(
      () => setTimeout(open, 10),
      () => setTimeout(open, 200),
    );
  };
  open();
  return {
    stop() {
      stopped = true;
      handle?.cancel();
    },
  };
}

/** Run the benchmark and return its result. */
export async function benchAgentAllocs(opts: { full: boolean; set?: Record<string, number> }): Promise<BenchResult> {
  const count = opts.set?.allocs ?? (opts.full ? 1000 : 200);
  const agentCount = opts.set?.agents ?? 1;
  const limitMs = (opts.set?.seconds ?? (opts.full ? 600 : 240)) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-allocs-'));
  const agentDirs = Array.from({ length: agentCount }, (_, i) => join(dir, `agent-${i}`));
  const notes: string[] = [];
  let dev: (DroverProcess & { url: string }) | undefined;
  const agents: DroverProcess[] = [];
  let client: Client | undefined;
  let jobCreated = false;
  const known = new Map<string, TaskProcess>();
  const profileWindow = { fromUs: 0, toUs: 0 };
  const remember = () => {
    for (const t of recordedTasks(agentDirs)) known.set(`${t.pid}:${t.startTime}`, t);
  };
  // If this process ends any other way (the watchdog), its tasks must not outlive it either.
  const onExit = () => killRecorded();
  process.once('exit', onExit);
  try {
    // The raw limit first, while nothing of ours runs: the same program spawned N times from Node.
    const raw = await rawSpawn(count, TASK_ARGV);

    dev = await startDev(join(dir, 'dev'));
    for (let i = 0; i < agentCount; i++) {
      const args = ['agent', '--server', dev.url, '--datacenter', DATACENTER, '--name', `bench-agent-${i}`, '--data-dir', agentDirs[i]!, '--log-level', 'warn'];
      // With --set profile=1 the first agent writes a V8 CPU profile on exit; the summary is cut to POST → all running.
      const nodeArgs = opts.set?.profile === 1 && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`] : [];
      agents.push(await startDrover(args, { ready: /drover agent "[^"]+" running/, timeoutMs: 60_000, name: `drover agent ${i}`, nodeArgs }));
    }
    client = createClient({ server: dev.url, userAgent: 'drover-bench/agent-allocs' });
    const c = client;
    // The agents' Nodes ready, with the exec driver's health: exec isolates as a user in cgroups (needs root
    // and a writable memory controller); where it is unhealthy, raw_exec runs the same program unisolated.
    const nodes = await pollUntil('bench nodes ready', 60_000, 200, async () => {
      const list = await c.resource<Node>('nodes').list({ fieldSelector: `spec.datacenter=${DATACENTER}` });
      const ready = list.items.filter((n) => n.status?.phase === 'ready');
      return ready.length === agentCount ? ready : undefined;
    });
    const drivers = (nodes[0]!.status as { drivers?: Record<string, { healthy?: boolean; description?: string }> }).drivers ?? {};
    const useExec = opts.set?.raw !== 1 && drivers.exec?.healthy === true;
    const driver = useExec ? 'exec' : 'raw_exec';
    notes.push(useExec ? `driver exec: ${drivers.exec?.description ?? ''}` : `driver raw_exec (exec: ${opts.set?.raw === 1 ? 'not chosen, --set raw=1' : (drivers.exec?.description ?? 'not reported')})`);

    // Baseline memory of the idle agents, after a moment to settle.
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss = agents.map((a) => residentKb(a.pid).rssKb);

    const times = new Map<string, AllocTimes>();
    const list = await client.resource<Allocation>('allocations').list({ namespace: 'default', fieldSelector: `spec.jobName=${JOB}` });
    let t0 = NaN;
    let t0Wall = NaN;
    let running = 0;
    let failed = 0;
    let allRunning: () => void = () => {};
    const done = new Promise<void>((resolve) => (allRunning = resolve));
    const watch = watchAllocations(client, list.metadata.resourceVersion, (a) => {
      const now = performance.now() - t0;
      const t = times.get(a.metadata.name) ?? {};
      times.set(a.metadata.name, t);
      if (t.placedMs === undefined && a.spec?.nodeName) t.placedMs = now;
      const startedAt = a.status?.taskStates?.sleep?.startedAt;
      if (t.startedMs === undefined && startedAt) t.startedMs = Date.parse(startedAt) - t0Wall;
      const status = a.status?.clientStatus;
      if (t.runningMs === undefined && status === 'running') {
        t.runningMs = now;
        running++;
      }
      if (t.failedMs === undefined && (status === 'failed' || status === 'lost')) {
        t.failedMs = now;
        t.description = `${status}: ${a.status?.clientDescription ?? ''} ${JSON.stringify(a.status?.taskStates ?? {}).slice(0, 300)}`;
        failed++;
      }
      if (running + failed >= count) allRunning();
    });
    const meter = new CpuMeter({ dev: dev.pid, ...Object.fromEntries(agents.map((a, i) => [`agent${i}`, a.pid])) });
    const requestsBefore = await requestCounts(dev.url);
    meter.mark();
    t0 = performance.now();
    t0Wall = Date.now();
    profileWindow.fromUs = monotonicUs();
    await client.resource<Job>('jobs').create(sleepJob(count, driver));
    jobCreated = true;
    const postMs = performance.now() - t0;
    let timedOut = false;
    await Promise.race([done, new Promise<void>((r) => setTimeout(() => ((timedOut = true), r()), limitMs).unref())]);
    profileWindow.toUs = monotonicUs();
    const cpu = meter.read();
    const requests = countDeltas(requestsBefore, await requestCounts(dev.url));
    const rssAtAll = agents.map((a) => residentKb(a.pid));
    // A few seconds more with every task running: the steady footprint (log rotation, state writes done).
    await new Promise((r) => setTimeout(r, 5000));
    const rssSteady = agents.map((a) => residentKb(a.pid));
    const devRss = residentKb(dev.pid);
    watch.stop();
    remember();
    const alive = [...known.values()].filter((t) => processAlive(t.pid, t.startTime)).length;

    const placed = [...times.values()].map((t) => t.placedMs).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    const runs = [...times.values()].map((t) => t.runningMs).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    // Percentiles of N, not of those that made it: a missing allocation counts as never running.
    const at = (sorted: number[], p: number) => sorted[Math.ceil((p / 100) * count) - 1] ?? NaN;
    const scheduleMs = placed.length >= count ? placed[count - 1]! : NaN;
    const firstMs = runs[0] ?? NaN;
    const p95 = at(runs, 95);
    const p99 = at(runs, 99);
    const p100 = at(runs, 100);
    const starts = [...times.values()].map((t) => t.startedMs).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    const lags = [...times.values()].filter((t) => t.startedMs !== undefined && t.runningMs !== undefined).map((t) => t.runningMs! - t.startedMs!).sort((a, b) => a - b);
    // How the reports arrived: allocations running at each tenth of the time to the last one.
    const timeline = Array.from({ length: 10 }, (_, i) => {
      const edge = ((i + 1) / 10) * (runs[runs.length - 1] ?? 0);
      return `${(edge / 1000).toFixed(1)} s: ${runs.filter((r) => r <= edge).length}`;
    }).join(', ');
    const rawP99 = percentile(raw.times, 99);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const steadyKb = sum(rssSteady.map((r) => r.rssKb));
    const idleKb = sum(idleRss);
    const firstFailure = [...times.values()].find((t) => t.description)?.description;
    const agentCores = sum(agents.map((_, i) => cpu[`agent${i}`]!));
    const met = scheduleMs < CASE_STUDY.scheduleMs && firstMs < CASE_STUDY.firstMs && p95 < CASE_STUDY.p95Ms && p99 < CASE_STUDY.p99Ms;
    notes.push(
      `POST of the job answered in ${postMs.toFixed(0)} ms; first allocation placed at ${placed[0]?.toFixed(0) ?? '-'} ms`,
      `reported running over time: ${timeline}`,
      `task processes started (their startedAt, the agent's clock): first ${starts[0]?.toFixed(0) ?? '-'} ms, 50 % ${at(starts, 50).toFixed(0)} ms, 95 % ${at(starts, 95).toFixed(0)} ms, 99 % ${at(starts, 99).toFixed(0)} ms, last ${starts[starts.length - 1]?.toFixed(0) ?? '-'} ms after the POST`,
      `API requests from POST to the last running: ${[...requests].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
      `report lag (running seen here − the task's startedAt): 50 % ${percentile(lags, 50).toFixed(0)} ms, 99 % ${percentile(lags, 99).toFixed(0)} ms, max ${lags[lags.length - 1]?.toFixed(0) ?? '-'} ms`,
      `raw spawns: first ${raw.times[0]?.toFixed(1)} ms, 95 % ${percentile(raw.times, 95).toFixed(1)} ms, all ${raw.totalMs.toFixed(0)} ms, ${raw.errors} errors`,
      `agent RSS right when the last allocation reported running: ${rssAtAll.map((r) => (r.rssKb / 1024).toFixed(0)).join(' + ')} MiB; peak (VmHWM) ${rssSteady.map((r) => (r.hwmKb / 1024).toFixed(0)).join(' + ')} MiB; idle before the job ${idleRss.map((k) => (k / 1024).toFixed(0)).join(' + ')} MiB`,
      `drover dev (API server, memory store, scheduler, controllers, its own idle agent) RSS with the job running: ${(devRss.rssKb / 1024).toFixed(0)} MiB`,
      `cores used from POST to the last running: dev ${cpu.dev!.toFixed(2)}, agent(s) ${agentCores.toFixed(2)}, others on the machine ${cpu.others!.toFixed(2)} over ${(cpu.wallMs! / 1000).toFixed(1)} s`,
      `task processes alive (from the agents' state files, pid + start time) after the measurement: ${alive} of ${count}`,
      ...(timedOut ? [`MISSED: only ${running} running and ${failed} failed after ${limitMs / 1000} s`] : []),
      ...(firstFailure ? [`${failed} allocation(s) failed; first: ${firstFailure}`] : []),
    );
    return {
      name: 'agent-allocs',
      title: `${count.toLocaleString('en-US')} allocations of \`${TASK_ARGV.join(' ')}\` (${driver}) on ${agentCount} local agent${agentCount > 1 ? 's' : ''}`,
      setup: `drover dev (memory store) + ${agentCount} \`drover agent\` process(es) in dc "${DATACENTER}"; one service Job, count ${count}, task ${driver} \`${TASK_ARGV.join(' ')}\` (cpu 2 MHz, 10 MB, ephemeral disk 10 MB); times from the POST, allocations watched by field selector spec.jobName; raw: the same program spawned ${count} times with child_process.spawn (detached) in this process`,
      figures: [
        { label: 'time to schedule (all allocations placed)', value: scheduleMs, unit: 'ms' },
        { label: 'time to first running', value: firstMs, unit: 'ms' },
        { label: 'time to 50 % running', value: at(runs, 50), unit: 'ms' },
        { label: 'time to 95 % running', value: p95, unit: 'ms' },
        { label: 'time to 99 % running', value: p99, unit: 'ms' },
        { label: 'time to 100 % running', value: p100, unit: 'ms' },
        { label: 'agent RSS with every task running (VmRSS)', value: steadyKb / 1024, unit: 'MiB' },
        { label: 'agent RSS growth per allocation', value: (steadyKb - idleKb) / count, unit: 'KiB' },
        { label: `raw: ${count} spawns from Node, 99 % spawned`, value: rawP99, unit: 'ms' },
        { label: `raw: ${count} spawns from Node, all spawned`, value: raw.totalMs, unit: 'ms' },
        { label: 'allocations failed', value: failed, unit: 'allocations' },
      ],
      headline: 4,
      ratio: { value: p99 / rawP99, meaning: 'time to 99 % running ÷ time to 99 % spawned raw (lower is better)' },
      target: { text: `the seed's case study (100 clients): < ${CASE_STUDY.scheduleMs / 1000} s to schedule, ${CASE_STUDY.firstMs / 1000} s to first start, ${CASE_STUDY.p95Ms / 1000} s to 95 %, ${CASE_STUDY.p99Ms / 1000} s to 99 %`, met },
      notes,
    };
  } finally {
    await cleanUp();
  }

  /** Stop the job and wait for its tasks to end, stop the processes, then kill any task still alive by pid. */
  async function cleanUp(): Promise<void> {
    remember();
    if (client && jobCreated) {
      const c = client;
      try {
        await c.resource<Job>('jobs').patch(JOB, { spec: { stop: true } }, 'merge', { namespace: 'default' });
        await pollUntil('allocations stopped', 120_000, 500, async () => {
          const l = await c.resource<Allocation>('allocations').list({ namespace: 'default', fieldSelector: `spec.jobName=${JOB}` });
          return l.items.every((a) => a.status?.clientStatus !== 'running' && a.status?.clientStatus !== 'pending') ? true : undefined;
        });
      } catch (err) {
        notes.push(`clean-up: ${(err as Error).message}`);
      }
    }
    await client?.close();
    for (const a of agents) await a.stop();
    await dev?.stop();
    const killed = killRecorded();
    if (killed) {
      notes.push(`clean-up: ${killed} task process(es) outlived the job stop and were killed by pid`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const t of known.values()) for (const d of t.cgroups) removeCgroupDir(d);
    const profile = existsSync(join(dir, 'profile')) ? readMainProfile(join(dir, 'profile')) : undefined;
    if (profile) {
      const cut = windowProfile(profile, profileWindow.fromUs, profileWindow.toUs);
      const saved = join(tmpdir(), `drover-bench-agent-allocs-${Date.now()}.cpuprofile`);
      writeFileSync(saved, JSON.stringify(profile));
      notes.push(
        `agent CPU from POST to the last running, by package: ${formatShares(summarizeProfile(cut), 12)}`,
        `agent CPU from POST to the last running, top functions (self): ${topFunctions(cut, 10).map((f) => `${f.fn} ${(f.share * 100).toFixed(0)}%`).join(', ')}; whole profile: ${saved}`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', onExit);
  }

  /** SIGKILL every recorded task process still alive (its group first); returns how many there were. */
  function killRecorded(): number {
    remember();
    let killed = 0;
    for (const t of known.values()) {
      if (!processAlive(t.pid, t.startTime)) continue;
      killed++;
      try {
        process.kill(-t.pid, 'SIGKILL');
      } catch {
        // not a group leader any more: the process alone
        try {
          process.kill(t.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    return killed;
  }
}

/** rmdir a task cgroup the agent left behind (busy or gone: nothing to do). */
function removeCgroupDir(d: string): void {
  try {
    if (existsSync(d)) rmdirSync(d);
  } catch {
    // still has a process the kernel has not reaped: left for it
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchdog(1_200_000, 'agent-allocs');
  const args = parseBenchArgs();
  await report(await benchAgentAllocs(args));
}
