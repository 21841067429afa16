// The driver registry: one instance of each task driver per agent, by the name a task's `driver` field uses.
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { DockerDriver } from './docker/driver.ts';
import type { Driver } from './driver.ts';
import { ExecDriver } from './exec/driver.ts';
import { MockDriver } from './mock/driver.ts';
import { RawExecDriver } from './rawexec/driver.ts';

export type { Driver, DriverFingerprint, ExitResult, TaskConfig, TaskHandle, TaskStatus } from './driver.ts';
export { DockerDriver, type DroverContainer } from './docker/driver.ts';
export { ExecDriver } from './exec/driver.ts';
export { MockDriver } from './mock/driver.ts';
export { RawExecDriver } from './rawexec/driver.ts';
export { UNKNOWN_EXIT_CODE } from './rawexec/supervisor.ts';

/** What the agent passes to build its drivers (cmd/ fills it from flags). */
export interface DriverOptions {
  logger: Logger;
  clock: Clock;
  /** Docker daemon socket; default /var/run/docker.sock (hack/dockerd.sh uses /run/drover-docker.sock). */
  dockerSocket?: string;
  /** Default unprivileged account of exec tasks; default `drover-task` (created when missing, else `nobody`). */
  execUser?: string;
  /** Parent cgroup of exec tasks; default `drover`. */
  cgroupParent?: string;
  /** Only these drivers (names); default all. */
  enabled?: string[];
}

/** Drivers by name: mock, raw_exec, exec, docker. A driver that cannot work here says so in its fingerprint. */
export function createDrivers(opts: DriverOptions): ReadonlyMap<string, Driver> {
  const deps = { clock: opts.clock, logger: opts.logger };
  const all: Driver[] = [
    new MockDriver({ ...deps, logger: opts.logger.child({ driver: 'mock' }) }),
    new RawExecDriver({ ...deps, logger: opts.logger.child({ driver: 'raw_exec' }) }),
    new ExecDriver({ ...deps, logger: opts.logger.child({ driver: 'exec' }), user: opts.execUser, cgroupParent: opts.cgroupParent }),
    new DockerDriver({ ...deps, logger: opts.logger.child({ driver: 'docker' }), socket: opts.dockerSocket }),
  ];
  const enabled = opts.enabled ? new Set(opts.enabled) : undefined;
  return new Map(all.filter((d) => !enabled || enabled.has(d.name)).map((d) => [d.name, d]));
}
