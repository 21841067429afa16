// A TLS front for a plain-HTTP test API server: kubectl (client-go) never sends a bearer token over plain
// HTTP, so authenticated kubectl tests reach the server through this loopback TLS terminator with a throwaway
// self-signed certificate (made with the openssl CLI; the kubeconfig skips verification). Bytes are piped
// unchanged, watches included. Real HTTPS for the API server is pkg/tls's work; this exists only for tests.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running TLS front. */
export interface TlsFront {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

/** Start a TLS terminator on 127.0.0.1 (any free port) forwarding to `target` (an http:// URL). */
export async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-tls-front-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
    const tlsOpts = { key: await readFile(key), cert: await readFile(cert) };
    const { hostname, port } = new URL(target);
    const sockets = new Set<Socket>();
    const server = createServer(tlsOpts, (client) => {
      const upstream = connect(Number(port), hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address() as { port: number };
    return {
      url: `https://127.0.0.1:${addr.port}`,
      async close() {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
