// Making a CA and the certificates it signs (node-forge: node:crypto verifies certificates but cannot issue them).
// Keys are RSA 2048 made by node:crypto (native); forge assembles and signs the X.509 structure with SHA-256.
// Like Kubernetes, a client certificate names its user in the subject's CN and its groups in O attributes.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

/** What a certificate is for. server: serverAuth; client: clientAuth; agent: both (its log listener serves, its API client authenticates). */
export type CertificateRole = 'server' | 'client' | 'agent';

/** Options of `createCa`. */
export interface CaOptions {
  commonName: string;
  /** Validity in days from `now` (default 3650). */
  days?: number;
  now: Date;
}

/** Options of `createCertificate`. */
export interface CertificateOptions {
  ca: KeyPair;
  role: CertificateRole;
  /** The user (client), the node (agent) or the host (server). */
  commonName: string;
  /** The groups of a client or agent certificate (subject O attributes). */
  organizations?: string[];
  /** DNS names and IP addresses the certificate is valid for (server, agent). */
  hosts?: string[];
  /** Validity in days from `now` (default 365). */
  days?: number;
  now: Date;
}

/** A self-signed CA certificate that can sign certificates (and nothing else). */
export function createCa(opts: CaOptions): KeyPair {
  const keys = newRsaKey();
  const cert = baseCertificate(keys.publicKey, opts.now, opts.days ?? 3650);
  const subject = [attribute('CN', opts.commonName)];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A certificate for `role` signed by `ca`. The returned certPem holds the certificate followed by the CA's (the chain). */
export function createCertificate(opts: CertificateOptions): KeyPair {
  const caCert = forge.pki.certificateFromPem(opts.ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(opts.ca.keyPem);
  const keys = newRsaKey();
  const cert = baseCertificate(keys.publicKey, opts.now, opts.days ?? 365);
  cert.setSubject([attribute('CN', opts.commonName), ...(opts.organizations ?? []).map((o) => attribute('O', o))]);
  cert.setIssuer(caCert.subject.attributes);
  const hosts = opts.hosts ?? [];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: opts.role !== 'client', clientAuth: opts.role !== 'server' },
    ...(hosts.length > 0 ? [{ name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert) + opts.ca.certPem, keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

// Tagged UTF8String (forge then encodes the value): forge's default for CN and O is PrintableString, which cannot
// hold a name beyond ASCII letters and digits, and a certificate so encoded fails verification.
function attribute(shortName: 'CN' | 'O', value: string): { shortName: string; value: string; valueTagClass: number } {
  return { shortName, value, valueTagClass: forge.asn1.Type.UTF8 };
}

function newRsaKey(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { publicKey: forge.pki.publicKeyFromPem(k.publicKey) as forge.pki.rsa.PublicKey, privateKey: forge.pki.privateKeyFromPem(k.privateKey) as forge.pki.rsa.PrivateKey };
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, now: Date, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // 127 random bits, high bit clear: a positive serial, unique without a counter (RFC 5280 allows up to 20 bytes).
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  // Backdated a little so a peer whose clock runs slightly behind accepts it at once.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
  return cert;
}
