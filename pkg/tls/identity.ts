// Who a verified client certificate names: Kubernetes' x509 authenticator rule — the subject's CN is the user,
// each O attribute a group. Only a certificate the TLS layer verified against the client CA counts.
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** The user a certificate authenticates. */
export interface CertificateIdentity {
  name: string;
  groups: string[];
}

/** The identity in a (verified) peer certificate, or undefined when it names no CN. */
export function identityFromCertificate(cert: Pick<PeerCertificate, 'subject'>): CertificateIdentity | undefined {
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  const cn = first(subject?.CN);
  if (!cn) return undefined;
  return { name: cn, groups: all(subject?.O) };
}

/** The identity of the client on `socket`: only when it presented a certificate the TLS layer verified. */
export function peerIdentity(socket: unknown): CertificateIdentity | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls || typeof tls.getPeerCertificate !== 'function' || tls.authorized !== true) return undefined;
  const cert = tls.getPeerCertificate();
  return cert && Object.keys(cert).length > 0 ? identityFromCertificate(cert) : undefined;
}

// Node gives a repeated attribute as an array, a single one as a string.
function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? [...v] : [v];
}
