// Test helpers shared by the driver tests: wait for a condition the driver produces asynchronously.
import { readFileSync } from 'node:fs';
import { WAIT_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

/** A wait that takes longer than this has hung (see test/support/hang-guard.ts): never a speed check. */
export const HANG_GUARD_MS = WAIT_HANG_GUARD_MS;

/** Polls `cond` every 20 ms until true; fails with `what` after HANG_GUARD_MS (a hang guard, not a timing check). */
export async function eventually(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what} (hang guard, ${HANG_GUARD_MS / 60_000} min)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once the file at `path` contains `text`. */
export function untilFileHas(path: string, text: string): Promise<void> {
  return eventually(() => {
    try {
      return readFileSync(path, 'utf8').includes(text);
    } catch {
      return false;
    }
  }, `${path} contains ${JSON.stringify(text)}`);
}
