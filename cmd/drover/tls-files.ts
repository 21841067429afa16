// The TLS flags of `drover dev` / `drover server` (--tls-cert-file, --tls-key-file, --client-ca-file) and of
// clients (--certificate-authority, --client-certificate, --client-key), read into PEM material.
import { readFile } from 'node:fs/promises';
import type { ClientTls } from '../../pkg/client/transport.ts';
import type { ServerTlsMaterial } from '../../pkg/tls/index.ts';
import { UsageError } from './errors.ts';

/** The server's TLS flags. */
export interface ServerTlsFlags {
  tlsCertFile?: string;
  tlsKeyFile?: string;
  clientCaFile?: string;
}

/** What the server serves with, and the CA its own in-process components trust it by. */
export interface ServerTls {
  material: ServerTlsMaterial;
  /** The CA certificates of the serving chain (drover tls cert create writes leaf then CA). */
  loopbackCa: string;
}

/** Read the server's TLS files; undefined without --tls-cert-file. */
export async function readServerTls(f: ServerTlsFlags): Promise<ServerTls | undefined> {
  if (!f.tlsCertFile && !f.tlsKeyFile) {
    if (f.clientCaFile) throw new UsageError('--client-ca-file needs --tls-cert-file and --tls-key-file (client certificates are verified over HTTPS only)');
    return undefined;
  }
  if (!f.tlsCertFile || !f.tlsKeyFile) throw new UsageError('--tls-cert-file and --tls-key-file go together');
  const certPem = await readFile(f.tlsCertFile, 'utf8');
  const certs = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  if (certs.length === 0) throw new UsageError(`${f.tlsCertFile}: no PEM certificate in it`);
  // The server's own components connect to it over HTTPS too and must verify it: by the chain's CA.
  if (certs.length < 2) throw new UsageError(`${f.tlsCertFile}: must hold the certificate followed by its CA's (drover tls cert create server writes it so)`);
  return {
    material: { certPem, keyPem: await readFile(f.tlsKeyFile, 'utf8'), clientCaPem: f.clientCaFile ? await readFile(f.clientCaFile, 'utf8') : undefined },
    loopbackCa: certs.slice(1).join(''),
  };
}

/** The client's TLS flags. */
export interface ClientTlsFlags {
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  clientCertificate?: string;
  clientKey?: string;
}

/** Read a client's TLS files (or inline base64 data, as a kubeconfig carries it); undefined when none is given. */
export async function readClientTls(f: ClientTlsFlags): Promise<ClientTls | undefined> {
  if (!f.certificateAuthority && !f.certificateAuthorityData && !f.clientCertificate && !f.clientKey) return undefined;
  if (!!f.clientCertificate !== !!f.clientKey) throw new UsageError('--client-certificate and --client-key go together');
  return {
    ca: f.certificateAuthority ? await readFile(f.certificateAuthority, 'utf8') : f.certificateAuthorityData ? Buffer.from(f.certificateAuthorityData, 'base64').toString('utf8') : undefined,
    cert: f.clientCertificate ? await readFile(f.clientCertificate, 'utf8') : undefined,
    key: f.clientKey ? await readFile(f.clientKey, 'utf8') : undefined,
  };
}
