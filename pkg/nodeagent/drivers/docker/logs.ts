// Copies a container's output into the task's stdout/stderr files: the daemon's follow stream,
// demultiplexed (8-byte frame headers: stream, 0, 0, 0, big-endian size), appended in order. Each entry
// comes with its daemon timestamp; the newest one copied is kept in a cursor file, so an agent that
// restarts resumes right after it: no line is copied twice or skipped. A follower that is stopped still writes
// what it received before `done` settles; only a kill between an entry's append and its cursor write (two
// writes, not one) copies that one entry again.
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../../log/logger.ts';
import type { DockerClient } from './client.ts';

/** Splits a multiplexed Docker stream into stdout (1) and stderr (2) payloads; frames may arrive split. */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 1 | 2, payload: Buffer) => void) {}

  /** Feeds bytes as they arrive. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = this.pending[0] === 2 ? 2 : 1;
      this.onFrame(stream, this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
  }
}

/** Where a container's logs go. */
export interface LogFiles {
  stdoutPath: string;
  stderrPath: string;
  /** Holds the timestamp ("seconds.nanoseconds") of the newest entry copied. */
  cursorPath: string;
}

/** A running copy of one container's logs to files; `done` settles when the container's output ends. */
export interface LogFollower {
  done: Promise<void>;
  stop(): void;
}

/** Follows the logs of `containerId` into `files`, from the cursor when `resume` (an agent restart). */
export async function followLogs(docker: DockerClient, containerId: string, files: LogFiles, logger: Logger, resume: boolean): Promise<LogFollower> {
  const since = resume ? await readCursor(files.cursorPath) : undefined;
  const abort = new AbortController();
  const writer = new OrderedWriter(files, logger);
  const demux = new Demuxer((stream, payload) => {
    const entry = splitTimestamp(payload);
    if (entry) writer.write(stream === 1 ? files.stdoutPath : files.stderrPath, entry.text, entry.cursor);
  });
  const res = await docker.stream('GET', `/containers/${containerId}/logs`, {
    query: { follow: true, stdout: true, stderr: true, timestamps: true, since },
    signal: abort.signal,
  });
  const done = new Promise<void>((resolve) => {
    res.on('data', (c: Buffer) => demux.push(c));
    const finish = () => void writer.flushed().then(resolve);
    res.once('end', finish);
    res.once('close', finish);
    res.once('error', finish);
  });
  return { done, stop: () => abort.abort() };
}

/** Removes a task's cursor file (destroy). */
export async function removeCursor(cursorPath: string): Promise<void> {
  await rm(cursorPath, { force: true });
}

/**
 * One queue for both files and the cursor: the cursor is written only after the entry it names, and
 * one open per append follows a rename by the agent's log rotation.
 */
class OrderedWriter {
  private tail: Promise<void> = Promise.resolve();
  private madeDirs = false;

  constructor(private readonly files: LogFiles, private readonly logger: Logger) {}

  write(path: string, text: Buffer, cursor: string): void {
    const copy = Buffer.from(text);
    this.tail = this.tail.then(async () => {
      try {
        if (!this.madeDirs) {
          for (const p of [this.files.stdoutPath, this.files.stderrPath, this.files.cursorPath]) await mkdir(dirname(p), { recursive: true });
          this.madeDirs = true;
        }
        await appendFile(path, copy);
        await writeFile(this.files.cursorPath, cursor);
      } catch (e) {
        this.logger.warn('cannot write task log', { path, err: e as Error });
      }
    });
  }

  flushed(): Promise<void> {
    return this.tail;
  }
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) /;

/** An entry's text and its timestamp as "seconds.nanoseconds"; undefined for a payload without one. */
export function splitTimestamp(payload: Buffer): { text: Buffer; cursor: string } | undefined {
  const head = payload.subarray(0, 40).toString('latin1');
  const m = STAMP.exec(head);
  if (!m) return undefined;
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  const nanos = (m[2] ?? '').padEnd(9, '0');
  return { text: payload.subarray(m[0].length), cursor: `${seconds}.${nanos}` };
}

/** The `since` for a resumed follow: one nanosecond after the cursor (the daemon's `since` is inclusive). */
async function readCursor(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined; // nothing copied yet: everything is new
  }
  const m = /^(\d+)\.(\d{9})$/.exec(text);
  if (!m) return undefined;
  const next = BigInt(m[1]!) * 1_000_000_000n + BigInt(m[2]!) + 1n;
  return `${next / 1_000_000_000n}.${String(next % 1_000_000_000n).padStart(9, '0')}`;
}
