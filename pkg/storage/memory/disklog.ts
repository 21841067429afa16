// The persisted CommitLog: group-committed write-ahead log plus periodic snapshots.
//
//   append ─► pending batch ──(next tick)──► write + fdatasync ──► durable revision moves, waiters resolve
//                                     (appends during an fsync form the next batch, flushed right after)
//   every `snapshotBytes` of log: rotate to a new segment, write a snapshot of the last durable revision
//   in the background, then delete the segments it covers. Restart = snapshot + the segments after it.
import { mkdir, open, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/logger.ts';
import { StoreError } from '../store.ts';
import type { CommitLog } from './commitlog.ts';
import type { Mvcc } from './mvcc.ts';
import { readSnapshot, writeSnapshot } from './snapshot.ts';
import { encodeRecord, fsyncPath, listSegments, replaySegment, segmentPath, txnOps, type WalRecord } from './wal.ts';

/** Options of the persisted log. */
export interface DiskLogOptions {
  dataDir: string;
  logger: Logger;
  /** Log bytes after which a snapshot is taken and covered segments deleted (default 64 MiB). */
  snapshotBytes?: number;
}

/** Keys read per snapshot page before yielding to the event loop. */
const SNAPSHOT_PAGE = 2000;

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** Opens (or creates) the data directory, loads the snapshot and replays the log into `mvcc`. */
export async function openDiskLog(mvcc: Mvcc, opts: DiskLogOptions): Promise<DiskLog> {
  const walDir = join(opts.dataDir, 'wal');
  await mkdir(walDir, { recursive: true });
  const release = await lockDataDir(opts.dataDir);
  try {
    const snap = await readSnapshot(opts.dataDir, (kv) => mvcc.restore(kv));
    if (snap) mvcc.restored(snap.revision);
    const seqs = await listSegments(walDir);
    const closed: Array<{ seq: number; lastRev: number }> = [];
    const sizes = await Promise.all(seqs.map(async (seq) => (await stat(segmentPath(walDir, seq))).size));
    // A torn tail can only be in the last segment that holds data (later ones were opened but never written).
    let lastWithData = sizes.length - 1;
    while (lastWithData > 0 && sizes[lastWithData] === 0) lastWithData--;
    for (const [i, seq] of seqs.entries()) {
      await replaySegment(walDir, seq, i >= lastWithData, (rec) => replay(mvcc, rec), opts.logger);
      closed.push({ seq, lastRev: mvcc.revision });
    }
    const logBytes = sizes.reduce((a, b) => a + b, 0);
    const seq = (seqs[seqs.length - 1] ?? 0) + 1;
    const fh = await open(segmentPath(walDir, seq), 'a');
    await fsyncPath(walDir);
    opts.logger.info('memory store opened', { dataDir: opts.dataDir, revision: mvcc.revision, snapshot: snap?.revision, segments: seqs.length });
    return new DiskLog(mvcc, opts, walDir, release, fh, seq, closed, logBytes);
  } catch (err) {
    await release();
    throw err;
  }
}

function replay(mvcc: Mvcc, rec: WalRecord): void {
  if ('c' in rec) {
    if (rec.c > mvcc.compactRevision) mvcc.compact(rec.c);
    return;
  }
  if (rec.r <= mvcc.revision) return; // already in the snapshot
  const applied = mvcc.apply(txnOps(rec.o));
  if (applied.revision !== rec.r) throw new Error(`write-ahead log out of order: record for revision ${rec.r} produced ${applied.revision}`);
}

/** The persisted log (exported for tests that look at its counters). */
export class DiskLog implements CommitLog {
  durable: number;
  /** Completed write+fsync rounds: each acknowledged a whole batch of appends. */
  flushes = 0;
  private pending: Buffer[] = [];
  private pendingRev = 0;
  private pendingWaiters: Waiter[] = [];
  private inflight: Waiter[] | undefined;
  private scheduled = false;
  private failed: Error | undefined;
  private snapshotting: Promise<void> | undefined;
  private readonly listeners: Array<(revision: number) => void> = [];
  private readonly snapshotBytes: number;

  constructor(
    private readonly mvcc: Mvcc,
    private readonly opts: DiskLogOptions,
    private readonly walDir: string,
    private readonly release: () => Promise<void>,
    private fh: FileHandle,
    private seq: number,
    private closedSegments: Array<{ seq: number; lastRev: number }>,
    /** Log bytes written since the last snapshot. */
    private logBytes: number,
  ) {
    this.durable = mvcc.revision;
    this.snapshotBytes = opts.snapshotBytes ?? 64 * 1024 * 1024;
  }

  append(rec: WalRecord, revision?: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.pending.push(encodeRecord(rec));
    if (revision !== undefined) this.pendingRev = revision;
    const done = new Promise<void>((resolve, reject) => this.pendingWaiters.push({ resolve, reject }));
    // Group commit: everything appended in this tick shares the fsync that runs on the next one.
    if (!this.scheduled && !this.inflight) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return done;
  }

  barrier(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const queue = this.pending.length > 0 ? this.pendingWaiters : this.inflight;
    if (!queue) return Promise.resolve();
    return new Promise<void>((resolve, reject) => queue.push({ resolve, reject }));
  }

  onDurable(fn: (revision: number) => void): void {
    this.listeners.push(fn);
  }

  async close(): Promise<void> {
    await this.barrier().catch(() => undefined);
    await this.snapshotting;
    await this.fh.close();
    await this.release();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0 || this.failed) return;
    const data = Buffer.concat(this.pending);
    const revision = this.pendingRev;
    const waiters = (this.inflight = this.pendingWaiters);
    this.pending = [];
    this.pendingWaiters = [];
    try {
      await writeAll(this.fh, data);
      await this.fh.datasync();
      this.logBytes += data.length;
      this.flushes++;
    } catch (err) {
      return this.fail(err as Error);
    }
    if (revision > this.durable) {
      this.durable = revision;
      for (const fn of this.listeners) fn(revision);
    }
    this.inflight = undefined;
    for (const w of waiters) w.resolve();
    if (this.logBytes >= this.snapshotBytes && !this.snapshotting) {
      this.inflight = [];
      try {
        await this.rotate();
      } catch (err) {
        return this.fail(err as Error);
      }
      const joined = this.inflight;
      this.inflight = undefined;
      for (const w of joined) w.resolve();
    }
    if (this.pending.length > 0) void this.flush(); // writes that arrived during the fsync: next batch now
  }

  private async rotate(): Promise<void> {
    await this.fh.close();
    this.closedSegments.push({ seq: this.seq, lastRev: this.durable });
    this.seq++;
    this.fh = await open(segmentPath(this.walDir, this.seq), 'a');
    await fsyncPath(this.walDir);
    this.logBytes = 0;
    const revision = this.durable;
    this.snapshotting = this.snapshot(revision)
      .catch((err) => this.opts.logger.error('snapshot failed', { err, revision }))
      .finally(() => (this.snapshotting = undefined));
  }

  private async snapshot(revision: number): Promise<void> {
    this.mvcc.pin();
    try {
      await writeSnapshot(this.opts.dataDir, revision, (from) => this.mvcc.page(from, SNAPSHOT_PAGE, revision));
    } finally {
      this.mvcc.unpin();
    }
    const covered = this.closedSegments.filter((s) => s.lastRev <= revision);
    this.closedSegments = this.closedSegments.filter((s) => s.lastRev > revision);
    for (const s of covered) await rm(segmentPath(this.walDir, s.seq), { force: true });
    await fsyncPath(this.walDir);
    this.opts.logger.info('snapshot written', { revision, segmentsRemoved: covered.length });
  }

  // After a failed write or fsync the file's state is unknown: refuse everything from now on.
  private fail(err: Error): void {
    this.failed = new StoreError('Unavailable', `write-ahead log failed: ${err.message}`);
    this.opts.logger.error('write-ahead log failed', { err });
    const waiters = [...(this.inflight ?? []), ...this.pendingWaiters];
    this.inflight = undefined;
    this.pendingWaiters = [];
    this.pending = [];
    for (const w of waiters) w.reject(this.failed);
  }
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    off += bytesWritten;
  }
}

/** Takes the data directory's LOCK file (pid inside); a lock left by a dead process is taken over. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'LOCK');
  try {
    await writeFile(path, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number((await readFile(path, 'utf8')).trim());
    if (pid > 0 && processAlive(pid)) throw new Error(`data directory ${dataDir} is in use by process ${pid}`);
    await writeFile(path, String(process.pid));
  }
  return () => rm(path, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
