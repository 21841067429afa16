// A task's artifacts (Nomad's `artifact` block, go-getter's http, https and file getters): fetched into the
// task directory before the task starts, the checksum verified (`options.checksum` or a `?checksum=` query,
// `<type>:<hex>` with md5, sha1, sha256 or sha512), and archives (.tar, .tar.gz/.tgz, .zip) unpacked into the
// destination unless `options.archive` is "false" — tar with the `tar` package, zip with `yauzl`, both of
// which refuse entries that would leave the destination. A failure names the artifact and is retried through
// the restart policy (a server that is down may come back).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import yauzl from 'yauzl';
import type { Task } from '../../../api/schemas/index.ts';
import { ARTIFACT_CHECKSUM_TYPES } from '../../../api/schemas/semantic-task-inputs.ts';
import type { TaskDir } from './alloc-dir.ts';
import { TaskInputError } from './input-error.ts';
import { interpolate, type NodeFacts } from './interpolate.ts';
import { insideTaskDir } from './task-paths.ts';

type ArtifactSpec = NonNullable<Task['artifacts']>[number];

/** Archive kinds by file name. */
export function archiveKind(name: string): 'tar' | 'tgz' | 'zip' | undefined {
  const n = name.toLowerCase();
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'tgz';
  if (n.endsWith('.tar')) return 'tar';
  if (n.endsWith('.zip')) return 'zip';
  return undefined;
}

/** What fetching needs. */
export interface ArtifactContext {
  dir: TaskDir;
  env: Record<string, string>;
  node: NodeFacts;
  /** A download taking longer fails (so a server that never answers cannot hold the task forever); default 30 min. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** Fetch every artifact of `task` in order; throws TaskInputError naming the first that failed. */
export async function fetchArtifacts(task: Task, ctx: ArtifactContext): Promise<void> {
  for (const [i, a] of (task.artifacts ?? []).entries()) {
    const source = interpolate(a.source, ctx.env, ctx.node);
    const label = `artifacts[${i}] (${source})`;
    try {
      await fetchOne(a, source, ctx, label);
    } catch (err) {
      if (err instanceof TaskInputError) throw err;
      throw new TaskInputError('Failed Artifact Download', `${label}: ${(err as Error).message}`, true);
    }
  }
}

async function fetchOne(a: ArtifactSpec, source: string, ctx: ArtifactContext, label: string): Promise<void> {
  const url = new URL(source);
  const checksum = a.options?.checksum ?? url.searchParams.get('checksum') ?? undefined;
  url.searchParams.delete('checksum');
  const mode = a.mode ?? 'any';
  const destRel = interpolate(a.destination ?? 'local/', ctx.env, ctx.node);
  const dest = insideTaskDir(ctx.dir, destRel, `${label}: destination`, (m) => new TaskInputError('Failed Artifact Download', m, false));
  const name = decodeURIComponent(basename(url.pathname)) || 'artifact';
  if (url.protocol === 'file:' && (await stat(fileURLToPath(url))).isDirectory()) {
    if (mode === 'file') throw new Error(`mode is "file" but ${source} is a directory`);
    if (checksum) throw new Error('a checksum cannot be verified on a directory');
    await mkdir(dest, { recursive: true });
    await cp(fileURLToPath(url), dest, { recursive: true });
    return;
  }
  await mkdir(ctx.dir.tmp, { recursive: true });
  const tmp = join(ctx.dir.tmp, `artifact-${randomUUID()}-${name}`);
  try {
    await download(url, tmp, ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (checksum) await verify(tmp, checksum);
    const kind = a.options?.archive === 'false' || mode === 'file' ? undefined : archiveKind(name);
    if (mode === 'file') {
      await mkdir(dirname(dest), { recursive: true });
      await rename(tmp, dest);
    } else if (kind) {
      await mkdir(dest, { recursive: true });
      await unpack(kind, tmp, dest);
    } else if (mode === 'dir') {
      throw new Error(`mode is "dir" but ${name} is not an archive (.tar, .tar.gz, .tgz, .zip)`);
    } else {
      await mkdir(dest, { recursive: true });
      await rename(tmp, join(dest, name));
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

async function download(url: URL, to: string, timeoutMs: number): Promise<void> {
  if (url.protocol === 'file:') {
    await pipeline(createReadStream(fileURLToPath(url)), createWriteStream(to));
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol} (http, https and file are)`);
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok || !res.body) throw new Error(`GET ${url.href}: ${res.status} ${res.statusText}`);
  await pipeline(res.body as unknown as NodeJS.ReadableStream, createWriteStream(to));
}

/** Verify `file` against `<type>:<hex>`. */
export async function verify(file: string, checksum: string): Promise<void> {
  const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(checksum);
  if (!m || !ARTIFACT_CHECKSUM_TYPES[m[1]!]) throw new Error(`invalid checksum ${JSON.stringify(checksum)}: want <md5|sha1|sha256|sha512>:<hex>`);
  const hash = createHash(m[1]!);
  await pipeline(createReadStream(file), hash);
  const got = hash.digest('hex');
  if (got !== m[2]!.toLowerCase()) throw new Error(`checksum mismatch: expected ${m[1]}:${m[2]!.toLowerCase()}, got ${m[1]}:${got}`);
}

async function unpack(kind: 'tar' | 'tgz' | 'zip', file: string, dest: string): Promise<void> {
  if (kind !== 'zip') {
    // node-tar strips absolute paths and refuses `..` entries (preservePaths is off).
    await tar.x({ file, cwd: dest, gzip: kind === 'tgz', strict: true });
    return;
  }
  await unzip(file, dest);
}

// yauzl validates every entry name (no absolute paths, no `..`) before it is reported.
function unzip(file: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('cannot open zip'));
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const target = join(dest, entry.fileName);
        const mode = (entry.externalFileAttributes >>> 16) & 0o777;
        if (entry.fileName.endsWith('/')) {
          mkdir(target, { recursive: true }).then(() => zip.readEntry(), reject);
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${entry.fileName}`));
          mkdir(dirname(target), { recursive: true })
            .then(() => pipeline(stream, createWriteStream(target, mode ? { mode } : {})))
            .then(() => zip.readEntry(), reject);
        });
      });
      zip.readEntry();
    });
  });
}

