// POST /ui/convert: the job editor's text (Drover YAML, Nomad HCL or Marathon JSON) as Drover objects, the way
// `drover apply|plan -f` reads a file (cmd/drover/manifests.ts): YAML documents as they are, the other formats
// through pkg/jobformats. The browser then plans and applies the objects through the ordinary API, so what the
// user may do is decided there. Nothing is stored here.
import { parseAllDocuments } from 'yaml';
import { ApiError, badRequest } from '../apierrors/status.ts';
import { convertJobFile, JobFileSyntaxError, looksLikeMarathon, RefusedError, type JobFormat } from '../jobformats/index.ts';

/** The request body. */
export interface ConvertRequest {
  text: string;
  /** Absent: YAML, or Marathon when the document looks like a Marathon app; HCL must be named. */
  format?: JobFormat;
}

/** Convert the editor's text; bad input throws a 400/422 Status error. */
export async function convertEditorText(body: unknown): Promise<Record<string, unknown>[]> {
  const req = body as Partial<ConvertRequest> | undefined;
  if (typeof req?.text !== 'string') throw badRequest('text: Required value: the job file as a string');
  if (req.format !== undefined && !['yaml', 'hcl', 'marathon'].includes(req.format)) {
    throw badRequest(`format: Unsupported value: ${JSON.stringify(req.format)}: supported values: "yaml", "hcl", "marathon"`);
  }
  try {
    if (req.format === 'hcl' || req.format === 'marathon') return await convertJobFile(req.text, 'editor', req.format);
    const docs = parseYaml(req.text);
    if (req.format === undefined && docs.length === 1 && looksLikeMarathon(docs[0])) return await convertJobFile(req.text, 'editor', 'marathon');
    return docs.flatMap((d) => (isList(d) ? d.items : [d])) as Record<string, unknown>[];
  } catch (err) {
    if (err instanceof RefusedError) throw new ApiError(err.status);
    if (err instanceof JobFileSyntaxError) throw badRequest(err.message);
    throw err;
  }
}

function parseYaml(text: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw badRequest(`editor: ${doc.errors[0]!.message}`);
    const value = doc.toJSON();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('editor: each document must be an object');
    out.push(value);
  }
  if (out.length === 0) throw badRequest('editor: no objects in the text');
  return out;
}

function isList(d: unknown): d is { items: unknown[] } {
  return typeof d === 'object' && d !== null && Array.isArray((d as { items?: unknown }).items) && String((d as { kind?: unknown }).kind ?? '').endsWith('List');
}
