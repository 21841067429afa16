// The text of `drover plan`, after `nomad job plan`: the annotated job diff, the scheduler dry run (and for
// failed placements why: nodes filtered by which check, exhausted by which dimension), the placements per node
// and the job modify index. Markers: `+` added, `-` removed, `+/-` an edited job, group or task, `~` an edited
// field or object; unchanged ones (only with --verbose) have none.
import { explainMetric, type AllocMetric } from '../../../pkg/scheduler/metrics.ts';
import type { DiffType, FieldDiff, JobDiff, JobPlanResult, NodePlacements, ObjectDiff, TaskDiff, TaskGroupDiff } from '../../../pkg/apiserver/jobplan/types.ts';

/** Marker of a job, group or task header. */
function headerMarker(t: DiffType): string {
  return t === 'Added' ? '+' : t === 'Deleted' ? '-' : t === 'Edited' ? '+/-' : '';
}

/** Marker of a field or object. */
function fieldMarker(t: DiffType): string {
  return t === 'Added' ? '+' : t === 'Deleted' ? '-' : t === 'Edited' ? '~' : '';
}

/** `marker ` padded so that names line up with siblings carrying wider markers. */
function lead(marker: string, width: number): string {
  if (width === 0) return '';
  return marker.padEnd(width) + ' ';
}

const q = (s: string | undefined) => JSON.stringify(s ?? '');

function fieldValue(f: FieldDiff): string {
  const v = f.type === 'Added' ? q(f.new) : f.type === 'Deleted' ? q(f.old) : f.type === 'Edited' ? `${q(f.old)} => ${q(f.new)}` : q(f.new);
  return f.annotations?.length ? `${v} (${f.annotations.join(', ')})` : v;
}

/** Fields, then objects, of one object at `indent`, names and values aligned among siblings. */
function fieldsAndObjects(fields: FieldDiff[], objects: ObjectDiff[], indent: number, verbose: boolean): string[] {
  const shownFields = fields.filter((f) => verbose || f.type !== 'None');
  const shownObjects = objects.filter((o) => verbose || o.type !== 'None');
  const width = Math.max(0, ...[...shownFields, ...shownObjects].map((d) => fieldMarker(d.type).length));
  const nameWidth = Math.max(0, ...shownFields.map((f) => f.name.length + 1));
  const pad = ' '.repeat(indent);
  const out = shownFields.map((f) => `${pad}${lead(fieldMarker(f.type), width)}${`${f.name}:`.padEnd(nameWidth)} ${fieldValue(f)}`);
  for (const o of shownObjects) {
    const marker = fieldMarker(o.type);
    out.push(`${pad}${lead(marker, width)}${o.name} {`);
    // As Nomad: children start two columns right of the marker, or of the name when the marker is blank.
    const keyPrefix = (width ? width + 1 : 0) - (marker ? marker.length + 1 : 0);
    out.push(...fieldsAndObjects(o.fields, o.objects, indent + keyPrefix + 2, verbose));
    out.push(`${pad}${width ? ' '.repeat(width + 1) : ''}}`);
  }
  return out;
}

/** The job diff, as `nomad job plan` prints it. Fields show for edited parts, or all of them with `verbose`. */
export function formatDiff(diff: JobDiff, verbose: boolean): string[] {
  const out: string[] = [];
  const groupWidth = Math.max(headerMarker(diff.type).length, ...diff.taskGroups.map((g) => headerMarker(g.type).length));
  out.push(`${lead(headerMarker(diff.type), groupWidth)}Job: ${q(diff.id)}`);
  // Fields sit two columns in under their header, for the job as for groups and tasks.
  if (diff.type === 'Edited' || verbose) out.push(...fieldsAndObjects(diff.fields, diff.objects, 2, verbose));
  for (const g of diff.taskGroups) out.push(...formatGroup(g, groupWidth, verbose));
  return out;
}

function formatGroup(g: TaskGroupDiff, width: number, verbose: boolean): string[] {
  const updates = Object.keys(g.updates).sort().map((k) => `${g.updates[k]} ${k}`);
  const out = [`${lead(headerMarker(g.type), width)}Task Group: ${q(g.name)}${updates.length ? ` (${updates.join(', ')})` : ''}`];
  if (g.type === 'Edited' || verbose) out.push(...fieldsAndObjects(g.fields, g.objects, 2, verbose));
  const taskWidth = Math.max(0, ...g.tasks.map((t) => headerMarker(t.type).length));
  for (const t of g.tasks) out.push(...formatTask(t, taskWidth, verbose));
  return out;
}

function formatTask(t: TaskDiff, width: number, verbose: boolean): string[] {
  const out = [`  ${lead(headerMarker(t.type), width)}Task: ${q(t.name)}${t.annotations.length ? ` (${t.annotations.join(', ')})` : ''}`];
  // As Nomad: an unchanged task is its header; an added or removed one shows its fields only with --verbose.
  if (t.type === 'Edited' || (verbose && t.type !== 'None')) out.push(...fieldsAndObjects(t.fields, t.objects, 4, verbose));
  return out;
}

