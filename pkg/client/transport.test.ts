// The transport against a plain node:http server standing in for the API server: Status errors come back as
// ApiError, unreachable servers as NetworkError, and tokens and content types go out as set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, isNotFound, notFound } from '../apierrors/status.ts';
import { isNetworkError } from './errors.ts';
import { createTransport } from './transport.ts';

async function withServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, fn: (url: string) => Promise<void>) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a Status error body is rebuilt as the same ApiError', async () => {
  const status = notFound({ group: 'drover.dev', kind: 'jobs', name: 'x' }).status;
  await withServer(
    (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status));
    },
    async (url) => {
      const t = createTransport({ server: url });
      try {
        const err = await t.json({ method: 'GET', path: '/apis/drover.dev/v1/namespaces/default/jobs/x' }).catch((e) => e);
        assert.ok(err instanceof ApiError);
        assert.ok(isNotFound(err));
        assert.equal(err.message, 'jobs.drover.dev "x" not found');
        assert.deepEqual(err.status, status);
      } finally {
        await t.close();
      }
    },
  );
});

test('a non-Status error body still becomes an ApiError with the reason of its code', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(503);
      res.end('overloaded');
    },
    async (url) => {
      const t = createTransport({ server: url });
      try {
        const err = await t.json({ method: 'GET', path: '/x' }).catch((e) => e);
        assert.ok(err instanceof ApiError);
        assert.equal(err.reason, 'ServiceUnavailable');
        assert.equal(err.message, 'overloaded');
      } finally {
        await t.close();
      }
    },
  );
});

test('requests carry the token, user agent, content type, query and a path prefix', async () => {
  let seen: { url?: string; auth?: string; ua?: string; ct?: string; body?: string } = {};
  await withServer(
    (req, res, body) => {
      seen = { url: req.url, auth: req.headers.authorization, ua: req.headers['user-agent'], ct: req.headers['content-type'], body };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    },
    async (url) => {
      const t = createTransport({ server: `${url}/prefix/`, token: 'sekret', userAgent: 'drover-test/1' });
      try {
        const got = await t.json({ method: 'PATCH', path: '/apis/x', query: { fieldManager: 'me', dryRun: undefined }, body: { a: 1 }, contentType: 'application/merge-patch+json' });
        assert.deepEqual(got, { ok: true });
        assert.deepEqual(seen, { url: '/prefix/apis/x?fieldManager=me', auth: 'Bearer sekret', ua: 'drover-test/1', ct: 'application/merge-patch+json', body: '{"a":1}' });
      } finally {
        await t.close();
      }
    },
  );
});

test('an unreachable server is a NetworkError with the system code', async () => {
  // Find a free port by listening and closing, so nothing answers there.
  let url = '';
  await withServer(() => {}, async (u) => void (url = u));
  const t = createTransport({ server: url, timeoutMs: 2000 });
  try {
    const err = await t.json({ method: 'GET', path: '/version' }).catch((e) => e);
    assert.ok(isNetworkError(err), `expected NetworkError, got ${err}`);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.ok(!(err instanceof ApiError));
  } finally {
    await t.close();
  }
});

test('a 2xx body that is not JSON is reported, not returned', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200);
      res.end('<html>');
    },
    async (url) => {
      const t = createTransport({ server: url });
      try {
        const err = await t.json({ method: 'GET', path: '/x' }).catch((e) => e);
        assert.ok(err instanceof ApiError);
        assert.equal(err.status.details?.causes?.[0]?.reason, 'UnexpectedServerResponse');
      } finally {
        await t.close();
      }
    },
  );
});
