// docker: the task is a container on a local Docker daemon (Engine API over its unix socket). Images are
// never pulled: no registry is reachable, so an image must already be on the node.
import { dirname, join, posix } from 'node:path';
import type { Clock } from '../../../clock/clock.ts';
import type { Logger } from '../../../log/logger.ts';
import type { Driver, DriverFingerprint, ExitResult, TaskConfig, TaskHandle, TaskStatus } from '../driver.ts';
import { signalNumber } from '../rawexec/config.ts';
import { DockerClient, isStatus, type ContainerSummary } from './client.ts';
import { checkDockerConfig, containerName, containerSpec, LABEL_ALLOC_ID, LABEL_TASK_ID, type DockerConfig } from './config.ts';
import { Demuxer, followLogs, removeCursor, type LogFollower } from './logs.ts';

/** Options of the docker driver. */
export interface DockerDriverOptions {
  clock: Clock;
  logger: Logger;
  /** The daemon's unix socket; default /var/run/docker.sock. */
  socket?: string;
}

/** What a docker handle records. */
export interface DockerState {
  containerId: string;
  name: string;
  stdoutPath: string;
  stderrPath: string;
  /** The newest log entry copied (see logs.ts), beside the log files. */
  cursorPath: string;
}

/** A Drover container found on the daemon (for orphan cleanup after an agent restart). */
export interface DroverContainer {
  containerId: string;
  taskId: string;
  allocId: string;
  running: boolean;
}

interface ContainerInspect {
  Id: string;
  State: { Running: boolean; Status: string; ExitCode: number; OOMKilled: boolean; Error?: string };
}

/** The docker driver. */
export class DockerDriver implements Driver {
  readonly name = 'docker';
  readonly docker: DockerClient;
  private readonly logs = new Map<string, LogFollower>();

  constructor(private readonly opts: DockerDriverOptions) {
    this.docker = new DockerClient(opts.socket ?? '/var/run/docker.sock');
  }

  async fingerprint(): Promise<DriverFingerprint> {
    try {
      await this.docker.ping();
      const v = await this.docker.version();
      return {
        detected: true,
        healthy: true,
        description: `Docker ${v.Version} (API ${v.ApiVersion}) at ${this.docker.socketPath}`,
        attributes: { 'driver.docker': '1', 'driver.docker.version': v.Version, 'driver.docker.api_version': v.ApiVersion },
      };
    } catch (e) {
      const message = (e as Error).message;
      // No socket at all: docker is simply not on this node. A socket that does not answer: unhealthy.
      return { detected: !message.startsWith('no Docker daemon'), healthy: false, description: message };
    }
  }

  validateConfig(config: Record<string, unknown>): string[] {
    return checkDockerConfig(config);
  }

  async start(task: TaskConfig): Promise<TaskHandle> {
    const problems = checkDockerConfig(task.config);
    if (problems.length) throw new Error(problems.join('; '));
    const cfg = task.config as unknown as DockerConfig;
    const spec = containerSpec(task, cfg); // before any daemon call: a bad port label fails fast
    const imageEnv = await this.checkImage(cfg);
    const name = containerName(task);
    await this.removeStale(name);
    const { Id: id } = await this.docker.call<{ Id: string }>('POST', '/containers/create', { query: { name }, body: spec });
    try {
      if (cfg.command) await this.checkCommand(id, cfg, task.env.PATH ?? cfg.env?.PATH ?? pathOf(imageEnv));
      await this.docker.call('POST', `/containers/${id}/start`);
    } catch (e) {
      await this.remove(id);
      throw new Error(`container for ${task.id} did not start: ${(e as Error).message}`);
    }
    const cursorPath = join(dirname(task.stdoutPath), `.${name}.log-cursor`);
    const state: DockerState = { containerId: id, name, stdoutPath: task.stdoutPath, stderrPath: task.stderrPath, cursorPath };
    await this.follow(state, false);
    this.opts.logger.debug('docker task started', { taskId: task.id, containerId: id, image: cfg.image });
    return { driver: this.name, taskId: task.id, state: { ...state }, startedAt: new Date(this.opts.clock.now()).toISOString() };
  }

  async wait(handle: TaskHandle): Promise<ExitResult> {
    const s = stateOf(handle);
    try {
      await this.docker.call('POST', `/containers/${s.containerId}/wait`, { query: { condition: 'not-running' } });
      const info = await this.docker.call<ContainerInspect>('GET', `/containers/${s.containerId}/json`);
      // The last lines reach the files before the exit is reported (a follow stream ends with the container).
      const copying = this.logs.get(s.containerId)?.done;
      if (copying) await Promise.race([copying, this.opts.clock.sleep(5000)]);
      return exitOf(info);
    } catch (e) {
      if (isStatus(e, 404)) return { exitCode: -1, oomKilled: false, err: `container ${s.containerId.slice(0, 12)} is gone` };
      return { exitCode: -1, oomKilled: false, err: `docker: ${(e as Error).message}` };
    }
  }

