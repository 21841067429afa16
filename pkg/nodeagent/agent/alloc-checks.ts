// The checks of one allocation: a CheckRunner per service check while the task owning it runs (group services
// belong to the first main task), check_restart wired to the owning task, and the summary the health watcher
// needs ("every check passing").
import type { Allocation, Service, TaskGroup } from '../../../api/schemas/index.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { CheckRestarter, CheckRunner } from './checks.ts';
import type { TaskRunner } from './task-runner.ts';

/** What the check set needs. */
export interface AllocChecksDeps {
  clock: Clock;
  logger: Logger;
  /** The node's address, for checks of ports without a host IP. */
  address: string;
  /** Called after every check result (health and status follow). */
  changed(): void;
}

interface ActiveCheck {
  runner: CheckRunner;
  restarter?: CheckRestarter;
  owner: string;
}

/** The live checks of one allocation. */
export class AllocChecks {
  private readonly active = new Map<string, ActiveCheck>();

  constructor(private readonly deps: AllocChecksDeps) {}

  /** How many check definitions the group has (with its tasks). */
  static count(group: TaskGroup): number {
    return definitions(group).length;
  }

  /** Start checks whose task runs, stop those whose task does not (or all when `enabled` is false). */
  sync(alloc: Allocation, group: TaskGroup, tasks: Map<string, TaskRunner>, enabled: boolean): void {
    const wanted = new Set<string>();
    for (const d of definitions(group)) {
      const owner = tasks.get(d.owner);
      if (!enabled || !owner?.isRunning) continue;
      wanted.add(d.key);
      if (this.active.has(d.key)) continue;
      const label = d.check.portLabel ?? d.service.portLabel;
      const port = (alloc.spec.resources?.ports ?? []).find((p) => p.label === label);
      const restarter = CheckRestarter.of(d.check);
      const name = d.check.name ?? `service: "${d.service.name ?? `${alloc.spec.jobName}-${group.name}-${d.owner}`}" check`;
      const runner = new CheckRunner({
        check: d.check,
        name,
        target: { address: port?.hostIP ?? this.deps.address, port: port?.value, exec: (cmd, args, t) => owner.exec(cmd, args, t) },
        clock: this.deps.clock,
        logger: this.deps.logger,
        onResult: (r) => {
          const startedAt = Date.parse(owner.state.startedAt ?? '') || 0;
          if (restarter?.observe(r.status, this.deps.clock.now(), startedAt)) {
            void owner.restart(`check "${name}" unhealthy`);
          }
          this.deps.changed();
        },
      });
      this.active.set(d.key, { runner, restarter, owner: d.owner });
      runner.start();
    }
    for (const [key, c] of this.active) {
      if (wanted.has(key)) continue;
      c.runner.stop();
      this.active.delete(key);
    }
  }

  /** Every defined check is running and passing (vacuously true without checks). */
  allPassing(group: TaskGroup): boolean {
    const defs = definitions(group);
    return defs.every((d) => this.active.get(d.key)?.runner.status === 'passing');
  }

  stopAll(): void {
    for (const c of this.active.values()) c.runner.stop();
    this.active.clear();
  }
}

function definitions(group: TaskGroup): Array<{ key: string; owner: string; service: Service; check: NonNullable<Service['checks']>[number] }> {
  const out: Array<{ key: string; owner: string; service: Service; check: NonNullable<Service['checks']>[number] }> = [];
  const firstMain = group.tasks.find((t) => !t.lifecycle) ?? group.tasks[0]!;
  const add = (owner: string, services: Service[] | undefined, scope: string) =>
    (services ?? []).forEach((service, si) => (service.checks ?? []).forEach((check, ci) => out.push({ key: `${scope}/${si}/${ci}`, owner, service, check })));
  add(firstMain.name, group.services, 'group');
  for (const t of group.tasks) add(t.name, t.services, `task:${t.name}`);
  return out;
}
