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

/** The server's flags for agents' mTLS log listeners. */
export interface AgentTlsFlags {
  agentCertificateAuthority?: string;
  agentClientCertificate?: string;
  agentClientKey?: string;
}

/** Read the CA of agents' certificates and the client certificate the server presents to them; undefined without any. */
export async function readAgentTls(f: AgentTlsFlags): Promise<{ caPem: string; certPem: string; keyPem: string } | undefined> {
  if (!f.agentCertificateAuthority && !f.agentClientCertificate && !f.agentClientKey) return undefined;
  if (!f.agentCertificateAuthority || !f.agentClientCertificate || !f.agentClientKey) {
    throw new UsageError('--agent-certificate-authority, --agent-client-certificate and --agent-client-key go together');
  }
  return { caPem: await readFile(f.agentCertificateAuthority, 'utf8'), certPem: await readFile(f.agentClientCertificate, 'utf8'), keyPem: await readFile(f.agentClientKey, 'utf8') };
}

/** The agent's flags for its log listener. */
export interface LogListenerTlsFlags {
  tlsCertFile?: string;
  tlsKeyFile?: string;
  clientCaFile?: string;
  logClientName?: string[];
}

/** Read the agent log listener's TLS files; undefined without --tls-cert-file. */
export async function readLogListenerTls(f: LogListenerTlsFlags): Promise<{ certPem: string; keyPem: string; clientCaPem: string; allowedClientNames?: string[] } | undefined> {
  if (!f.tlsCertFile && !f.tlsKeyFile && !f.clientCaFile) return undefined;
  if (!f.tlsCertFile || !f.tlsKeyFile || !f.clientCaFile) throw new UsageError('--tls-cert-file, --tls-key-file and --client-ca-file go together (the log listener accepts only clients of that CA)');
  const names = f.logClientName ?? [];
  return {
    certPem: await readFile(f.tlsCertFile, 'utf8'), keyPem: await readFile(f.tlsKeyFile, 'utf8'), clientCaPem: await readFile(f.clientCaFile, 'utf8'),
    ...(names.length > 0 ? { allowedClientNames: names } : {}),
  };
}
