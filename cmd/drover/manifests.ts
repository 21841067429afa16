// Reading manifests for `apply -f`, `plan -f`, `convert -f` and `delete -f`: files, directories (optionally
// recursive) or stdin, each holding YAML documents (`---`-separated) or JSON; `kind: List` (or any `*List` with
// items) is flattened. Nomad job files (.nomad, .nomad.hcl, .hcl, or --format hcl) and Marathon apps and groups
// (.marathon.json, --format marathon, or JSON with an id and no kind) are converted by pkg/jobformats.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { convertJobFile, formatOfPath, looksLikeMarathon, type JobFormat, type VariableInputs } from '../../pkg/jobformats/index.ts';

/** An object read from a manifest, with where it came from (for messages). */
export interface Manifest {
  object: ApiObject;
  source: string;
  /** The job file format it was converted from (absent: a Drover manifest). */
  convertedFrom?: JobFormat;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.nomad', '.hcl']);

/** How to read job files that are not Drover manifests. */
export interface FormatOptions {
  /** --format: the format of every file (and of stdin); absent: from each file's name, then its content. */
  format?: JobFormat;
  /** HCL2 variables (-var, -var-file). */
  variables?: VariableInputs;
}

/** Every object in `paths` ('-' = stdin); directories contribute their .yaml/.yml/.json files, sorted. */
export async function readManifests(paths: string[], opts: { recursive: boolean; readStdin: () => Promise<string> } & FormatOptions): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...(await parseJobFile(await opts.readStdin(), 'STDIN', opts.format, opts)));
      continue;
    }
    for (const file of await expand(p, opts.recursive, true)) out.push(...(await parseJobFile(await readFile(file, 'utf8'), file, opts.format ?? formatOfPath(file), opts)));
  }
  return out;
}

async function expand(path: string, recursive: boolean, top: boolean): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new Error(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  if (!top && !recursive) return [];
  const files: string[] = [];
  for (const e of (await readdir(path)).sort()) {
    const child = join(path, e);
    if ((await stat(child)).isDirectory()) files.push(...(await expand(child, recursive, false)));
    else if (MANIFEST_EXTENSIONS.has(extname(e))) files.push(child);
  }
  return files;
}

/** The objects of one file in `format` (absent: Drover YAML/JSON, or a Marathon definition recognised by its fields). */
export async function parseJobFile(text: string, source: string, format: JobFormat | undefined, opts: FormatOptions = {}): Promise<Manifest[]> {
  if (format === undefined && /^\s*[{]/.test(text)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (looksLikeMarathon(doc)) format = 'marathon';
  }
  if (format === undefined || format === 'yaml') return parseManifests(text, source);
  const jobs = await convertJobFile(text, source, format, opts.variables);
  return jobs.map((object) => ({ object: object as unknown as ApiObject, source, convertedFrom: format }));
}

/** The objects in one manifest text (YAML is a superset of JSON, so one parser reads both). */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`error parsing ${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    for (const object of flatten(value, source)) out.push({ object, source });
  }
  return out;
}

function flatten(value: unknown, source: string): ApiObject[] {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) throw new Error(`error parsing ${source}: a document must be an object`);
  const obj = value as ApiObject & { items?: unknown };
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) return obj.items.flatMap((i) => flatten(i, source));
  if (typeof obj.kind !== 'string' || !obj.kind) throw new Error(`error validating ${source}: the object has no kind`);
  if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) throw new Error(`error validating ${source}: the ${obj.kind} has no apiVersion`);
  if (!obj.metadata || typeof obj.metadata !== 'object') throw new Error(`error validating ${source}: the ${obj.kind} has no metadata`);
  return [obj];
}
