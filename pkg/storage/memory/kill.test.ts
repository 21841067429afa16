import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openMemoryStore } from './store.ts';
import { TEST_HANG_GUARD_MS } from '../../../test/support/hang-guard.ts';

const writer = fileURLToPath(new URL('./kill-writer.ts', import.meta.url));

/** Runs the writer until it has acknowledged `acks` writes, SIGKILLs it, returns every ack it printed. */
async function writeThenKill(dataDir: string, tag: string, acks: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir, tag], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, number>();
  let buf = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const line of lines) {
      const [key, rev] = line.split(' ');
      if (rev) acked.set(key!, Number(rev));
    }
    if (acked.size >= acks && child.exitCode === null) child.kill('SIGKILL');
  });
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', 'the writer was killed, it did not stop by itself');
  return acked;
}

test('kill -9 never loses an acknowledged write', { timeout: TEST_HANG_GUARD_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drover-kill-'));
  try {
    const acked = new Map<string, number>();
    for (const tag of ['first', 'second']) {
      for (const [k, v] of await writeThenKill(dir, tag, 1500)) acked.set(k, v);
      const store = await openMemoryStore({ dataDir: dir });
      const kvs = new Map((await store.list('')).kvs.map((kv) => [kv.key, kv.modRevision]));
      for (const [key, rev] of acked) assert.equal(kvs.get(key), rev, `acknowledged ${key}@${rev} survived`);
      const { revision } = await store.status();
      assert.ok(revision >= Math.max(...acked.values()));
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
