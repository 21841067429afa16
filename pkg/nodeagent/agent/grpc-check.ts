// gRPC health checks: one unary call of the standard grpc.health.v1.Health/Check (the protocol Nomad's and
// Consul's grpc checks speak) with @grpc/grpc-js. The two messages have one field each, so they are encoded by
// hand here rather than through a .proto loader: HealthCheckRequest { string service = 1 } and
// HealthCheckResponse { ServingStatus status = 1 } with SERVING = 1.
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { CheckResult } from './checks.ts';

/** The method path of the standard health service. */
export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** Encodes a HealthCheckRequest (an empty message for the server's overall health). */
export function encodeHealthRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  return name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]);
}

/** Decodes a HealthCheckResponse's status (0, UNKNOWN, when absent); unknown fields are skipped. */
export function decodeHealthStatus(buf: Buffer): number {
  let i = 0;
  let status = 0;
  while (i < buf.length) {
    const [key, afterKey] = readVarint(buf, i);
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      const [v, next] = readVarint(buf, afterKey);
      if (field === 1) status = v;
      i = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, afterKey);
      i = next + len;
    } else if (wire === 1) i = afterKey + 8;
    else if (wire === 5) i = afterKey + 4;
    else throw new Error(`malformed HealthCheckResponse (wire type ${wire})`);
  }
  return status;
}

/** Encodes a HealthCheckResponse (used by tests and by anything serving the health protocol). */
export function encodeHealthResponse(status: number): Buffer {
  return Buffer.concat([Buffer.from([0x08]), varint(status)]);
}

/** Calls Health/Check on `host:port` (TLS when `tls`), passing when the answer is SERVING. */
export function probeGrpc(target: { address: string; port: number }, opts: { service?: string; tls: boolean; timeoutMs: number }): Promise<CheckResult> {
  const where = target.address.includes(':') ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
  const client = new Client(where, opts.tls ? credentials.createSsl() : credentials.createInsecure());
  return new Promise<CheckResult>((resolve) => {
    client.makeUnaryRequest(
      HEALTH_CHECK_METHOD,
      encodeHealthRequest,
      // An object, not the bare number: grpc-js takes a falsy message (UNKNOWN is 0) for no message at all.
      (b: Buffer) => ({ status: decodeHealthStatus(b) }),
      opts.service ?? '',
      new Metadata(),
      { deadline: Date.now() + opts.timeoutMs },
      (err: ServiceError | null, res?: { status: number }) => {
        client.close();
        const status = res?.status;
        if (err) return resolve({ status: 'critical', output: `gRPC ${HEALTH_CHECK_METHOD} ${where}: ${err.message}` });
        const name = SERVING_STATUS[status ?? 0] ?? String(status);
        resolve({ status: status === 1 ? 'passing' : 'critical', output: `gRPC ${HEALTH_CHECK_METHOD} ${where}: ${name}` });
      },
    );
  });
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let result = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= buf.length) throw new Error('malformed HealthCheckResponse (truncated varint)');
    const b = buf[i++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, i];
    shift += 7;
    if (shift > 49) throw new Error('malformed HealthCheckResponse (varint too long)');
  }
}
