// `drover version`: the client's version and the server's /version.
import type { CommandContext } from '../context.ts';
import { describeError } from '../errors.ts';
import { println } from '../io.ts';

/** Run `version`; the client line prints even when the server cannot be reached. */
export async function version(ctx: CommandContext, clientVersion: string, opts: { clientOnly?: boolean } = {}): Promise<number> {
  println(ctx.out, `Client Version: v${clientVersion}`);
  if (opts.clientOnly) return 0;
  try {
    const v = await ctx.client.version();
    println(ctx.out, `Server Version: ${v.gitVersion}`);
    return 0;
  } catch (err) {
    println(ctx.err, describeError(err));
    return 1;
  }
}
