// A loopback TCP proxy for fault injection: forwards to a target and can cut every connection at once,
// refuse new ones for a while, or blackhole the link (bytes stop flowing both ways, connections stay open, as
// when a route disappears: only the peers' own timeouts notice), as a network partition would.
import { connect, createServer, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  /** `127.0.0.1:<port>` to connect to instead of the target. */
  address: string;
  /** Connections cut so far. */
  readonly cuts: number;
  /** Destroys every open connection (both sides). */
  cutAll(): void;
  /** While true, new connections are accepted and immediately destroyed. */
  setRefusing(refusing: boolean): void;
  /**
   * While true nothing is forwarded: open connections stall (both sides stop reading), new ones are accepted and
   * left hanging. Turning it off drops every connection that stalled — their bytes are lost, as after a real
   * outage the peers' retransmissions would have given up — and forwards new connections normally again.
   */
  setBlackhole(on: boolean): void;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy to `target` ("host:port" or "http://host:port"). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const url = new URL(/^[a-z]+:\/\//.test(target) ? target : `tcp://${target}`);
  const host = url.hostname;
  const port = Number(url.port);
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  let blackhole = false;
  const stalled = new Set<Socket>();
  let cuts = 0;
  const stall = (...sockets: Socket[]) => {
    for (const s of sockets) {
      s.unpipe();
      s.pause();
      stalled.add(s);
    }
  };
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    if (blackhole) {
      client.on('error', () => client.destroy());
      stall(client);
      return;
    }
    const upstream = connect(port, host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const cutAll = () => {
    for (const [a, b] of [...pairs]) {
      cuts++;
      // resetAndDestroy sends RST like a dropped link rather than a polite FIN.
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    pairs.clear();
  };
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    get cuts() {
      return cuts;
    },
    cutAll,
    setRefusing: (r) => (refusing = r),
    setBlackhole(on) {
      if (on && !blackhole) for (const [a, b] of pairs) stall(a, b);
      if (!on && blackhole) {
        for (const s of stalled) s.destroy();
        stalled.clear();
      }
      blackhole = on;
    },
    close: async () => {
      refusing = true;
      cutAll();
      for (const s of stalled) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
