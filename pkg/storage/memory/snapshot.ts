// Snapshots: the whole key space at one revision, so restart replays only the log written since.
//   <dataDir>/snapshot.json: JSON lines
//     {"format":1,"revision":R}
//     ["key","value",createRevision,modRevision,version]   (one line per live key, in key order)
//     {"end":true,"count":N}
// Written to a temporary file, fsynced, then renamed over the old one: a crash leaves either snapshot.
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { KeyValue } from '../store.ts';
import { fsyncPath } from './wal.ts';

const FILE = 'snapshot.json';
const FORMAT = 1;
/** Bytes gathered before each write call. */
const WRITE_CHUNK = 1 << 20;

/** Reads pages of the key space at the snapshot revision: kvs from `fromKey` on, and where to go next. */
export type PageReader = (fromKey: string) => { kvs: KeyValue[]; next?: string };

/** Writes the snapshot of `revision`, yielding to the event loop between pages. */
export async function writeSnapshot(dataDir: string, revision: number, readPage: PageReader): Promise<void> {
  const tmp = join(dataDir, `${FILE}.tmp`);
  const fh = await open(tmp, 'w');
  let count = 0;
  try {
    let chunk = JSON.stringify({ format: FORMAT, revision }) + '\n';
    let from: string | undefined = '';
    while (from !== undefined) {
      const page = readPage(from);
      for (const kv of page.kvs) {
        chunk += JSON.stringify([kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version]) + '\n';
        count++;
        if (chunk.length >= WRITE_CHUNK) {
          await fh.write(chunk);
          chunk = '';
        }
      }
      from = page.next;
      await new Promise((resolve) => setImmediate(resolve));
    }
    chunk += JSON.stringify({ end: true, count }) + '\n';
    await fh.write(chunk);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dataDir, FILE));
  await fsyncPath(dataDir);
}

/** A loaded snapshot. */
export interface Snapshot {
  revision: number;
  count: number;
}

/** Streams the snapshot's keys to `onKv`; undefined when there is none. Throws when it is incomplete. */
export async function readSnapshot(dataDir: string, onKv: (kv: KeyValue) => void): Promise<Snapshot | undefined> {
  const path = join(dataDir, FILE);
  await rm(`${path}.tmp`, { force: true }); // an interrupted snapshot write; the previous one still stands
  try {
    await stat(path);
  } catch {
    return undefined;
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let revision: number | undefined;
  let count = 0;
  let ended = false;
  for await (const line of lines) {
    if (revision === undefined) {
      const head = JSON.parse(line) as { format: number; revision: number };
      if (head.format !== FORMAT) throw new Error(`snapshot ${path}: unknown format ${head.format}`);
      revision = head.revision;
      continue;
    }
    const row = JSON.parse(line) as [string, string, number, number, number] | { end: true; count: number };
    if (!Array.isArray(row)) {
      if (row.count !== count) throw new Error(`snapshot ${path}: ${count} keys, trailer says ${row.count}`);
      ended = true;
      break;
    }
    onKv({ key: row[0], value: row[1], createRevision: row[2], modRevision: row[3], version: row[4] });
    count++;
  }
  if (revision === undefined || !ended) throw new Error(`snapshot ${path} is incomplete`);
  return { revision, count };
}
