// The embedded Store: etcd's semantics in one process, persisted to a data directory when given one.
import type { Clock } from '../../clock/clock.ts';
import { silentLogger, type Logger } from '../../log/logger.ts';
import { mismatch } from '../errors.ts';
import { checkStartKey, checkTxn } from '../limits.ts';
import {
  StoreError,
  type Compare,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreHealth,
  type TxnOp,
  type TxnResult,
  type Watch,
  type WatchHandlers,
} from '../store.ts';
import { VolatileLog, type CommitLog } from './commitlog.ts';
import { openDiskLog } from './disklog.ts';
import { compacted, Mvcc } from './mvcc.ts';
import { walOps } from './wal.ts';
import { WatchHub } from './watch.ts';

/** Options of the memory store. */
export interface MemoryStoreOptions {
  /** Persist here (write-ahead log + snapshots); omitted = nothing survives close. */
  dataDir?: string;
  logger?: Logger;
  /** Accepted like every component's deps; the memory store itself sets no timers. */
  clock?: Clock;
  /** Log bytes between snapshots (default 64 MiB); small values exercise snapshotting in tests. */
  snapshotBytes?: number;
}

/** Opens the embedded store; with `dataDir`, state is loaded from and persisted to that directory. */
export async function openMemoryStore(opts: MemoryStoreOptions = {}): Promise<Store> {
  const logger = (opts.logger ?? silentLogger).child({ component: 'memory-store' });
  const mvcc = new Mvcc();
  const log = opts.dataDir
    ? await openDiskLog(mvcc, { dataDir: opts.dataDir, logger, snapshotBytes: opts.snapshotBytes })
    : new VolatileLog(mvcc.revision);
  return new MemoryStore(mvcc, log, logger);
}

class MemoryStore implements Store {
  private readonly hub: WatchHub;
  private closed = false;

  constructor(
    private readonly mvcc: Mvcc,
    private readonly log: CommitLog,
    logger: Logger,
  ) {
    this.hub = new WatchHub(mvcc, () => log.durable, logger);
    log.onDurable(() => this.hub.notify());
  }

  async get(key: string): Promise<{ kv?: KeyValue; revision: number }> {
    this.assertOpen();
    const revision = this.log.durable;
    return { kv: this.mvcc.at(key, revision), revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    checkStartKey(prefix, opts.startKey);
    return this.mvcc.range(prefix, opts, this.log.durable);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const res = await this.txn([{ key, target: 'create', equals: 0 }], [{ type: 'put', key, value }]);
    if (!res.succeeded) throw new StoreError('AlreadyExists', `key ${key} already exists`, res.current[0]);
    return res.written[0]!;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    // A compare on mod == 0 would match an absent key and create it; an update never creates.
    const expected = expectedModRevision > 0 ? expectedModRevision : -1;
    const res = await this.txn([{ key, target: 'mod', equals: expected }], [{ type: 'put', key, value }]);
    if (!res.succeeded) throw mismatch(key, res.current[0]);
    return res.written[0]!;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.assertOpen();
    const current = this.mvcc.latest(key);
    if (!current || (expectedModRevision !== undefined && current.modRevision !== expectedModRevision)) {
      await this.log.barrier(); // the answer rests on state that must be durable first
      throw mismatch(key, current);
    }
    const ops: TxnOp[] = [{ type: 'delete', key }];
    const applied = this.mvcc.apply(ops);
    await this.log.append({ r: applied.revision, o: walOps(ops) }, applied.revision);
    return applied.changes[0]!.kv;
  }

  async txn(compares: Compare[], ops: TxnOp[]): Promise<TxnResult> {
    this.assertOpen();
    checkTxn(compares, ops);
    if (!this.mvcc.evaluate(compares)) {
      const revision = this.mvcc.revision;
      const current = compares.map((c) => this.mvcc.latest(c.key));
      await this.log.barrier();
      return { succeeded: false, revision, written: [], current };
    }
    const applied = this.mvcc.apply(ops);
    if (applied.changes.length > 0) await this.log.append({ r: applied.revision, o: walOps(ops) }, applied.revision);
    else await this.log.barrier();
    return { succeeded: true, revision: applied.revision, written: applied.written, current: [] };
  }

  watch(prefix: string, startRevision: number, handlers: WatchHandlers): Watch {
    this.assertOpen();
    return this.hub.watch(prefix, startRevision, handlers);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision <= this.mvcc.compactRevision) throw compacted(revision, this.mvcc.compactRevision);
    const current = this.log.durable;
    if (revision > current) throw new StoreError('FutureRevision', `required revision ${revision} is a future revision (current ${current})`);
    await this.log.append({ c: revision });
    if (revision <= this.mvcc.compactRevision) return; // a concurrent compaction went further meanwhile
    this.hub.drainAll(); // live watches get everything before the log entries they would need are dropped
    this.mvcc.compact(revision);
  }

  async status(): Promise<{ revision: number; compactRevision: number }> {
    this.assertOpen();
    return { revision: this.log.durable, compactRevision: this.mvcc.compactRevision };
  }

  /** Always writable: the embedded store has no quota (a full disk fails its fsync, which is not a state). */
  async health(): Promise<StoreHealth> {
    this.assertOpen();
    return { writable: true };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll();
    await this.log.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed');
  }
}
