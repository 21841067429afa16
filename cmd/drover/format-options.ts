// The job-file flags of apply, plan and convert: --format for stdin or unusual names, and Nomad's HCL2
// variables (--var NAME=VALUE, --var-file FILE; Nomad's -var and -var-file work too, program.ts rewrites them).
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { JOB_FORMATS, type JobFormat } from '../../pkg/jobformats/index.ts';
import { parseHcl } from '../../pkg/jobformats/nomad/job.ts';
import type { FormatOptions } from './manifests.ts';
import { UsageError } from './errors.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Add --format, --var and --var-file to `cmd`. */
export function withFormatOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'format of the files and stdin: yaml (Drover), hcl (Nomad job file), marathon (Marathon app or group); default: from each file name (.nomad, .nomad.hcl, .hcl, .marathon.json) and content').choices(JOB_FORMATS))
    .option('--var <name=value>', 'set an HCL2 variable of a Nomad job file (repeatable; Nomad: -var)', collect)
    .option('--var-file <path>', 'HCL or JSON file of HCL2 variable values (repeatable; Nomad: -var-file)', collect);
}

/** The FormatOptions the flags ask for (reads the var files). */
export async function formatOptions(o: { format?: JobFormat; var?: string[]; varFile?: string[] }): Promise<FormatOptions> {
  const vars: Record<string, string> = {};
  for (const kv of o.var ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--var ${kv}: want NAME=VALUE`);
    vars[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const varFiles: Record<string, unknown>[] = [];
  for (const f of o.varFile ?? []) {
    const text = await readFile(f, 'utf8');
    varFiles.push(f.endsWith('.json') ? (JSON.parse(text) as Record<string, unknown>) : await parseHcl(text, f));
  }
  return { format: o.format, variables: { vars, varFiles } };
}
