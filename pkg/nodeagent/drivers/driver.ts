// The task driver contract (Nomad's driver plugin API, trimmed): the agent's task runner drives every
// workload — a mock, a process, an isolated process, a container — through these few calls.

/** What the agent hands a driver to start one task. */
export interface TaskConfig {
  /** Unique per task instance: `<allocName-or-uid>/<taskName>`; drivers label/record it for recovery. */
  id: string;
  allocId: string;
  taskName: string;
  /** Driver-specific config from the job (`task.config`), validated by `validateConfig` first. */
  config: Record<string, unknown>;
  env: Record<string, string>;
  user?: string;
  resources: { cpuMHz: number; memoryMB: number; memoryMaxMB?: number };
  /** Allocated ports: label → host port (and container port `to` for docker). */
  ports: Array<{ label: string; value: number; to?: number }>;
  /** Task directory (its `local/`, `secrets/`, shared `alloc/` are under the alloc dir). */
  taskDir: string;
  allocDir: string;
  /** Files the driver must write the task's stdout/stderr to (the agent rotates them). */
  stdoutPath: string;
  stderrPath: string;
  /** Host volume mounts: source path on the host → destination inside the task. */
  mounts: Array<{ source: string; destination: string; readOnly: boolean }>;
}

/** A handle the agent persists so it can re-attach after its own restart. */
export interface TaskHandle {
  driver: string;
  taskId: string;
  /** Driver-specific state: pid + start time, container id, ... (JSON-serializable). */
  state: Record<string, unknown>;
  startedAt: string;
}

/** How a task ended. */
export interface ExitResult {
  exitCode: number;
  signal?: number;
  oomKilled: boolean;
  /** Set when the driver itself failed (not the task). */
  err?: string;
}

/** A point-in-time view of a running task. */
export interface TaskStatus {
  state: 'running' | 'exited' | 'unknown';
  exit?: ExitResult;
}

/** Driver health as fingerprinted into the Node's status.drivers. */
export interface DriverFingerprint {
  detected: boolean;
  healthy: boolean;
  description: string;
  attributes?: Record<string, string>;
}

/** The driver interface: one instance per agent, many tasks. */
export interface Driver {
  readonly name: string;
  fingerprint(): Promise<DriverFingerprint>;
  /** Returns field-level problems with `config` (empty = ok); never throws for bad user input. */
  validateConfig(config: Record<string, unknown>): string[];
  /** Start the task; resolves once it is running (or rejects with a clear, user-facing Error). */
  start(task: TaskConfig): Promise<TaskHandle>;
  /** Resolve when the task exits (also works for recovered handles). */
  wait(handle: TaskHandle): Promise<ExitResult>;
  /** Send `signal`, then SIGKILL after `timeoutMs` if still running. Resolves when stopped. */
  stop(handle: TaskHandle, signal: string, timeoutMs: number): Promise<void>;
  /** Remove everything the task left (container, cgroup); idempotent. */
  destroy(handle: TaskHandle): Promise<void>;
  inspect(handle: TaskHandle): Promise<TaskStatus>;
  /** Re-attach to a task started by a previous agent process; false when it is gone. */
  recover(handle: TaskHandle): Promise<boolean>;
  /** Send `signal` to the running task without stopping it (template changeMode signal); optional. */
  signal?(handle: TaskHandle, signal: string): Promise<void>;
  /** Run a command inside the task's context (script checks); optional. */
  exec?(handle: TaskHandle, command: string, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}
