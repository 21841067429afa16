// `drover tls ca create` and `drover tls cert create --server|--agent|--client`: PEM files for HTTPS, mTLS and
// client-certificate users (CN = user, O = groups, as Kubernetes reads them). Files are never overwritten;
// private keys are written with mode 0600.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, createCertificate, type CertificateRole } from '../../../pkg/tls/index.ts';
import { UsageError } from '../errors.ts';
import { println } from '../io.ts';

/** The CA's file names, Nomad's way (`drover-ca.pem`, `drover-ca-key.pem`). */
export const CA_FILE = 'drover-ca.pem';
export const CA_KEY_FILE = 'drover-ca-key.pem';

/** Arguments of `tls ca create`. */
export interface CaCreateArgs {
  outDir: string;
  commonName: string;
  days: number;
}

/** Arguments of `tls cert create`. */
export interface CertCreateArgs {
  role: CertificateRole;
  outDir: string;
  ca: string;
  caKey: string;
  /** CN: the user (client), the node's name (agent), the server's name (server). */
  name?: string;
  groups: string[];
  hosts: string[];
  days: number;
}

/** Write a new CA; returns the exit code. */
export async function tlsCaCreate(args: CaCreateArgs, out: (s: string) => void, now: Date): Promise<number> {
  const ca = createCa({ commonName: args.commonName, days: args.days, now });
  const cert = join(args.outDir, CA_FILE);
  const key = join(args.outDir, CA_KEY_FILE);
  await writeNew(key, ca.keyPem, 0o600);
  await writeNew(cert, ca.certPem, 0o644);
  println(out, `wrote ${cert} and ${key} (keep the key private: it signs every certificate)`);
  return 0;
}

/** The subject and file prefix of a certificate for `role`. */
export function certificateSubject(args: Pick<CertCreateArgs, 'role' | 'name' | 'groups'>): { commonName: string; organizations: string[]; prefix: string } {
  switch (args.role) {
    case 'server':
      return { commonName: args.name ?? 'drover-apiserver', organizations: args.groups, prefix: 'drover-server' };
    case 'agent':
      if (!args.name) throw new UsageError('an agent certificate needs --name NODE (the certificate names the node as drover:node:NODE)');
      // Drover's node identity, as a node token has it (`drover token create --user drover:node:NAME --group
      // drover:nodes`): the certificate stands in for that token, and RBAC's drover:node role applies.
      return { commonName: `drover:node:${args.name}`, organizations: ['drover:nodes', ...args.groups], prefix: `drover-agent-${args.name}` };
    case 'client':
      if (!args.name) throw new UsageError('a client certificate needs --name USER (the certificate\'s CN is the user, each --group an O)');
      return { commonName: args.name, organizations: args.groups, prefix: `drover-client-${args.name}` };
  }
}

/** Write a certificate signed by the CA; returns the exit code. */
export async function tlsCertCreate(args: CertCreateArgs, out: (s: string) => void, now: Date): Promise<number> {
  const subject = certificateSubject(args);
  const ca = { certPem: await readFile(args.ca, 'utf8'), keyPem: await readFile(args.caKey, 'utf8') };
  const hosts = args.role === 'client' ? [] : args.hosts.length > 0 ? args.hosts : ['localhost', '127.0.0.1'];
  const pair = createCertificate({ ca, role: args.role, commonName: subject.commonName, organizations: subject.organizations, hosts, days: args.days, now });
  const cert = join(args.outDir, `${subject.prefix}.pem`);
  const key = join(args.outDir, `${subject.prefix}-key.pem`);
  await writeNew(key, pair.keyPem, 0o600);
  await writeNew(cert, pair.certPem, 0o644);
  const groups = subject.organizations.length > 0 ? ` groups ${subject.organizations.join(',')}` : '';
  println(out, `wrote ${cert} and ${key} (${args.role}: CN ${subject.commonName}${groups}${hosts.length > 0 ? `; hosts ${hosts.join(',')}` : ''})`);
  return 0;
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  await writeFile(path, text, { flag: 'wx', mode }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') throw new UsageError(`${path} exists: not overwritten (move it away first)`);
    throw err;
  });
}
