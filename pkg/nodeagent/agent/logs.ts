// Task logs on disk: drivers append a task's stdout and stderr to `alloc/logs/<task>.<stream>`; the agent
// rotates them by copy-and-truncate (the task keeps its file open; writes land at the new end because drivers
// open in append mode) into numbered archives `<task>.<stream>.<n>` (n grows; the oldest are deleted beyond
// maxFiles), and reads them back — the last N lines, then, when following, whatever is appended, across
// rotations.
import { copyFile, open, readdir, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock/clock.ts';

/** Which output of a task. */
export type LogStream = 'stdout' | 'stderr';

/** Rotation limits of one task (the job's `logs` block). */
export interface LogLimits {
  maxFiles: number;
  maxFileBytes: number;
}

/** The job's logs block as limits, with Nomad's defaults (10 files of 10 MB). */
export function logLimits(logs: { maxFiles?: number; maxFileSizeMB?: number } | undefined): LogLimits {
  return { maxFiles: logs?.maxFiles ?? 10, maxFileBytes: (logs?.maxFileSizeMB ?? 10) * 1024 * 1024 };
}

/** The file a task's stream is written to. */
export function liveLogPath(dir: string, task: string, stream: LogStream): string {
  return join(dir, `${task}.${stream}`);
}

/** The archives of a task's stream, oldest first. */
export async function archives(dir: string, task: string, stream: LogStream): Promise<Array<{ n: number; path: string }>> {
  const prefix = `${task}.${stream}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^[0-9]+$/.test(n.slice(prefix.length)))
    .map((n) => ({ n: Number(n.slice(prefix.length)), path: join(dir, n) }))
    .sort((a, b) => a.n - b.n);
}

/**
 * Rotate the stream when its live file has reached the size limit; keeps at most `maxFiles` files in all (the
 * live one included). Returns whether it rotated.
 */
export async function rotateIfNeeded(dir: string, task: string, stream: LogStream, limits: LogLimits): Promise<boolean> {
  const live = liveLogPath(dir, task, stream);
  const size = await sizeOf(live);
  if (size === undefined || size < limits.maxFileBytes) return false;
  const existing = await archives(dir, task, stream);
  const next = (existing.at(-1)?.n ?? 0) + 1;
  await copyFile(live, `${live}.${next}`);
  // Bytes written between the copy and the truncate are lost: the price of rotating files the task holds open.
  await truncate(live, 0);
  const keep = Math.max(0, limits.maxFiles - 1);
  const all = [...existing, { n: next, path: `${live}.${next}` }];
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await unlink(old.path).catch(() => {});
  return true;
}

/** Options of readLog. */
export interface ReadLogOptions {
  /** Start this many lines before the end (all when undefined). */
  tail?: number;
  follow?: boolean;
  /** While following: true once no more output can come (the task is dead); the reader then ends. */
  finished?: () => boolean;
  signal?: AbortSignal;
  clock: Clock;
  /** Poll period while following (default 250 ms). */
  pollMs?: number;
}

/** Read a task stream: archives then the live file (the last `tail` lines), then follow appends. */
export async function* readLog(dir: string, task: string, stream: LogStream, opts: ReadLogOptions): AsyncGenerator<Buffer> {
  const live = liveLogPath(dir, task, stream);
  const files = [...(await archives(dir, task, stream)).map((a) => a.path), live];
  const sizes = await Promise.all(files.map(async (f) => (await sizeOf(f)) ?? 0));
  const start = opts.tail === undefined ? { file: 0, offset: 0 } : await tailStart(files, sizes, opts.tail);
  for (let i = start.file; i < files.length; i++) {
    yield* readRange(files[i]!, i === start.file ? start.offset : 0, sizes[i]!);
  }
  if (!opts.follow) return;
  let offset = sizes.at(-1)!;
  let lastArchive = (await archives(dir, task, stream)).at(-1)?.n ?? 0;
  while (!opts.signal?.aborted) {
    const size = (await sizeOf(live)) ?? 0;
    const newest = (await archives(dir, task, stream)).at(-1);
    if (newest && newest.n > lastArchive) {
      // Rotated since the last look: the rest of what we were reading is now in the newest archive.
      lastArchive = newest.n;
      const archived = (await sizeOf(newest.path)) ?? 0;
      if (archived > offset) yield* readRange(newest.path, offset, archived);
      offset = 0;
      continue;
    }
    if (size < offset) offset = 0;
    if (size > offset) {
      yield* readRange(live, offset, size);
      offset = size;
      continue;
    }
    if (opts.finished?.()) return;
    await abortableSleep(opts.clock, opts.pollMs ?? 250, opts.signal);
  }
}

// Where the last `lines` lines begin, scanning the files backwards in chunks.
async function tailStart(files: string[], sizes: number[], lines: number): Promise<{ file: number; offset: number }> {
  if (lines <= 0) return { file: files.length - 1, offset: sizes.at(-1)! };
  let newlines = 0;
  let skipFinal = true; // a trailing newline ends the last line; it does not start another one
  const CHUNK = 64 * 1024;
  for (let i = files.length - 1; i >= 0; i--) {
    let end = sizes[i]!;
    if (end === 0) continue;
    const fh = await open(files[i]!, 'r').catch(() => undefined);
    if (!fh) continue;
    try {
      while (end > 0) {
        const from = Math.max(0, end - CHUNK);
        const buf = Buffer.alloc(end - from);
        await fh.read(buf, 0, buf.length, from);
        for (let j = buf.length - 1; j >= 0; j--) {
          if (buf[j] !== 0x0a) {
            skipFinal = false;
            continue;
          }
          if (skipFinal) {
            skipFinal = false;
            continue;
          }
          if (++newlines === lines) return { file: i, offset: from + j + 1 };
        }
        end = from;
      }
    } finally {
      await fh.close();
    }
  }
  return { file: 0, offset: 0 };
}

async function* readRange(path: string, from: number, to: number): AsyncGenerator<Buffer> {
  if (to <= from) return;
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    let at = from;
    while (at < to) {
      const buf = Buffer.alloc(Math.min(64 * 1024, to - at));
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

// Resolves after `ms` or on abort — also when the signal was aborted before the call (an abort that came while
// the follower was reading would otherwise leave it waiting on a timer that, unref'd, may never fire).
function abortableSleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(done, ms);
    function done() {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