  async stop(handle: TaskHandle, signal: string, timeoutMs: number): Promise<void> {
    const s = stateOf(handle);
    if (!(await this.running(s.containerId))) return;
    const sig = signalNumber(signal) === undefined ? 'SIGTERM' : signal.toUpperCase().replace(/^(?!SIG)/, 'SIG');
    await this.kill(s.containerId, sig);
    const exited = this.docker.call('POST', `/containers/${s.containerId}/wait`, { query: { condition: 'not-running' } }).catch(() => undefined);
    const timer = this.opts.clock.setTimeout(() => void this.kill(s.containerId, 'SIGKILL'), timeoutMs);
    await exited;
    timer.cancel();
  }

  async signal(handle: TaskHandle, signal: string): Promise<void> {
    if (signalNumber(signal) === undefined) throw new Error(`unknown signal ${JSON.stringify(signal)}`);
    await this.kill(stateOf(handle).containerId, signal.toUpperCase().replace(/^(?!SIG)/, 'SIG'));
  }

  async destroy(handle: TaskHandle): Promise<void> {
    const s = stateOf(handle);
    this.logs.get(s.containerId)?.stop();
    this.logs.delete(s.containerId);
    await this.remove(s.containerId);
    if (s.cursorPath) await removeCursor(s.cursorPath);
  }

  async inspect(handle: TaskHandle): Promise<TaskStatus> {
    const s = stateOf(handle);
    try {
      const info = await this.docker.call<ContainerInspect>('GET', `/containers/${s.containerId}/json`);
      return info.State.Running ? { state: 'running' } : { state: 'exited', exit: exitOf(info) };
    } catch (e) {
      if (isStatus(e, 404)) return { state: 'unknown' };
      throw e;
    }
  }

  /**
   * Re-attaches to the container by its recorded id, else by its `drover.task-id` label (updating
   * `handle.state.containerId`). An exited container counts as recovered: wait() then reports its real exit.
   */
  async recover(handle: TaskHandle): Promise<boolean> {
    const s = tryStateOf(handle);
    if (!s) return false;
    let id = (await this.exists(s.containerId)) ? s.containerId : undefined;
    if (!id) {
      const found = await this.docker.listContainers({ [LABEL_TASK_ID]: handle.taskId });
      id = (found.find((c) => c.State === 'running') ?? found[0])?.Id;
      if (!id) return false;
      handle.state.containerId = id;
    }
    if (!this.logs.has(id)) await this.follow({ ...s, containerId: id }, true);
    return true;
  }

  async exec(handle: TaskHandle, command: string, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const s = stateOf(handle);
    const abort = new AbortController();
    const timer = this.opts.clock.setTimeout(() => abort.abort(), timeoutMs);
    try {
      const { Id } = await this.docker.call<{ Id: string }>('POST', `/containers/${s.containerId}/exec`, { body: { AttachStdout: true, AttachStderr: true, Cmd: [command, ...args] } });
      const res = await this.docker.stream('POST', `/exec/${Id}/start`, { body: { Detach: false, Tty: false }, signal: abort.signal });
      let output = '';
      const demux = new Demuxer((_stream, payload) => (output += payload.toString('utf8')));
      await new Promise<void>((resolve, reject) => {
        res.on('data', (c: Buffer) => demux.push(c));
        res.once('end', resolve);
        res.once('error', reject);
      });
      const info = await this.docker.call<{ ExitCode: number | null }>('GET', `/exec/${Id}/json`);
      return { exitCode: info.ExitCode ?? -1, output };
    } catch (e) {
      if (abort.signal.aborted) return { exitCode: 124, output: `(killed after ${timeoutMs} ms)` };
      return { exitCode: 126, output: `docker exec failed: ${(e as Error).message}` };
    } finally {
      timer.cancel();
    }
  }

  /** Every container carrying Drover's labels, for the agent to reconcile against its allocations. */
  async listContainers(): Promise<DroverContainer[]> {
    const all: ContainerSummary[] = await this.docker.listContainers({ [LABEL_TASK_ID]: undefined });
    return all.map((c) => ({ containerId: c.Id, taskId: c.Labels[LABEL_TASK_ID] ?? '', allocId: c.Labels[LABEL_ALLOC_ID] ?? '', running: c.State === 'running' }));
  }

  /**
   * Stops log copies, waits until what they received is in the files and the cursor, and closes connections
   * (the containers keep running). A driver started afterwards resumes exactly after the last copied entry.
   */
  async close(): Promise<void> {
    const copies = [...this.logs.values()];
    this.logs.clear();
    for (const f of copies) f.stop();
    await Promise.all(copies.map((f) => f.done));
    this.docker.close();
  }

