// Query parameters of write requests (CreateOptions, UpdateOptions, PatchOptions, DeleteOptions), validated
// the way apiserver does: a bad option is the client's error (4xx), never ignored.
import { badRequest, invalid, type StatusCause } from '../apierrors/status.ts';

/** Raw query as fastify parses it (repeated keys become arrays). */
export type RawQuery = Record<string, string | string[] | undefined>;

/** The last value of query parameter `name`. */
export function queryParam(q: RawQuery, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of query parameter `name`. */
export function queryParams(q: RawQuery, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A boolean query flag: "true"/"1" → true, "false"/"0"/absent → false; anything else is a 400. */
export function queryFlag(q: RawQuery, name: string): boolean {
  const v = queryParam(q, name);
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw badRequest(`${name}: invalid boolean value ${JSON.stringify(v)}`);
}

/** The options every write shares. */
export interface WriteOptions {
  dryRun: boolean;
  /** The field manager recorded in managedFields. */
  manager: string;
  /** Whether the client named the manager (apply requires it). */
  managerGiven: boolean;
  /** Strict (also when empty) | Warn | Ignore: what an unknown field does (422, dropped with a warning, dropped). */
  fieldValidation: string;
  /** Warnings for the response's `Warning` headers (fieldValidation=Warn's unknown fields). */
  warnings?: string[];
  force: boolean;
}

/** The manager Kubernetes derives when none is given: the User-Agent up to its first '/'. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0]!.trim();
  return prefix.slice(0, 128) || 'unknown';
}

/** Parse and validate the write options of a request for `optionsKind` (CreateOptions, PatchOptions...). */
export function parseWriteOptions(q: RawQuery, userAgent: string | undefined, optionsKind: string): WriteOptions {
  const causes: StatusCause[] = [];
  const dryRunValues = queryParams(q, 'dryRun');
  dryRunValues.forEach((v, i) => {
    if (v !== 'All') causes.push({ reason: 'FieldValueNotSupported', field: `dryRun[${i}]`, message: `Unsupported value: ${JSON.stringify(v)}: supported values: "All"` });
  });
  const given = queryParam(q, 'fieldManager');
  if (given !== undefined && given.length > 128) {
    causes.push({ reason: 'FieldValueTooLong', field: 'fieldManager', message: 'Too long: may not be more than 128 bytes' });
  }
  if (given !== undefined && /[^\x20-\x7e]/.test(given)) {
    causes.push({ reason: 'FieldValueInvalid', field: 'fieldManager', message: `Invalid value: ${JSON.stringify(given)}: must only contain printable characters` });
  }
  const fieldValidation = queryParam(q, 'fieldValidation') ?? '';
  if (!['', 'Strict', 'Warn', 'Ignore'].includes(fieldValidation)) {
    throw badRequest(`invalid fieldValidation directive ${JSON.stringify(fieldValidation)}: must be one of Strict, Warn or Ignore`);
  }
  const forceRaw = queryParam(q, 'force');
  if (forceRaw !== undefined && forceRaw !== 'true' && forceRaw !== 'false') {
    causes.push({ reason: 'FieldValueInvalid', field: 'force', message: `Invalid value: ${JSON.stringify(forceRaw)}: must be true or false` });
  }
  if (causes.length > 0) throw invalid({ kindName: optionsKind, group: 'meta.k8s.io', name: '' }, causes);
  return {
    dryRun: dryRunValues.length > 0,
    manager: given ? given : managerFromUserAgent(userAgent),
    managerGiven: !!given,
    fieldValidation,
    warnings: [],
    force: forceRaw === 'true',
  };
}
