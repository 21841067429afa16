// The client-certificate authenticator: a request on a TLS connection whose client certificate the server's
// client CA verified is from the user the certificate names (CN = user, O = groups, as Kubernetes reads them;
// pkg/tls peerIdentity). Tried after bearer tokens, so an explicit token wins; a connection without a verified
// certificate is not this authenticator's (null), and one the CA did not sign never got past the TLS handshake.
import type { Authenticator } from '../../auth/authenticator.ts';
import { peerIdentity } from '../../tls/identity.ts';

/** Users from verified client certificates. */
export const certificateAuthenticator: Authenticator = async (req) => {
  const id = peerIdentity(req.socket);
  return id ? { username: id.name, groups: id.groups } : null;
};
