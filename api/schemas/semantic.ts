// Checks a JSON schema cannot express: name-or-generateName, unique names within a job, references between
// fields (volume mounts → group volumes), one-of pairs. Each reads the object defensively: it runs even when the
// schema found other problems, so every problem is reported at once, as Kubernetes does.
import type { StatusCause } from '../../pkg/apierrors/status.ts';
import { MAX_TEMPLATE_NAME } from './job-launch.ts';
import { dispatchPayloadCauses, templateCauses, templateNameCauses } from './semantic-templates.ts';
import { groupVolumeCauses, taskInputCauses } from './semantic-task-inputs.ts';
import { updateBlockCauses } from './rollout-causes.ts';
import { groupDependencyCauses } from './semantic-dependencies.ts';
import { unsupportedFieldCauses } from './semantic-unsupported.ts';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Causes beyond the schema for an object of `kind`. */
export function semanticCauses(kind: string, obj: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = obj.metadata;
  if (isObj(meta) && meta.name === undefined && !meta.generateName) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  }
  if (kind === 'Job' && isObj(obj.spec)) causes.push(...jobSpecCauses(obj.spec, 'spec'), ...templateNameCauses(obj, MAX_TEMPLATE_NAME));
  if (kind === 'JobVersion' && isObj(obj.spec) && isObj(obj.spec.jobSpec)) causes.push(...jobSpecCauses(obj.spec.jobSpec, 'spec.jobSpec'));
  return causes;
}

/** Reports the second and later occurrences of a name among `items[].key`. */
function duplicates(items: unknown[], key: string, path: string): StatusCause[] {
  const seen = new Set<unknown>();
  const out: StatusCause[] = [];
  items.forEach((it, i) => {
    const v = isObj(it) ? it[key] : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return;
    if (seen.has(v)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(v)}`, field: `${path}[${i}].${key}` });
    seen.add(v);
  });
  return out;
}

/** Checks of a job spec at `path` (spec, or spec.jobSpec of a JobVersion). */
export function jobSpecCauses(spec: Json, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const groups = list(spec.groups);
  causes.push(...duplicates(groups, 'name', `${path}.groups`));
  const type = spec.type ?? 'service';
  if (spec.periodic !== undefined && type !== 'batch' && type !== 'sysbatch') {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(type)}: periodic jobs must be of type "batch" or "sysbatch"`, field: `${path}.type` });
  }
  causes.push(...templateCauses(spec, path));
  causes.push(...spreadCauses(spec.spreads, `${path}.spreads`));
  causes.push(...updateBlockCauses(spec.update, `${path}.update`, type));
  causes.push(...groupDependencyCauses(spec, path));
  causes.push(...unsupportedFieldCauses(spec, path));
  groups.forEach((g, gi) => {
    if (isObj(g)) causes.push(...groupCauses(g, `${path}.groups[${gi}]`, type));
  });
  return causes;
}

/** Checks within one task group. */
function groupCauses(g: Json, path: string, type: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  const tasks = list(g.tasks);
  causes.push(...duplicates(tasks, 'name', `${path}.tasks`));
  const ports = isObj(g.network) ? list(g.network.ports) : [];
  causes.push(...duplicates(ports, 'label', `${path}.network.ports`));
  causes.push(...duplicates(ports, 'static', `${path}.network.ports`));
  causes.push(...spreadCauses(g.spreads, `${path}.spreads`));
  causes.push(...updateBlockCauses(g.update, `${path}.update`, type));
  const volumes = isObj(g.volumes) ? g.volumes : {};
  causes.push(...groupVolumeCauses(g.volumes, path));
  tasks.forEach((t, ti) => {
    if (!isObj(t)) return;
    const tp = `${path}.tasks[${ti}]`;
    causes.push(...dispatchPayloadCauses(t, tp));
    causes.push(...taskInputCauses(t, tp));
    list(t.volumeMounts).forEach((m, mi) => {
      if (isObj(m) && typeof m.volume === 'string' && !(m.volume in volumes)) {
        causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(m.volume)}: no such volume in the group volumes`, field: `${tp}.volumeMounts[${mi}].volume` });
      }
    });
    list(t.templates).forEach((tpl, i) => {
      if (!isObj(tpl)) return;
      const f = `${tp}.templates[${i}]`;
      if (tpl.data !== undefined && tpl.source !== undefined) {
        causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified when `data` is specified', field: `${f}.source` });
      } else if (tpl.data === undefined && tpl.source === undefined) {
        causes.push({ reason: 'FieldValueRequired', message: 'Required value: one of `data` or `source` is required', field: `${f}.data` });
      }
    });
  });
  return causes;
}

/** Spread targets may not ask for more than 100% in total. */
function spreadCauses(spreads: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  list(spreads).forEach((s, i) => {
    if (!isObj(s)) return;
    const total = list(s.targets).reduce<number>((sum, t) => sum + (isObj(t) && typeof t.percent === 'number' ? t.percent : 0), 0);
    if (total > 100) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${total}: target percentages must sum to at most 100`, field: `${path}[${i}].targets` });
  });
  return causes;
}
