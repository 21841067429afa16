// Annotations on the job diff, as Nomad's scheduler/annotate.go adds them: each group gets the scheduler's
// planned changes (`2 create, 1 in-place update`), each changed task says what its change forces, and a changed
// count says whether it creates or destroys. Whether a task change is destructive is decided by the same
// fingerprint the reconciler uses, so the annotation and the planned updates agree.
import type { JobSpec } from '../../../api/schemas/index.ts';
import { groupFingerprint } from '../../scheduler/fingerprint.ts';
import { ANNOTATIONS, UPDATE_TYPES, type GroupChanges, type JobDiff, type TaskDiff, type TaskGroupDiff } from './types.ts';

type RawGroup = NonNullable<JobSpec['groups']>[number];
type RawTask = RawGroup['tasks'][number];

/** Fills `updates` of each group, task annotations and count annotations, in place. */
export function annotate(diff: JobDiff, old: JobSpec | undefined, next: JobSpec | undefined, changes: Record<string, GroupChanges>): void {
  for (const g of diff.taskGroups) {
    g.updates = groupUpdates(changes[g.name]);
    const oldGroup = old?.groups?.find((x) => x.name === g.name);
    const nextGroup = next?.groups?.find((x) => x.name === g.name);
    for (const t of g.tasks) t.annotations = taskAnnotations(t, g, oldGroup?.tasks.find((x) => x.name === t.name), nextGroup?.tasks.find((x) => x.name === t.name));
    for (const f of g.fields) {
      if (f.name !== 'count' || f.type === 'None') continue;
      const grows = f.type === 'Added' || (f.type === 'Edited' && Number(f.new) > Number(f.old));
      f.annotations = [grows ? ANNOTATIONS.forcesCreate : ANNOTATIONS.forcesDestroy];
    }
  }
}

/** Nomad's DesiredTGUpdates labels with non-zero counts. */
export function groupUpdates(c: GroupChanges | undefined): Record<string, number> {
  if (!c) return {};
  const counts: Array<[string, number]> = [
    [UPDATE_TYPES.create, c.place + c.reschedule],
    [UPDATE_TYPES.destroy, c.stop + c.lost],
    [UPDATE_TYPES.migrate, c.migrate],
    [UPDATE_TYPES.inPlaceUpdate, c.inPlaceUpdate],
    [UPDATE_TYPES.destructiveUpdate, c.destructiveUpdate],
    [UPDATE_TYPES.canary, c.canary],
    [UPDATE_TYPES.ignore, c.ignore],
  ];
  return Object.fromEntries(counts.filter(([, n]) => n > 0));
}

function taskAnnotations(t: TaskDiff, g: TaskGroupDiff, old: RawTask | undefined, next: RawTask | undefined): string[] {
  if (t.type === 'None') return [];
  if (g.type === 'Added' || g.type === 'Deleted') {
    if (t.type === 'Added') return [ANNOTATIONS.forcesCreate];
    if (t.type === 'Deleted') return [ANNOTATIONS.forcesDestroy];
  }
  if (t.type !== 'Edited' || !old || !next) return [ANNOTATIONS.forcesDestructiveUpdate];
  // A one-task group's fingerprint ignores exactly the task fields that can change in place.
  const destructive = groupFingerprint({ tasks: [old] }) !== groupFingerprint({ tasks: [next] });
  return [destructive ? ANNOTATIONS.forcesDestructiveUpdate : ANNOTATIONS.forcesInPlaceUpdate];
}
