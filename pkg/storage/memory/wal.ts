// The write-ahead log's on-disk format: segment files of length-prefixed, checksummed records.
//   record  = u32le payloadLength | u32le crc32(payload) | payload (UTF-8 JSON of a WalRecord)
//   segment = <dataDir>/wal/<seq, 16 digits>.wal, appended only, never rewritten (except a torn tail)
// A crash can leave the last record half written: replay stops at the first record that is short or
// fails its checksum. In the newest segment that is a torn tail and is cut off; anywhere else it is
// corruption and opening fails, because records after it were acknowledged.
import { open, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '../../log/logger.ts';
import type { TxnOp } from '../store.ts';

/** One logged change: a transaction that produced revision `r`, or a compaction to `c`. */
export type WalRecord = { r: number; o: WalOp[] } | { c: number };

/** A logged op: ['p', key, value] or ['d', key]. */
export type WalOp = ['p', string, string] | ['d', string];

const HEADER_BYTES = 8;

/** Encodes a record into its framed bytes. */
export function encodeRecord(rec: WalRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(rec), 'utf8');
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Converts a txn's ops to their logged form. */
export function walOps(ops: readonly TxnOp[]): WalOp[] {
  return ops.map((op) => (op.type === 'put' ? ['p', op.key, op.value] : ['d', op.key]));
}

/** Converts logged ops back to txn ops. */
export function txnOps(ops: readonly WalOp[]): TxnOp[] {
  return ops.map((op) => (op[0] === 'p' ? { type: 'put', key: op[1], value: op[2] } : { type: 'delete', key: op[1] }));
}

/** Decoded records of one segment and where the valid data ends. */
export interface SegmentContents {
  records: WalRecord[];
  /** Byte offset after the last valid record. */
  validBytes: number;
  /** True when bytes after `validBytes` did not form a valid record. */
  torn: boolean;
}

/** Decodes every valid record of a segment's bytes. */
export function decodeSegment(buf: Buffer): SegmentContents {
  const records: WalRecord[] = [];
  let off = 0;
  while (off + HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32LE(off);
    const sum = buf.readUInt32LE(off + 4);
    const end = off + HEADER_BYTES + len;
    if (end > buf.length) break;
    const payload = buf.subarray(off + HEADER_BYTES, end);
    if (crc32(payload) !== sum) break;
    let rec: WalRecord;
    try {
      rec = JSON.parse(payload.toString('utf8')) as WalRecord;
    } catch {
      break;
    }
    records.push(rec);
    off = end;
  }
  return { records, validBytes: off, torn: off !== buf.length };
}

/** Path of segment number `seq`. */
export function segmentPath(walDir: string, seq: number): string {
  return join(walDir, `${String(seq).padStart(16, '0')}.wal`);
}

/** Sequence numbers of the segments in `walDir`, oldest first. */
export async function listSegments(walDir: string): Promise<number[]> {
  const names = await readdir(walDir);
  return names
    .filter((n) => /^\d{16}\.wal$/.test(n))
    .map((n) => Number(n.slice(0, 16)))
    .sort((a, b) => a - b);
}

/**
 * Reads segment `seq`, handing each record to `apply`. A torn tail in the newest segment is cut off
 * (logged); a bad record in an older segment throws.
 */
export async function replaySegment(walDir: string, seq: number, newest: boolean, apply: (rec: WalRecord) => void, logger: Logger): Promise<void> {
  const path = segmentPath(walDir, seq);
  const contents = decodeSegment(await readFile(path));
  for (const rec of contents.records) apply(rec);
  if (!contents.torn) return;
  if (!newest) throw new Error(`write-ahead log segment ${path} is corrupt at byte ${contents.validBytes}`);
  logger.warn('cutting torn tail of write-ahead log', { path, validBytes: contents.validBytes });
  await truncate(path, contents.validBytes);
  await fsyncPath(path);
}

/** fsyncs a file or directory by path (directories: makes created, renamed and deleted entries durable). */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
