import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { silentLogger } from '../../log/logger.ts';
import { collect, rejectsWith } from '../conformance-support.ts';
import { openDiskLog } from './disklog.ts';
import { Mvcc } from './mvcc.ts';
import { openMemoryStore } from './store.ts';
import { encodeRecord, walOps } from './wal.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-persist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function segments(): Promise<string[]> {
  return (await readdir(join(dir, 'wal'))).filter((n) => n.endsWith('.wal')).sort();
}

async function newestNonEmptySegment(): Promise<string> {
  const names = await segments();
  for (const name of names.reverse()) if ((await stat(join(dir, 'wal', name))).size > 0) return join(dir, 'wal', name);
  throw new Error('no segment with data');
}

test('state, history and compaction survive close and reopen', async () => {
  const s1 = await openMemoryStore({ dataDir: dir });
  const a = await s1.create('/a', 'a1');
  const a2 = await s1.update('/a', 'a2', a.modRevision);
  await s1.create('/b', 'b1');
  await s1.delete('/b');
  const t = await s1.txn([{ key: '/c', target: 'create', equals: 0 }], [
    { type: 'put', key: '/c', value: 'c1' },
    { type: 'put', key: '/d', value: 'd1' },
  ]);
  await s1.compact(a2.modRevision);
  const before = await s1.list('');
  const status = await s1.status();
  await s1.close();

  const s2 = await openMemoryStore({ dataDir: dir });
  assert.deepEqual(await s2.status(), status);
  assert.deepEqual(await s2.list(''), before);
  assert.deepEqual((await s2.list('', { revision: a2.modRevision + 1 })).kvs.map((kv) => kv.key), ['/a', '/b'], 'history after the compaction is kept');
  await rejectsWith(s2.list('', { revision: a.modRevision }), 'Compacted');
  const e = await s2.create('/e', 'e1');
  assert.equal(e.modRevision, t.revision + 1, 'the revision counter continues');
  await s2.close();
});

test('a torn last record is cut off and everything before it survives', async () => {
  const s1 = await openMemoryStore({ dataDir: dir });
  for (let i = 0; i < 10; i++) await s1.create(`/k${i}`, `v${i}`);
  await s1.close();
  // A crash mid-append: a whole header promising more bytes than made it to disk.
  const torn = encodeRecord({ r: 12, o: walOps([{ type: 'put', key: '/torn', value: 'x'.repeat(100) }]) });
  await appendFile(await newestNonEmptySegment(), torn.subarray(0, 30));

  const s2 = await openMemoryStore({ dataDir: dir });
  assert.equal((await s2.list('')).kvs.length, 10);
  assert.equal((await s2.status()).revision, 11);
  assert.equal((await s2.create('/after', 'x')).modRevision, 12);
  await s2.close();
  const s3 = await openMemoryStore({ dataDir: dir });
  assert.equal((await s3.list('')).kvs.length, 11, 'the repaired log opens cleanly');
  await s3.close();
});

test('a record that fails its checksum at the tail is dropped too', async () => {
  const s1 = await openMemoryStore({ dataDir: dir });
  await s1.create('/kept', '1');
  await s1.close();
  const bad = encodeRecord({ r: 3, o: walOps([{ type: 'put', key: '/bad', value: 'y' }]) });
  bad[bad.length - 1] ^= 0xff;
  await appendFile(await newestNonEmptySegment(), bad);
  const s2 = await openMemoryStore({ dataDir: dir });
  assert.deepEqual((await s2.list('')).kvs.map((kv) => kv.key), ['/kept']);
  await s2.close();
});

test('corruption before the newest segment refuses to open rather than lose acknowledged writes', async () => {
  const s1 = await openMemoryStore({ dataDir: dir });
  await s1.create('/a', '1');
  await s1.close();
  const s2 = await openMemoryStore({ dataDir: dir });
  await s2.create('/b', '2');
  await s2.close();
  const [first] = await segments();
  const path = join(dir, 'wal', first!);
  const buf = await readFile(path);
  buf[buf.length - 2] ^= 0xff;
  await writeFile(path, buf);
  await assert.rejects(openMemoryStore({ dataDir: dir }), /corrupt/);
});

test('snapshots bound the log: covered segments go, a restart loads snapshot plus tail', async () => {
  const s1 = await openMemoryStore({ dataDir: dir, snapshotBytes: 64 * 1024 });
  for (let i = 0; i < 300; i++) {
    const kv = await s1.create(`/k${String(i).padStart(3, '0')}`, `v${i}`.padEnd(1024, '.'));
    if (i % 3 === 0) await s1.update(kv.key, `u${i}`, kv.modRevision);
    if (i % 5 === 0) await s1.delete(kv.key);
  }
  const before = await s1.list('');
  const status = await s1.status();
  await s1.close();
  const files = await readdir(dir);
  assert.ok(files.includes('snapshot.json'), `snapshot written (${files.join(', ')})`);
  const logBytes = (await Promise.all((await segments()).map(async (n) => (await stat(join(dir, 'wal', n))).size))).reduce((x, y) => x + y, 0);
  assert.ok(logBytes < 2 * 64 * 1024 + 4096, `log truncated to about one snapshot interval (${logBytes} bytes)`);

  const s2 = await openMemoryStore({ dataDir: dir });
  assert.deepEqual(await s2.list(''), before);
  const after = await s2.status();
  assert.equal(after.revision, status.revision);
  assert.ok(after.compactRevision > 0 && after.compactRevision <= status.revision, `history before the snapshot is compacted (${after.compactRevision})`);
  const below = collect(s2, '', after.compactRevision - 1);
  assert.equal((await below.c.untilError()).name, 'StoreError');
  const from = collect(s2, '', after.compactRevision);
  const next = await s2.create('/new', 'x');
  await from.c.untilRevision(next.modRevision);
  from.watch.cancel();
  assert.deepEqual(from.c.errors, []);
  assert.equal(from.c.events.at(-1)?.kv.key, '/new');
  await s2.close();
});

test('group commit: appends made in one tick share one fsync, and nothing is visible before it', async () => {
  const mvcc = new Mvcc();
  const log = await openDiskLog(mvcc, { dataDir: dir, logger: silentLogger });
  const flushes = log.flushes;
  const acks = Array.from({ length: 100 }, (_, i) => {
    const ops = [{ type: 'put' as const, key: `/k${i}`, value: `v${i}` }];
    const applied = mvcc.apply(ops);
    return log.append({ r: applied.revision, o: walOps(ops) }, applied.revision);
  });
  assert.equal(log.durable, 1, 'not durable before the fsync');
  await Promise.all(acks);
  assert.equal(log.durable, 101);
  assert.equal(log.flushes - flushes, 1);
  await log.close();

  const store = await openMemoryStore({ dataDir: dir });
  const writes = Array.from({ length: 20 }, (_, i) => store.create(`/s${i}`, 'x'));
  const early = store.get('/s0'); // issued before the batch's fsync
  assert.equal((await early).kv, undefined, 'a read never sees a write that is not yet durable');
  await Promise.all(writes);
  assert.equal((await store.get('/s0')).kv?.value, 'x');
  await store.close();
});

test('one data directory is opened by one store at a time', async () => {
  const s1 = await openMemoryStore({ dataDir: dir });
  await assert.rejects(openMemoryStore({ dataDir: dir }), /in use/);
  await s1.close();
  const s2 = await openMemoryStore({ dataDir: dir });
  await s2.close();
});
