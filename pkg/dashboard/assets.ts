// The dashboard's files as the API server serves them: dist/drover/dashboard/ (built by hack/build.mjs from
// pkg/dashboard/ui), read once into memory. index.html is revalidated on every load (it names the current
// bundle); the bundle's files carry a content hash in their names and are cached for a year. A gzip twin
// written by the build is sent to clients that accept it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One servable file. */
export interface Asset {
  body: Buffer;
  gzip?: Buffer;
  contentType: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** Hashed names (`main-4F2K6ZQX.js`) never change content. */
const HASHED = /-[A-Z0-9]{8}\.\w+$/;

/** Read every file of `dir` (not recursive); an absent directory is an empty set (the UI then explains itself). */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.endsWith('.gz')) continue;
    const ext = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[ext];
    if (!contentType) continue;
    const gzipName = `${name}.gz`;
    out.set(name, {
      body: readFileSync(join(dir, name)),
      gzip: names.includes(gzipName) ? readFileSync(join(dir, gzipName)) : undefined,
      contentType,
      cacheControl: HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return out;
}

/** Whether an Accept-Encoding header admits gzip. */
export function acceptsGzip(header: string | undefined): boolean {
  return !!header && /\bgzip\b(?!;q=0(\.0*)?\b)/.test(header);
}
