// Admission checks of periodic and parameterized jobs, and of what dispatch delivers: every field either works
// or is refused here. Cron expressions and time zones are checked with the language the controller schedules
// with (cron.ts), so an accepted schedule is a schedule that fires.
import { posix } from 'node:path';
import type { StatusCause } from '../../pkg/apierrors/status.ts';
import { CronSyntaxError, isTimeZone, parseCron } from './cron.ts';
import { MAX_PAYLOAD_BYTES } from './job.ts';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Causes of `spec.periodic`, `spec.parameterized` and `spec.payload` of a job spec at `path`. */
export function templateCauses(spec: Json, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const type = spec.type ?? 'service';
  if (isObj(spec.periodic)) causes.push(...periodicCauses(spec.periodic, `${path}.periodic`));
  if (spec.periodic !== undefined && spec.parameterized !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: a periodic job cannot also be parameterized', field: `${path}.parameterized` });
  }
  if (spec.parameterized !== undefined && type !== 'batch' && type !== 'sysbatch') {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(type)}: parameterized jobs must be of type "batch" or "sysbatch"`, field: `${path}.type` });
  }
  if (isObj(spec.parameterized)) {
    const optional = new Set(strings(spec.parameterized.metaOptional));
    strings(spec.parameterized.metaRequired).forEach((k, i) => {
      if (optional.has(k)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(k)}: a meta key is either required or optional`, field: `${path}.parameterized.metaRequired[${i}]` });
    });
  }
  if (typeof spec.payload === 'string' && Buffer.from(spec.payload, 'base64').length > MAX_PAYLOAD_BYTES) {
    causes.push({ reason: 'FieldValueTooLong', message: `Too long: the payload may not be more than ${MAX_PAYLOAD_BYTES} bytes`, field: `${path}.payload` });
  }
  return causes;
}

function periodicCauses(p: Json, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (p.cron === undefined && p.crons === undefined) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: one of `cron` or `crons` is required', field: `${path}.crons` });
  }
  if (p.cron !== undefined && p.crons !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified when `crons` is specified', field: `${path}.cron` });
  }
  const exprs: Array<[string, unknown]> = [[`${path}.cron`, p.cron], ...(Array.isArray(p.crons) ? p.crons.map((c, i) => [`${path}.crons[${i}]`, c] as [string, unknown]) : [])];
  for (const [field, expr] of exprs) {
    if (typeof expr !== 'string') continue;
    try {
      parseCron(expr);
    } catch (err) {
      if (!(err instanceof CronSyntaxError)) throw err;
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(expr)}: ${err.message}`, field });
    }
  }
  if (typeof p.timeZone === 'string' && !isTimeZone(p.timeZone)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(p.timeZone)}: not an IANA time zone`, field: `${path}.timeZone` });
  }
  return causes;
}

/** Causes of a task's dispatchPayload at `path`: the file must stay inside the task's local/ directory. */
export function dispatchPayloadCauses(task: Json, path: string): StatusCause[] {
  const dp = task.dispatchPayload;
  if (!isObj(dp) || typeof dp.file !== 'string') return [];
  const norm = posix.normalize(dp.file);
  if (posix.isAbsolute(norm) || norm === '..' || norm.startsWith('../') || norm === '.' || norm.endsWith('/')) {
    return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(dp.file)}: must be a file path inside the task's local/ directory`, field: `${path}.dispatchPayload.file` }];
  }
  return [];
}

/** Causes of a template's name: its children's names must still be valid object names. */
export function templateNameCauses(obj: Json, maxName: number): StatusCause[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const name = isObj(obj.metadata) ? obj.metadata.name : undefined;
  if ((spec.periodic === undefined && spec.parameterized === undefined) || typeof name !== 'string' || name.length <= maxName) return [];
  return [{ reason: 'FieldValueTooLong', message: `Too long: a periodic or parameterized job's name may not be more than ${maxName} characters (its children's names add a suffix)`, field: 'metadata.name' }];
}