  /** Rejects an image that is not on the node or has nothing to run; returns the image's env. */
  private async checkImage(cfg: DockerConfig): Promise<string[]> {
    let image: { Config?: { Cmd?: string[] | null; Entrypoint?: string[] | null; Env?: string[] | null } };
    try {
      image = await this.docker.call('GET', `/images/${encodeURIComponent(cfg.image)}/json`);
    } catch (e) {
      if (isStatus(e, 404)) {
        throw new Error(`image ${JSON.stringify(cfg.image)} is not on this node, and Drover never pulls images (no registry is reachable): load or import it first, e.g. hack/busybox-image.sh for drover/busybox:latest`);
      }
      throw e;
    }
    if (!cfg.command && !image.Config?.Cmd?.length && !image.Config?.Entrypoint?.length) {
      throw new Error(`image ${JSON.stringify(cfg.image)} has no default command: set config.command (and config.args)`);
    }
    return image.Config?.Env ?? [];
  }

  /**
   * Rejects a config.command that is not in the created container's filesystem, so the error names it
   * (behind docker-init a missing program would only show as exit code 127).
   */
  private async checkCommand(id: string, cfg: DockerConfig, path: string): Promise<void> {
    const command = cfg.command!;
    const candidates = command.includes('/') ? [posix.resolve('/', command)] : path.split(':').filter(Boolean).map((d) => posix.join(d, command));
    for (const c of candidates) {
      try {
        await this.docker.call('HEAD', `/containers/${id}/archive`, { query: { path: c } });
        return;
      } catch (e) {
        if (!isStatus(e, 404)) throw e;
      }
    }
    const where = command.includes('/') ? '' : ` (searched PATH ${path})`;
    throw new Error(`command ${JSON.stringify(command)} not found in image ${JSON.stringify(cfg.image)}${where}`);
  }

  /** A container left under this task's name by an earlier attempt is removed before the new one is made. */
  private async removeStale(name: string): Promise<void> {
    try {
      const old = await this.docker.call<ContainerInspect>('GET', `/containers/${name}/json`);
      if (old.State.Running) this.opts.logger.warn('removing a running container left under the task name', { name });
      this.logs.get(old.Id)?.stop();
      this.logs.delete(old.Id);
      await this.remove(old.Id);
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
    }
  }

  private async follow(s: DockerState, resume: boolean): Promise<void> {
    try {
      const f = await followLogs(this.docker, s.containerId, s, this.opts.logger, resume);
      this.logs.set(s.containerId, f);
      void f.done.then(() => this.logs.get(s.containerId) === f && this.logs.delete(s.containerId));
    } catch (e) {
      this.opts.logger.warn('cannot follow container logs', { containerId: s.containerId, err: e as Error });
    }
  }

  private async running(id: string): Promise<boolean> {
    try {
      return (await this.docker.call<ContainerInspect>('GET', `/containers/${id}/json`)).State.Running;
    } catch (e) {
      if (isStatus(e, 404)) return false;
      throw e;
    }
  }

  private async exists(id: string): Promise<boolean> {
    try {
      await this.docker.call('GET', `/containers/${id}/json`);
      return true;
    } catch (e) {
      if (isStatus(e, 404)) return false;
      throw e;
    }
  }

  private async kill(id: string, signal: string): Promise<void> {
    try {
      await this.docker.call('POST', `/containers/${id}/kill`, { query: { signal } });
    } catch (e) {
      // 409: not running any more; 404: gone. Either way there is nothing left to signal.
      if (!isStatus(e, 409) && !isStatus(e, 404)) throw e;
    }
  }

  private async remove(id: string): Promise<void> {
    try {
      await this.docker.call('DELETE', `/containers/${id}`, { query: { force: true, v: true } });
    } catch (e) {
      if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
    }
  }
}

/** An ExitResult from an inspected, stopped container; codes above 128 read as death by signal (code - 128). */
function exitOf(info: ContainerInspect): ExitResult {
  const code = info.State.ExitCode;
  const exit: ExitResult = { exitCode: code, oomKilled: info.State.OOMKilled };
  if (code > 128 && code <= 128 + 64) exit.signal = code - 128;
  if (info.State.Error) exit.err = info.State.Error;
  return exit;
}

function stateOf(handle: TaskHandle): DockerState {
  const s = tryStateOf(handle);
  if (!s) throw new Error(`task handle ${handle.taskId} has no container id`);
  return s;
}

function tryStateOf(handle: TaskHandle): DockerState | undefined {
  const s = handle.state as Partial<DockerState>;
  if (typeof s?.containerId !== 'string') return undefined;
  return { containerId: s.containerId, name: String(s.name ?? ''), stdoutPath: String(s.stdoutPath ?? ''), stderrPath: String(s.stderrPath ?? ''), cursorPath: String(s.cursorPath ?? '') };
}

/** The PATH an image sets, else Docker's default. */
function pathOf(env: string[]): string {
  return env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}
