// Connection bookkeeping for graceful shutdown. Node's server.close() waits for every socket, but only closes
// idle keep-alive sockets that have served a request; a socket a client opened and never used (undici opens
// spares, e.g. after aborting a watch) would hold shutdown forever. This tracks requests per socket so close
// can drop every socket without a request in flight and each busy one as soon as its last request ends.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Tracks in-flight requests per socket of `server`. */
export class ConnectionTracker {
  private readonly inFlight = new Map<Socket, number>();
  private closing = false;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.inFlight.set(socket, 0);
      socket.once('close', () => this.inFlight.delete(socket));
    });
    server.on('request', (req, res) => {
      const socket = req.socket;
      this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
      res.once('close', () => {
        const left = (this.inFlight.get(socket) ?? 1) - 1;
        this.inFlight.set(socket, left);
        if (this.closing && left === 0) socket.destroy();
      });
    });
  }

  /** Start shutting down: destroy idle sockets now, busy ones when their last request ends. */
  drain(): void {
    this.closing = true;
    for (const [socket, n] of this.inFlight) if (n === 0) socket.destroy();
  }
}
