// Refusals: a job-file field Drover cannot honour, with where it is. Converters collect every refusal of a file
// and fail once with all of them (a 422 Invalid Status whose causes name each field and its file:line:column).
import { status, type Status } from '../apierrors/status.ts';

/** A position in a source file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/** One field of a job file that was not converted, and why. */
export interface Refusal {
  /** The field's path in the job file's own terms, e.g. job.redis.group.cache.task.redis.template[0]. */
  path: string;
  position?: Position;
  message: string;
}

/** `file:line:column` (or just `file` when the position is unknown). */
export function where(source: string, p?: Position): string {
  return p ? `${source}:${p.line}:${p.column}` : source;
}

/** A job file with fields that do not convert: every refusal, as lines and as a 422 Invalid Status with one cause each. */
export class RefusedError extends Error {
  readonly status: Status;

  constructor(readonly source: string, format: string, name: string, readonly refusals: Refusal[]) {
    const lines = refusals.map((r) => `  ${where(source, r.position)} ${r.path}: ${r.message}`);
    super(`the ${format} job "${name}" in ${source} cannot be converted: ${refusals.length} field${refusals.length === 1 ? '' : 's'} refused\n${lines.join('\n')}`);
    const causes = refusals.map((r) => ({ reason: 'FieldValueNotSupported' as const, field: `${where(source, r.position)} ${r.path}`, message: r.message }));
    this.status = status('Invalid', this.message, { name, kind: 'Job', causes });
  }
}

/** Thrown when a job file cannot be read at all (syntax), with its position when the parser gave one. */
export class JobFileSyntaxError extends Error {}
