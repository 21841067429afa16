// `drover logs ALLOC [TASK] [-f] [--stderr] [--tail N]`: a task's stdout (or stderr) through the API server's
// allocation `log` subresource, which proxies to the agent of the allocation's node (like `kubectl logs` and
// `nomad alloc logs`). Without TASK, the allocation's first main task.
import { GROUP, VERSION } from '../../../api/schemas/kind.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';

/** Arguments of `drover logs`. */
export interface LogsArgs {
  alloc: string;
  task?: string;
  namespace?: string;
  follow?: boolean;
  stderr?: boolean;
  /** Only the last N lines. */
  tail?: string;
}

/** Print the logs (following until the task ends or the user interrupts); returns the exit code. */
export async function logs(ctx: CommandContext, args: LogsArgs): Promise<number> {
  let tailLines: number | undefined;
  if (args.tail !== undefined) {
    tailLines = Number(args.tail);
    if (!/^[0-9]+$/.test(args.tail)) throw new UsageError(`--tail must be a non-negative integer, got "${args.tail}"`);
  }
  const namespace = args.namespace ?? ctx.namespace;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await ctx.client.stream({
      method: 'GET',
      path: `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/allocations/${encodeURIComponent(args.alloc)}/log`,
      query: { container: args.task, follow: args.follow ? 'true' : undefined, stderr: args.stderr ? 'true' : undefined, tailLines },
      signal: abort.signal,
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) ctx.out(decoder.decode(chunk, { stream: true }));
    } catch (err) {
      // An interrupt ends a follow: that is the normal way out, not an error.
      if (!abort.signal.aborted) throw err;
    }
    const rest = decoder.decode();
    if (rest) ctx.out(rest);
    return 0;
  } catch (err) {
    if (abort.signal.aborted) return 0;
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
