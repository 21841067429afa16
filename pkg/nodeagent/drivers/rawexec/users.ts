// Local user accounts from /etc/passwd, for running a task as a named user.
import { readFileSync } from 'node:fs';

/** A local account. */
export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
}

/** The account named `nameOrUid` (a name or a numeric uid); undefined when there is none. */
export function lookupUser(nameOrUid: string, passwdPath = '/etc/passwd'): UserAccount | undefined {
  let text: string;
  try {
    text = readFileSync(passwdPath, 'utf8');
  } catch {
    return undefined;
  }
  const byUid = /^[0-9]+$/.test(nameOrUid);
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || uid === undefined || gid === undefined) continue;
    if (byUid ? uid === nameOrUid : name === nameOrUid) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
