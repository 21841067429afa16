// The opening of `drover dev` and `drover server` on stdout, as `nomad agent -dev` opens: where the API and UI
// are, where state lives, how to authenticate, and a first command to try. Printed once the server listens,
// before components start; the `... listening on URL (...), ready in N ms` line follows when all have started.
import { DEFAULT_SERVER } from './config.ts';

/** What the banner shows about one running server. */
export interface BannerInfo {
  /** `drover dev`. */
  label: string;
  /** The API server's URL. */
  url: string;
  /** Rows after the API and UI rows, e.g. `['Data dir', '/x/dev']`. */
  rows: Array<[string, string]>;
  /** The address it listens on (`127.0.0.1`, `0.0.0.0`). */
  host: string;
  logLevel: string;
  colour: boolean;
  /** Where the admin token is, when requests are authenticated (absent: they are not). */
  token?: string;
}

/** The banner's text (ends with a newline). */
export function banner(b: BannerInfo): string {
  const bold = (s: string) => (b.colour ? `\x1b[1m${s}\x1b[0m` : s);
  const loopback = b.host === '127.0.0.1' || b.host === 'localhost' || b.host === '::1';
  const rows: Array<[string, string]> = [
    ['API address', b.url],
    ['UI URL', `${b.url}/ui/`],
    ...b.rows,
    ['Token', b.token ?? (loopback ? 'none needed: requests are not authenticated, and only this machine can connect' : `none needed: requests are not authenticated, and anyone who can reach ${b.host} can connect`)],
    ['Log level', `${b.logLevel} (--log-level debug shows every request)`],
    ['Try', b.url === DEFAULT_SERVER ? 'drover get nodes' : `DROVER_ADDR=${b.url} drover ${b.url.startsWith('https:') ? '--certificate-authority CA.pem ' : ''}get nodes`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    bold(`==> ${b.label} configuration:`),
    '',
    ...rows.map(([k, v]) => `    ${k.padStart(width)}: ${v}`),
    '',
    bold(`==> ${b.label} is starting its components; log data will stream in below:`),
    '',
  ].join('\n');
}
