// The bootstrap admin token of `drover dev` / `drover server`: the --admin-token flag, else the token kept in
// the admin token file, else a new one written there (mode 0600) on first start. The server stores only its
// hash; the file is how a person (and `drover dev`'s CLI context) gets it back.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { newToken } from '../../pkg/auth/token.ts';
import { ADMIN_USER, MASTERS_GROUP } from '../../pkg/auth/user.ts';
import type { BootstrapToken } from '../../pkg/apiserver/security/index.ts';

/** The admin token to bootstrap: `flag` if given (also written to `file`), else `file`'s, else a new one saved to `file`. */
export async function resolveAdminToken(flag: string | undefined, file: string): Promise<string> {
  if (flag !== undefined) {
    if (!/^\S{16,}$/.test(flag)) throw new Error('--admin-token: must be at least 16 characters without spaces');
    await save(file, flag);
    return flag;
  }
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    if (kept) return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = newToken();
  await save(file, token);
  return token;
}

async function save(file: string, token: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, token + '\n', { mode: 0o600 });
}

/** The bootstrap record of the admin token: user drover:admin in system:masters. */
export function adminBootstrap(token: string): BootstrapToken {
  return { token, user: ADMIN_USER, groups: [MASTERS_GROUP], description: 'bootstrap admin token (drover dev / drover server)' };
}

/** The token kept in `path` (agents' --token-file), trimmed; an empty file is an error. */
export async function readTokenFile(path: string): Promise<string> {
  const token = (await readFile(path, 'utf8')).trim();
  if (!token) throw new Error(`${path}: the token file is empty`);
  return token;
}
