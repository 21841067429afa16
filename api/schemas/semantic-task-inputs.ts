// Admission checks of what the node agent delivers into a task — templates, artifacts — and of the group
// volumes it mounts: every field either works on the agent or is refused here with its path, so a job is
// never scheduled only to fail on its node (csi volumes did: "volume is of type csi, which this agent cannot
// mount"). Paths with `${...}` are checked again by the agent after interpolation.
import { constants as osConstants } from 'node:os';
import { posix } from 'node:path';
import type { StatusCause } from '../../pkg/apierrors/status.ts';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Checksum types go-getter knows, with their hex digest lengths (the agent verifies with the same table). */
export const ARTIFACT_CHECKSUM_TYPES: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };
/** Artifact options the agent honours. */
export const ARTIFACT_OPTIONS = ['checksum', 'archive'];
/** Artifact URL schemes the agent fetches. */
export const ARTIFACT_SCHEMES = ['http:', 'https:', 'file:'];

/** Whether `name` is a signal this platform knows (SIGHUP or HUP). */
export function isSignalName(name: string): boolean {
  const upper = name.toUpperCase();
  return (osConstants.signals as Record<string, number>)[upper.startsWith('SIG') ? upper : `SIG${upper}`] !== undefined;
}

// A path relative to the task directory that stays inside the allocation directory (Nomad's sandbox: a
// template may write to ../alloc/). Undefined when fine.
function sandboxProblem(path: string): string | undefined {
  if (path.includes('${')) return undefined;
  if (posix.isAbsolute(path)) return 'must be relative to the task directory (e.g. local/app.conf)';
  const normal = posix.normalize(posix.join('task', path));
  if (normal === '.' || normal.startsWith('..')) return 'must stay inside the allocation directory';
  return undefined;
}

/** Causes of one task's templates and artifacts; `path` is the task's field path. */
export function taskInputCauses(t: Json, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const invalid = (field: string, value: unknown, why: string) => causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field });
  list(t.templates).forEach((tpl, i) => {
    if (!isObj(tpl)) return;
    const f = `${path}.templates[${i}]`;
    for (const k of ['destination', 'source'] as const) {
      const problem = typeof tpl[k] === 'string' ? sandboxProblem(tpl[k]) : undefined;
      if (problem) invalid(`${f}.${k}`, tpl[k], problem);
    }
    if (tpl.changeSignal !== undefined && (tpl.changeMode ?? 'restart') !== 'signal') {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may only be set when changeMode is "signal"', field: `${f}.changeSignal` });
    } else if (typeof tpl.changeSignal === 'string' && !isSignalName(tpl.changeSignal)) {
      invalid(`${f}.changeSignal`, tpl.changeSignal, 'not a signal name');
    }
    if (tpl.leftDelimiter !== undefined && tpl.leftDelimiter === tpl.rightDelimiter) invalid(`${f}.rightDelimiter`, tpl.rightDelimiter, 'must differ from leftDelimiter');
  });
  list(t.artifacts).forEach((a, i) => {
    if (!isObj(a)) return;
    const f = `${path}.artifacts[${i}]`;
    if (typeof a.source === 'string' && !a.source.startsWith('${')) {
      const scheme = /^([a-z0-9+.-]+)::/i.exec(a.source)?.[1] ?? (URL.canParse(a.source) ? new URL(a.source).protocol.slice(0, -1) : undefined);
      if (!scheme || !ARTIFACT_SCHEMES.includes(`${scheme}:`) || a.source.includes('::')) {
        causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(a.source)}: supported sources are http://, https:// and file:// URLs`, field: `${f}.source` });
      }
    }
    const problem = typeof a.destination === 'string' ? sandboxProblem(a.destination) : undefined;
    if (problem) invalid(`${f}.destination`, a.destination, problem);
    const options = isObj(a.options) ? a.options : {};
    for (const [k, v] of Object.entries(options)) {
      if (!ARTIFACT_OPTIONS.includes(k)) {
        causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(k)}: supported options: "checksum", "archive"`, field: `${f}.options.${k}` });
      } else if (k === 'checksum') {
        const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(String(v));
        const len = m ? ARTIFACT_CHECKSUM_TYPES[m[1]!] : undefined;
        if (!m || len === undefined || m[2]!.length !== len) invalid(`${f}.options.checksum`, v, 'want <md5|sha1|sha256|sha512>:<hex digest of that type>');
      } else if (v !== 'true' && v !== 'false') {
        invalid(`${f}.options.archive`, v, 'must be "true" or "false"');
      }
    }
  });
  return causes;
}

/** Causes of a group's volumes: only host volumes are mounted by the agent. */
export function groupVolumeCauses(volumes: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isObj(volumes)) return causes;
  for (const [name, v] of Object.entries(volumes)) {
    if (!isObj(v)) continue;
    const f = `${path}.volumes[${name}]`;
    if (v.type === 'csi') causes.push({ reason: 'FieldValueNotSupported', message: 'Unsupported value: "csi": no agent mounts csi volumes (no CSI plugin integration); supported values: "host"', field: `${f}.type` });
    for (const k of ['accessMode', 'attachmentMode'] as const) {
      if (v[k] !== undefined) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: a CSI option; host volumes have none', field: `${f}.${k}` });
    }
    if (v.perAlloc === true) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: per-allocation volumes are not supported (the agent mounts the named host volume as is)', field: `${f}.perAlloc` });
  }
  return causes;
}
