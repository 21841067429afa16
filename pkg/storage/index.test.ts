import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from './index.ts';

test('openStore opens memory:// volatile and persisted stores', async () => {
  const volatile = await openStore('memory://');
  await volatile.create('/a', '1');
  await volatile.close();
  const dir = await mkdtemp(join(tmpdir(), 'drover-url-'));
  try {
    const s1 = await openStore(`memory://${dir}`);
    await s1.create('/a', '1');
    await s1.close();
    const s2 = await openStore(`memory://${dir}`);
    assert.equal((await s2.get('/a')).kv?.value, '1');
    await s2.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('openStore rejects malformed and unknown URLs', async () => {
  for (const url of ['nothing', 'redis://x:1', 'etcd://']) await assert.rejects(openStore(url), /store URL/);
});
