// The unprivileged account exec tasks run as: the configured one (default `drover-task`, created on first
// use as a system user without a home or shell), else `nobody`.
import { spawnSync } from 'node:child_process';
import { lookupUser, type UserAccount } from '../rawexec/users.ts';

/** Names exec refuses as task users: an exec task is isolated, root would undo that. */
const PRIVILEGED = new Set(['root', '0']);

/** The account for the driver's default user, creating it when missing; falls back to `nobody`. */
export function ensureDefaultUser(name: string): UserAccount {
  const existing = lookupUser(name);
  if (existing) return existing;
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  const created = r.status === 0 ? lookupUser(name) : undefined;
  if (created) return created;
  const nobody = lookupUser('nobody');
  if (!nobody) throw new Error(`cannot create user ${name} (useradd failed) and there is no "nobody" user`);
  return nobody;
}

/** The account for a task's explicit `user`; throws a user-facing Error when it is missing or privileged. */
export function taskUser(name: string): UserAccount {
  if (PRIVILEGED.has(name)) throw new Error(`exec tasks may not run as ${name}; use the raw_exec driver for privileged tasks`);
  const user = lookupUser(name);
  if (!user) throw new Error(`user ${JSON.stringify(name)} does not exist on this node`);
  if (user.uid === 0) throw new Error(`user ${JSON.stringify(name)} has uid 0; exec tasks must run unprivileged`);
  return user;
}
