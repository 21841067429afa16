// gRPC health checks against a real @grpc/grpc-js server serving grpc.health.v1 Health/Check: SERVING passes,
// NOT_SERVING and an unknown service are critical, nothing listening is critical; the hand-written codec
// round-trips and skips unknown fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, ServerCredentials, status as grpcStatus, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { createServer, type AddressInfo } from 'node:net';
import { decodeHealthStatus, encodeHealthRequest, encodeHealthResponse, HEALTH_CHECK_METHOD } from './grpc-check.ts';
import { probe } from './checks.ts';

/** Decodes a HealthCheckRequest's service name (test-side codec, written apart from the production one). */
function requestService(buf: Buffer): string {
  if (buf.length === 0) return '';
  assert.equal(buf[0], 0x0a);
  return buf.subarray(2, 2 + buf[1]).toString('utf8');
}

// The server's request object (grpc-js takes a falsy request, such as '', for no request at all).
const decodeRequest = (buf: Buffer) => ({ service: requestService(buf) });

async function healthServer(statusOf: (service: string) => number | undefined): Promise<{ port: number; close(): Promise<void> }> {
  const server = new Server();
  server.register(
    HEALTH_CHECK_METHOD,
    (call: ServerUnaryCall<{ service: string }, number>, cb: sendUnaryData<number>) => {
      const s = statusOf(call.request.service);
      if (s === undefined) cb({ code: grpcStatus.NOT_FOUND, details: `unknown service ${call.request.service}` });
      else cb(null, s);
    },
    (n: number) => Buffer.from([0x08, n]),
    decodeRequest,
    'unary',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, close: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}

test('grpc checks: SERVING passes; NOT_SERVING and an unknown service are critical', async () => {
  const srv = await healthServer((s) => (s === '' || s === 'web' ? 1 : s === 'db' ? 2 : s === 'starting' ? 0 : undefined));
  try {
    const check = (grpcService?: string) => probe({ type: 'grpc', grpcService, interval: '1s', timeout: '5s' }, { address: '127.0.0.1', port: srv.port });
    const overall = await check();
    assert.equal(overall.status, 'passing', overall.output);
    assert.match(overall.output, /SERVING/);
    assert.equal((await check('web')).status, 'passing');
    const down = await check('db');
    assert.equal(down.status, 'critical');
    assert.match(down.output, /NOT_SERVING/);
    const starting = await check('starting');
    assert.equal(starting.status, 'critical');
    assert.match(starting.output, /: UNKNOWN$/);
    const unknown = await check('nope');
    assert.equal(unknown.status, 'critical');
    assert.match(unknown.output, /unknown service nope/);
  } finally {
    await srv.close();
  }
});

test('a grpc check with nothing listening is critical', async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  const r = await probe({ type: 'grpc', interval: '1s', timeout: '3s' }, { address: '127.0.0.1', port });
  assert.equal(r.status, 'critical');
  assert.match(r.output, /grpc\.health\.v1/);
});

test('the health codec: request encoding, status decoding with unknown fields skipped', () => {
  assert.deepEqual(encodeHealthRequest(''), Buffer.alloc(0));
  assert.equal(requestService(encodeHealthRequest('web')), 'web');
  assert.equal(decodeHealthStatus(encodeHealthResponse(1)), 1);
  assert.equal(decodeHealthStatus(Buffer.alloc(0)), 0);
  // field 2 (length-delimited "xy") before field 1 = 2
  assert.equal(decodeHealthStatus(Buffer.from([0x12, 0x02, 0x78, 0x79, 0x08, 0x02])), 2);
  assert.throws(() => decodeHealthStatus(Buffer.from([0x08])), /truncated/);
});