/** Nomad's explanation of one failed group's metric, one `* ...` line per fact (pkg/scheduler words them). */
export function formatMetric(m: AllocMetric, indent: string): string[] {
  return explainMetric(m).map((l) => `${indent}* ${l}`);
}

/** `Scheduler dry-run:` and its verdict, with the reasons of each failed group. */
export function formatDryRun(r: JobPlanResult): string[] {
  const out = ['Scheduler dry-run:'];
  const failed = Object.keys(r.failedGroups).sort();
  if (failed.length === 0) return [...out, '- All tasks successfully allocated.'];
  const system = r.jobType === 'system' || r.jobType === 'sysbatch';
  out.push(system ? '- WARNING: Failed to place allocations on all nodes.' : '- WARNING: Failed to place all allocations.');
  for (const g of failed) {
    const m = r.failedGroups[g]!;
    const n = r.queued[g] ?? m.coalescedFailures + 1;
    out.push(`  Task Group ${q(g)} (failed to place ${n} allocation${n === 1 ? '' : 's'}):`);
    out.push(...formatMetric(m, '    '));
  }
  return out;
}

const REASONS: Record<string, string> = { new: 'create', destructive: 'create/destroy update', migrate: 'migrate', lost: 'replaces a lost allocation', reschedule: 'reschedule' };

/** Per node: `+` placements, `-` stops, `~` in-place updates (with --verbose: scores and usage after the plan). */
export function formatPlacements(nodes: Record<string, NodePlacements>, verbose: boolean): string[] {
  const names = Object.keys(nodes).sort();
  if (names.length === 0) return [];
  const out = ['Placements:'];
  for (const name of names) {
    const np = nodes[name]!;
    const usage = verbose ? ` (after: cpu ${np.usage.cpu}/${np.capacity.cpu} MHz, memory ${np.usage.memoryMB}/${np.capacity.memoryMB} MB)` : '';
    out.push(`  Node ${q(name)}${usage}:`);
    for (const p of np.place) {
      const why = [REASONS[p.reason] ?? p.reason, p.previousAllocation ? `replaces ${p.previousAllocation}` : '', p.preempts.length ? `preempts ${p.preempts.join(', ')}` : '', verbose ? `score ${p.score.toFixed(3)}` : ''];
      out.push(`    + ${p.name} (${why.filter(Boolean).join(', ')})`);
    }
    for (const s of np.stop) out.push(`    - ${s.name}${s.desiredStatus === 'evict' ? ' evicted' : ''}${s.clientStatus === 'lost' ? ' (lost)' : ''}: ${s.description}${verbose ? ` [${s.id}]` : ''}`);
    for (const u of np.update) out.push(`    ~ ${u.name} (in-place update, version ${u.fromVersion} => ${u.toVersion})`);
  }
  return out;
}

/** Top node scores of each group's last placement (verbose), as Nomad's `-verbose` shows them. */
export function formatScores(r: JobPlanResult): string[] {
  const groups = Object.keys(r.placementMetrics).sort().filter((g) => r.placementMetrics[g]!.topScores.length > 0);
  if (groups.length === 0) return [];
  const out = ['Placement scores (best nodes of the last placement per group):'];
  for (const g of groups) {
    out.push(`  Task Group ${q(g)}:`);
    for (const s of r.placementMetrics[g]!.topScores) {
      const parts = Object.entries(s.scores).map(([k, v]) => `${k} ${v.toFixed(3)}`);
      out.push(`    ${s.node}: ${s.normScore.toFixed(3)}${parts.length ? ` (${parts.join(', ')})` : ''}`);
    }
  }
  return out;
}

/** The whole text of one plan, blocks separated by blank lines. */
export function formatPlan(r: JobPlanResult, verbose: boolean): string {
  const blocks = [formatDiff(r.diff, verbose), formatDryRun(r), formatPlacements(r.nodes, verbose)];
  if (verbose) blocks.push(formatScores(r));
  blocks.push([`Job Modify Index: ${r.jobModifyIndex}`]);
  return blocks.filter((b) => b.length > 0).map((b) => b.join('\n')).join('\n\n') + '\n';
}

/**
 * Nomad's exit code: 1 when the plan would create or destroy allocations (places, stops, migrations,
 * destructive updates — failed placements included), 0 otherwise (nothing, or only in-place updates).
 */
export function planExitCode(r: JobPlanResult): 0 | 1 {
  const changes = Object.values(r.desiredChanges).some((c) => c.place + c.stop + c.migrate + c.destructiveUpdate + c.canary + c.lost + c.reschedule > 0);
  return changes ? 1 : 0;
}
