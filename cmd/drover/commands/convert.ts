// `drover convert -f FILE`: a Nomad job file or Marathon app printed as Drover YAML, or a Drover Job printed as a
// Nomad job file (`--to hcl`, the default for Drover input). Nothing is sent to a server. A field that does not
// convert either way is refused (listed with its position), never dropped.
import { stringify } from 'yaml';
import { jobToHcl } from '../../../pkg/jobformats/index.ts';
import { println } from '../io.ts';
import { readManifests, type FormatOptions } from '../manifests.ts';

/** Output formats of `convert`. */
export const CONVERT_TARGETS = ['yaml', 'hcl'] as const;

/** Arguments of `drover convert`. */
export interface ConvertArgs extends FormatOptions {
  files: string[];
  recursive?: boolean;
  /** Output: yaml (default for Nomad and Marathon input) or hcl (default for Drover input). */
  to?: (typeof CONVERT_TARGETS)[number];
  readStdin(): Promise<string>;
}

/** Run `convert`; returns the exit code. */
export async function convert(io: { out: (s: string) => void; err: (s: string) => void }, args: ConvertArgs): Promise<number> {
  const manifests = await readManifests(args.files, { recursive: !!args.recursive, readStdin: args.readStdin, format: args.format, variables: args.variables });
  if (manifests.length === 0) {
    println(io.err, 'error: no objects passed to convert');
    return 1;
  }
  const to = args.to ?? (manifests.some((m) => m.convertedFrom) ? 'yaml' : 'hcl');
  if (to === 'yaml') {
    io.out(manifests.map((m) => stringify(m.object)).join('---\n'));
    return 0;
  }
  let failed = false;
  const texts: string[] = [];
  for (const m of manifests) {
    if (m.object.kind !== 'Job') {
      println(io.err, `error: ${m.source}: ${m.object.kind} "${m.object.metadata.name}": only Jobs convert to HCL`);
      failed = true;
      continue;
    }
    const { text, unmapped } = jobToHcl(m.object as unknown as Record<string, unknown>);
    if (unmapped.length > 0) {
      println(io.err, `error: ${m.source}: Job "${m.object.metadata.name}": ${unmapped.length} field(s) have no Nomad spelling: ${unmapped.join(', ')}`);
      failed = true;
      continue;
    }
    texts.push(text);
  }
  io.out(texts.join('\n'));
  return failed ? 1 : 0;
}
