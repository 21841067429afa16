// The checks of one allocation: a CheckRunner per service check while the task owning it runs (group services
// belong to the first main task), check_restart wired to the owning task, and the summary the health watcher
// needs ("every check passing").
import { CHECKS_PASSING } from '../../../api/schemas/allocation-conditions.ts';
import type { Allocation, Service, TaskGroup } from '../../../api/schemas/index.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { CheckRestarter, CheckRunner, type CheckResult } from './checks.ts';
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
  /** The latest probe's result (none before the first probe ends). */
  last?: CheckResult;
}

/** The type of the allocation condition the agent reports for its checks. */
export const CHECKS_CONDITION = CHECKS_PASSING;

/** The checks' summary as an allocation condition (without its transition time). */
export interface ChecksSummary {
  status: 'True' | 'False' | 'Unknown';
  /** ChecksPassing | ChecksFailing | TaskNotRunning | ChecksPending. */
  reason: string;
  /** One `name: status` per check, with the output of those not passing. */
  message: string;
}

const MAX_OUTPUT = 200;

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
      const name = checkName(alloc, group, d);
      const active: ActiveCheck = {
        restarter,
        owner: d.owner,
        runner: new CheckRunner({
          check: d.check,
          name,
          target: { address: port?.hostIP ?? this.deps.address, port: port?.value, exec: (cmd, args, t) => owner.exec(cmd, args, t) },
          clock: this.deps.clock,
          logger: this.deps.logger,
          onResult: (r) => {
            active.last = r;
            const startedAt = Date.parse(owner.state.startedAt ?? '') || 0;
            if (restarter?.observe(r.status, this.deps.clock.now(), startedAt)) {
              void owner.restart(`check "${name}" unhealthy`);
            }
            this.deps.changed();
          },
        }),
      };
      this.active.set(d.key, active);
      active.runner.start();
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

  /**
   * The checks as one condition, so their state is visible on the allocation without a deployment: True when
   * every check's latest probe passed; False when one failed or its task is not running; Unknown while a
   * check has no result yet. Undefined when the group has no checks.
   */
  summary(alloc: Allocation, group: TaskGroup): ChecksSummary | undefined {
    const defs = definitions(group);
    if (defs.length === 0) return undefined;
    let pending = false;
    let failing = false;
    let inactive = false;
    const parts: string[] = [];
    for (const d of defs) {
      const a = this.active.get(d.key);
      const name = checkName(alloc, group, d);
      if (!a) {
        inactive = true;
        parts.push(`${name}: task ${d.owner} is not running`);
      } else if (!a.last) {
        pending = true;
        parts.push(`${name}: pending`);
      } else if (a.last.status === 'passing') {
        parts.push(`${name}: passing`);
      } else {
        failing = true;
        parts.push(`${name}: ${a.last.status}: ${a.last.output.trim().slice(0, MAX_OUTPUT)}`);
      }
    }
    const message = parts.join('; ');
    if (failing) return { status: 'False', reason: 'ChecksFailing', message };
    if (inactive) return { status: 'False', reason: 'TaskNotRunning', message };
    if (pending) return { status: 'Unknown', reason: 'ChecksPending', message };
    return { status: 'True', reason: 'ChecksPassing', message };
  }

  stopAll(): void {
    for (const c of this.active.values()) c.runner.stop();
    this.active.clear();
  }
}

/** The check's display name: its own, else Nomad's `service: "<service>" check`. */
function checkName(alloc: Allocation, group: TaskGroup, d: CheckDefinition): string {
  return d.check.name ?? `service: "${d.service.name ?? `${alloc.spec.jobName}-${group.name}-${d.owner}`}" check`;
}

type CheckDefinition = ReturnType<typeof definitions>[number];

function definitions(group: TaskGroup): Array<{ key: string; owner: string; service: Service; check: NonNullable<Service['checks']>[number] }> {
  const out: Array<{ key: string; owner: string; service: Service; check: NonNullable<Service['checks']>[number] }> = [];
  const firstMain = group.tasks.find((t) => !t.lifecycle) ?? group.tasks[0]!;
  const add = (owner: string, services: Service[] | undefined, scope: string) =>
    (services ?? []).forEach((service, si) => (service.checks ?? []).forEach((check, ci) => out.push({ key: `${scope}/${si}/${ci}`, owner, service, check })));
  add(firstMain.name, group.services, 'group');
  for (const t of group.tasks) add(t.name, t.services, `task:${t.name}`);
  return out;
}
