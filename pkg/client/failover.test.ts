// A client over two API servers: requests go to the first until it cannot be reached, then to the second (a
// refused connection is sent on at once, writes included); a write whose connection broke after it left is not
// sent again by the client — it is thrown, and the next request goes to the other server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { Namespace } from '../../api/schemas/index.ts';
import { startApiServer } from '../../test/support/server.ts';
import { createClient } from './client.ts';
import { isNetworkError } from './errors.ts';
import { serverList } from './failover.ts';

test('serverList splits comma-separated URLs and refuses an empty list', () => {
  assert.deepEqual(serverList('http://a:1, http://b:2,,'), ['http://a:1', 'http://b:2']);
  assert.deepEqual(serverList('http://a:1'), ['http://a:1']);
  assert.throws(() => serverList(' , '), /no API server URL/);
});

test('a client fails over from a stopped server to the next, and back when that one stops', async () => {
  const a = await startApiServer();
  const b = await startApiServer();
  const switches: string[] = [];
  const client = createClient({ server: `${a.url},${b.url}`, onFailover: (from, to) => switches.push(`${from} -> ${to}`) });
  const ns = client.resource<Namespace>('namespaces');
  try {
    await ns.create({ metadata: { name: 'on-a' } } as Namespace);
    assert.ok((await a.store.get('/registry/namespaces/on-a')).kv, 'the first write went to a');
    await a.stop();
    // Connection refused: never sent, so even a create goes on to b at once.
    await ns.create({ metadata: { name: 'on-b' } } as Namespace);
    assert.equal((await ns.get('on-b')).metadata.name, 'on-b');
    assert.deepEqual(switches, [`${a.url} -> ${b.url}`]);
    await a.start();
    await b.stop();
    assert.equal((await ns.list()).items.some((n) => n.metadata.name === 'on-a'), true, 'reads went back to a');
    assert.deepEqual(switches, [`${a.url} -> ${b.url}`, `${b.url} -> ${a.url}`]);
  } finally {
    await client.close();
    await a.close();
    await b.close();
  }
});

test('a write whose connection breaks after it was sent is thrown, not resent; the next request uses the other server', async () => {
  // A "server" that reads the request and resets the connection without answering: the write may have landed.
  const sockets = new Set<Socket>();
  let requests = 0;
  const breaker = createServer((s) => {
    sockets.add(s);
    s.once('data', () => {
      requests++;
      s.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => breaker.listen(0, '127.0.0.1', () => resolve()));
  const brokenUrl = `http://127.0.0.1:${(breaker.address() as { port: number }).port}`;
  const b = await startApiServer();
  const client = createClient({ server: `${brokenUrl},${b.url}` });
  const ns = client.resource<Namespace>('namespaces');
  try {
    const err = await ns.create({ metadata: { name: 'maybe' } } as Namespace).catch((e) => e);
    assert.ok(isNetworkError(err), String(err));
    assert.equal(requests, 1);
    assert.equal((await b.store.get('/registry/namespaces/maybe')).kv, undefined, 'the client did not resend the write to b');
    await ns.create({ metadata: { name: 'maybe' } } as Namespace);
    assert.equal(requests, 1, 'the next request went to b');
  } finally {
    await client.close();
    await b.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => breaker.close(resolve));
  }
});
