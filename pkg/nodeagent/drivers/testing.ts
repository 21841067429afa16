// Test helpers shared by the driver tests: wait for a condition the driver produces asynchronously.
import { readFileSync } from 'node:fs';

/** Polls `cond` every 20 ms until true; fails with `what` after `attempts` tries (a hang guard, not a timing check). */
export async function eventually(cond: () => boolean | Promise<boolean>, what: string, attempts = 1500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await cond()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
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
