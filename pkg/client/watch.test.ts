// Reading watch streams from a scripted node:http server: line framing across chunks, ERROR events,
// broken connections, cancel, and handler failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expired, isGone } from '../apierrors/status.ts';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { isNetworkError } from './errors.ts';
import { createTransport } from './transport.ts';
import { openWatch, type WatchEvent } from './watch.ts';

const obj = (name: string, rv: string): ApiObject => ({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: 'default', resourceVersion: rv } });
const line = (type: string, object: unknown) => JSON.stringify({ type, object }) + '\n';

async function withStream(script: (res: ServerResponse) => void, fn: (url: string, closed: Promise<void>) => Promise<void>) {
  let markClosed!: () => void;
  const closed = new Promise<void>((r) => (markClosed = r));
  const server = createServer((req, res) => {
    req.socket.on('close', markClosed);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    script(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, closed);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('events split across chunks (even inside a UTF-8 character) arrive whole and in order', async () => {
  const events = line('ADDED', obj('a', '1')) + line('MODIFIED', { ...obj('a', '2'), spec: { note: 'naïve ✓' } }) + line('BOOKMARK', { metadata: { resourceVersion: '5' } }) + line('DELETED', obj('a', '6'));
  const bytes = Buffer.from(events);
  await withStream(
    (res) => {
      // Three-byte chunks split lines and multi-byte characters alike.
      for (let i = 0; i < bytes.length; i += 3) res.write(bytes.subarray(i, i + 3));
      res.end();
    },
    async (url) => {
      const t = createTransport({ server: url });
      const seen: WatchEvent[] = [];
      try {
        await openWatch(t, { method: 'GET', path: '/w' }, (ev) => void seen.push(ev)).done;
      } finally {
        await t.close();
      }
      assert.deepEqual(seen.map((e) => [e.type, e.object.metadata.resourceVersion]), [['ADDED', '1'], ['MODIFIED', '2'], ['BOOKMARK', '5'], ['DELETED', '6']]);
      assert.equal((seen[1]!.object.spec as { note: string }).note, 'naïve ✓');
    },
  );
});

test('an ERROR event rejects done with the rebuilt Status and is not delivered as an event', async () => {
  await withStream(
    (res) => {
      res.write(line('ADDED', obj('a', '1')));
      res.end(line('ERROR', expired('too old resource version: 1 (7)').status));
    },
    async (url) => {
      const t = createTransport({ server: url });
      const seen: string[] = [];
      try {
        const err = await openWatch(t, { method: 'GET', path: '/w' }, (ev) => void seen.push(ev.type)).done.catch((e) => e);
        assert.ok(isGone(err));
        assert.equal(err.message, 'too old resource version: 1 (7)');
        assert.deepEqual(seen, ['ADDED']);
      } finally {
        await t.close();
      }
    },
  );
});

test('a connection cut mid-stream is a NetworkError', async () => {
  let response!: ServerResponse;
  await withStream(
    (res) => {
      response = res;
      res.write(line('ADDED', obj('a', '1')));
      res.write('{"type":"MODIF');
    },
    async (url) => {
      const t = createTransport({ server: url });
      const seen: string[] = [];
      try {
        // Cut the connection once the client has seen the first event: a started, then broken, body.
        const handle = openWatch(t, { method: 'GET', path: '/w' }, (ev) => {
          seen.push(ev.type);
          response.socket?.destroy();
        });
        const err = await handle.done.catch((e) => e);
        assert.ok(isNetworkError(err), `expected NetworkError, got ${err}`);
        assert.deepEqual(seen, ['ADDED']);
      } finally {
        await t.close();
      }
    },
  );
});

test('cancel() resolves done and closes the connection', async () => {
  await withStream(
    (res) => res.write(line('ADDED', obj('a', '1'))),
    async (url, closed) => {
      const t = createTransport({ server: url });
      try {
        let first!: () => void;
        const gotFirst = new Promise<void>((r) => (first = r));
        const handle = openWatch(t, { method: 'GET', path: '/w' }, () => first());
        await gotFirst;
        handle.cancel();
        await handle.done;
        await closed;
      } finally {
        await t.close();
      }
    },
  );
});

test('a throwing handler ends the watch with its own error', async () => {
  await withStream(
    (res) => res.write(line('ADDED', obj('a', '1'))),
    async (url, closed) => {
      const t = createTransport({ server: url });
      try {
        const boom = new Error('handler bug');
        const err = await openWatch(t, { method: 'GET', path: '/w' }, () => {
          throw boom;
        }).done.catch((e) => e);
        assert.equal(err, boom);
        await closed;
      } finally {
        await t.close();
      }
    },
  );
});
