// TLS: issuing a CA and certificates, server TLS options with client-certificate verification, and mapping a
// verified peer certificate to a user. See README.md.
export { createCa, createCertificate, type CaOptions, type CertificateOptions, type CertificateRole, type KeyPair } from './certificates.ts';
export { identityFromCertificate, peerIdentity, type CertificateIdentity } from './identity.ts';
export { refuseUnverifiedClientCerts, serverTlsOptions, type ServerTlsMaterial } from './server-tls.ts';
