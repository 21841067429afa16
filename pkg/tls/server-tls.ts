// TLS for a listening server: the key and certificate, and, with a client CA, client certificates requested and
// verified the way Go's VerifyClientCertIfGiven does — a client may come without one (it authenticates otherwise),
// but a certificate the CA did not sign ends the connection at the TLS layer, before any HTTP.
import type { Server as NetServer } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';

/** PEM material of a TLS server. */
export interface ServerTlsMaterial {
  certPem: string;
  keyPem: string;
  /** When set, client certificates are requested and must chain to this CA. */
  clientCaPem?: string;
  /** Refuse clients without a certificate too (agents' log listeners: only the API server may connect). */
  requireClientCert?: boolean;
}

/** Options for `https.createServer` / fastify's `https`. */
export function serverTlsOptions(m: ServerTlsMaterial): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  const verify = m.clientCaPem !== undefined;
  return {
    cert: m.certPem,
    key: m.keyPem,
    ...(verify ? { ca: m.clientCaPem } : {}),
    requestCert: verify,
    // Node can only refuse every client without a verified certificate; with optional certificates the check is ours.
    rejectUnauthorized: verify && m.requireClientCert === true,
    minVersion: 'TLSv1.2',
  };
}

/** With optional client certificates: end every connection whose presented certificate did not verify. */
export function refuseUnverifiedClientCerts(server: NetServer): void {
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized) return;
    const cert = socket.getPeerCertificate();
    if (cert && Object.keys(cert).length > 0) socket.destroy();
  });
}
