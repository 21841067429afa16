// Service health checks run by the agent (Nomad's client-side checks): http (2xx passing, 429 warning, else
// critical), tcp (connects), script (runs in the task through the driver: exit 0 passing, 1 warning, else
// critical), grpc (grpc.health.v1 Health/Check answers SERVING: grpc-check.ts), each every `interval` with a
// `timeout`; and check_restart, which restarts a task after `limit`
// consecutive failures once its `grace` after start has passed.
import { connect } from 'node:net';
import { request } from 'undici';
import { parseDuration, type ServiceCheck } from '../../../api/schemas/index.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { probeGrpc } from './grpc-check.ts';

/** A check's result, in Consul's words. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** One probe's outcome. */
export interface CheckResult {
  status: CheckStatus;
  output: string;
}

/** Where a check probes. */
export interface CheckTarget {
  address: string;
  /** Host port of the check's port label; required by http and tcp checks. */
  port?: number;
  /** Runs a command in the task (script checks). */
  exec?(command: string, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

const DEFAULT_TIMEOUT_MS = 2000;

/** Run one probe of `check` against `target`; never throws. */
export async function probe(check: ServiceCheck, target: CheckTarget): Promise<CheckResult> {
  const timeoutMs = check.timeout ? parseDuration(check.timeout) : DEFAULT_TIMEOUT_MS;
  try {
    switch (check.type) {
      case 'http':
        return await probeHttp(check, target, timeoutMs);
      case 'tcp':
        return await probeTcp(target, timeoutMs);
      case 'script':
        return await probeScript(check, target, timeoutMs);
      case 'grpc':
        if (!target.port) return { status: 'critical', output: 'no port for the check' };
        return await probeGrpc({ address: target.address, port: target.port }, { service: check.grpcService, tls: check.protocol === 'https', timeoutMs });
      default:
        return { status: 'critical', output: `check type "${check.type}" is not supported by this agent` };
    }
  } catch (err) {
    return { status: 'critical', output: err instanceof Error ? err.message : String(err) };
  }
}

async function probeHttp(check: ServiceCheck, target: CheckTarget, timeoutMs: number): Promise<CheckResult> {
  if (!target.port) return { status: 'critical', output: 'no port for the check' };
  const path = check.path?.startsWith('/') ? check.path : `/${check.path ?? ''}`;
  const url = `${check.protocol ?? 'http'}://${hostPort(target.address, target.port)}${path}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(check.header ?? {})) headers[k.toLowerCase()] = v.join(', ');
  const res = await request(url, {
    method: (check.method ?? 'GET') as 'GET',
    headers,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.body.text()).slice(0, 4096);
  const line = `HTTP ${check.method ?? 'GET'} ${url}: ${res.statusCode} Output: ${body}`;
  if (res.statusCode >= 200 && res.statusCode < 300) return { status: 'passing', output: line };
  if (res.statusCode === 429) return { status: 'warning', output: line };
  return { status: 'critical', output: line };
}

function probeTcp(target: CheckTarget, timeoutMs: number): Promise<CheckResult> {
  const port = target.port;
  if (!port) return Promise.resolve({ status: 'critical', output: 'no port for the check' });
  return new Promise((resolve) => {
    const socket = connect({ host: target.address, port });
    const finish = (r: CheckResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => finish({ status: 'critical', output: `TCP connect ${hostPort(target.address, port)}: timeout` }));
    socket.once('connect', () => finish({ status: 'passing', output: `TCP connect ${hostPort(target.address, port)}: Success` }));
    socket.once('error', (err) => finish({ status: 'critical', output: `TCP connect ${hostPort(target.address, port)}: ${err.message}` }));
  });
}

async function probeScript(check: ServiceCheck, target: CheckTarget, timeoutMs: number): Promise<CheckResult> {
  if (!check.command) return { status: 'critical', output: 'script check without a command' };
  if (!target.exec) return { status: 'critical', output: 'the task cannot run commands' };
  const r = await target.exec(check.command, check.args ?? [], timeoutMs);
  const status: CheckStatus = r.exitCode === 0 ? 'passing' : r.exitCode === 1 ? 'warning' : 'critical';
  return { status, output: r.output.slice(0, 4096) };
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** What a CheckRunner needs. */
export interface CheckRunnerDeps {
  check: ServiceCheck;
  /** The check's display name (`service: web check`). */
  name: string;
  target: CheckTarget;
  clock: Clock;
  logger: Logger;
  /** Every result, in order. */
  onResult(result: CheckResult): void;
}

/** Runs one check every interval until stopped: the first probe at once, the next `interval` after each ends. */
export class CheckRunner {
  private timer: Timer | undefined;
  private stopped = false;
  private last: CheckStatus;

  constructor(private readonly deps: CheckRunnerDeps) {
    this.last = deps.check.initialStatus ?? 'critical';
  }

  /** The latest status (the check's initialStatus, default critical, before the first probe). */
  get status(): CheckStatus {
    return this.last;
  }

  get name(): string {
    return this.deps.name;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const result = await probe(this.deps.check, this.deps.target);
    if (this.stopped) return;
    if (result.status !== this.last) this.deps.logger.info('check status changed', { check: this.deps.name, status: result.status, output: result.output });
    this.last = result.status;
    this.deps.onResult(result);
    this.schedule(parseDuration(this.deps.check.interval));
  }
}

/** check_restart's counter for one check of one task. */
export class CheckRestarter {
  private failures = 0;

  constructor(
    private readonly rules: { limit: number; graceMs: number; ignoreWarnings: boolean },
  ) {}

  /** From a check's checkRestart block; undefined when it never restarts (limit 0 or absent). */
  static of(check: ServiceCheck): CheckRestarter | undefined {
    const cr = check.checkRestart;
    if (!cr?.limit) return undefined;
    return new CheckRestarter({ limit: cr.limit, graceMs: parseDuration(cr.grace ?? '1s'), ignoreWarnings: cr.ignoreWarnings ?? false });
  }

  /** Record a result at `now` for a task started at `startedAt`; true when the task should be restarted now. */
  observe(status: CheckStatus, now: number, startedAt: number): boolean {
    if (now < startedAt + this.rules.graceMs) return false;
    const healthy = status === 'passing' || (status === 'warning' && this.rules.ignoreWarnings);
    if (healthy) {
      this.failures = 0;
      return false;
    }
    this.failures++;
    if (this.failures < this.rules.limit) return false;
    this.failures = 0;
    return true;
  }
}
