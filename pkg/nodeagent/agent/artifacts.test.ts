// Fetching artifacts from a loopback HTTP server and from file:// URLs: checksums of every go-getter type,
// tar, tar.gz and zip unpacking, modes file/dir/any, `archive: "false"`, and failures naming the artifact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import * as tar from 'tar';
import type { Task } from '../../../api/schemas/index.ts';
import { allocDirOf, buildTaskDir, taskDirOf, type TaskDir } from './alloc-dir.ts';
import { fetchArtifacts } from './artifacts.ts';
import { TaskInputError } from './input-error.ts';

const node = { id: 'n', name: 'n1', datacenter: 'dc1', nodeClass: '', attributes: {}, meta: {} };
const digest = (type: string, data: Buffer | string) => createHash(type).update(data).digest('hex');

/** A stored (uncompressed) zip of `files`: enough of the format for yauzl, written independently of it. */
export function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

async function withFixture(fn: (f: { dir: TaskDir; url: (p: string) => string; files: string; fetch: (artifacts: Task['artifacts']) => Promise<void> }) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'drover-artifacts-'));
  const files = join(root, 'served');
  await mkdir(join(files, 'tree', 'sub'), { recursive: true });
  await writeFile(join(files, 'app.txt'), 'hello artifact\n');
  await writeFile(join(files, 'tree', 'a.txt'), 'A');
  await writeFile(join(files, 'tree', 'sub', 'b.txt'), 'B');
  await tar.c({ file: join(files, 'bundle.tar.gz'), gzip: true, cwd: join(files, 'tree') }, ['a.txt', 'sub/b.txt']);
  await tar.c({ file: join(files, 'bundle.tar'), cwd: join(files, 'tree') }, ['a.txt']);
  await writeFile(join(files, 'bundle.zip'), storedZip({ 'z.txt': 'Z', 'deep/y.txt': 'Y' }));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    readFile(join(files, path)).then((b) => res.end(b), () => ((res.statusCode = 404), res.end('no')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = taskDirOf(allocDirOf(root, 'u'), 'app');
  await buildTaskDir(dir);
  try {
    await fn({
      dir, files, url: (p) => `http://127.0.0.1:${port}/${p}`,
      fetch: (artifacts) => fetchArtifacts({ name: 'app', driver: 'raw_exec', artifacts }, { dir, env: { NOMAD_TASK_NAME: 'app' }, node }),
    });
  } finally {
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
  }
}

const read = (dir: TaskDir, rel: string) => readFile(join(dir.root, rel), 'utf8');

test('artifacts: a file over http into local/, its checksum verified with every go-getter type', async () => {
  await withFixture(async ({ dir, url, fetch }) => {
    const body = 'hello artifact\n';
    for (const type of ['md5', 'sha1', 'sha256', 'sha512']) {
      await fetch([{ source: url('app.txt'), destination: `local/${type}`, options: { checksum: `${type}:${digest(type, body)}` } }]);
      assert.equal(await read(dir, `local/${type}/app.txt`), body);
    }
    // go-getter's query form, and the default destination local/.
    await fetch([{ source: `${url('app.txt')}?checksum=sha256:${digest('sha256', body)}` }]);
    assert.equal(await read(dir, 'local/app.txt'), body);
  });
});

test('artifacts: archives are unpacked (tar, tar.gz, zip) unless archive is "false"; mode file names the file', async () => {
  await withFixture(async ({ dir, url, files, fetch }) => {
    await fetch([
      { source: url('bundle.tar.gz'), destination: 'local/tgz' },
      { source: url('bundle.tar'), destination: 'local/tar' },
      { source: url('bundle.zip'), destination: 'local/zip', mode: 'dir' },
      { source: url('bundle.tar'), destination: 'local/raw', options: { archive: 'false' } },
      { source: url('app.txt'), destination: 'local/renamed.txt', mode: 'file' },
      { source: pathToFileURL(join(files, 'tree')).href, destination: 'local/copied' },
      { source: pathToFileURL(join(files, 'app.txt')).href, destination: 'local/${NOMAD_TASK_NAME}-file' },
    ]);
    assert.equal(await read(dir, 'local/tgz/a.txt'), 'A');
    assert.equal(await read(dir, 'local/tgz/sub/b.txt'), 'B');
    assert.equal(await read(dir, 'local/tar/a.txt'), 'A');
    assert.equal(await read(dir, 'local/zip/z.txt'), 'Z');
    assert.equal(await read(dir, 'local/zip/deep/y.txt'), 'Y');
    assert.ok((await stat(join(dir.root, 'local/raw/bundle.tar'))).isFile());
    assert.equal(await read(dir, 'local/renamed.txt'), 'hello artifact\n');
    assert.equal(await read(dir, 'local/copied/sub/b.txt'), 'B');
    assert.equal(await read(dir, 'local/app-file/app.txt'), 'hello artifact\n');
  });
});

test('artifacts: failures are events naming the artifact', async () => {
  await withFixture(async ({ dir, url, fetch }) => {
    const fails = async (artifacts: Task['artifacts'], pattern: RegExp, retryable = true) => {
      await assert.rejects(fetch(artifacts), (e: unknown) => {
        assert.ok(e instanceof TaskInputError, String(e));
        assert.equal(e.event, 'Failed Artifact Download');
        assert.equal(e.retryable, retryable);
        assert.match(e.message, pattern);
        return true;
      });
    };
    const wrong = 'sha256:' + '0'.repeat(64);
    await fails([{ source: url('app.txt'), options: { checksum: wrong } }], new RegExp(`^artifacts\\[0\\] \\(${url('app.txt').replace(/[.?]/g, '\\$&')}\\): checksum mismatch: expected ${wrong}, got sha256:${digest('sha256', 'hello artifact\n')}$`));
    await assert.rejects(stat(join(dir.root, 'local/app.txt')), /ENOENT/, 'nothing is left behind by a failed checksum');
    await fails([{ source: url('app.txt') }, { source: url('missing.bin') }], /^artifacts\[1\] \(.*missing\.bin\): GET .*: 404 Not Found$/);
    await fails([{ source: url('app.txt'), mode: 'dir' }], /mode is "dir" but app\.txt is not an archive/);
    await fails([{ source: url('app.txt'), destination: '../../outside' }], /destination "\.\.\/\.\.\/outside" is not inside the allocation directory/, false);
    await fails([{ source: url('app.txt'), options: { checksum: 'crc:12' } }], /invalid checksum "crc:12"/);
    await fails([{ source: 'http://127.0.0.1:1/nothing-listens' }], /^artifacts\[0\] \(http:\/\/127\.0\.0\.1:1\/nothing-listens\): /);
  });
});

test('artifacts: a server that never answers fails the download at the timeout', async () => {
  const server = createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const root = await mkdtemp(join(tmpdir(), 'drover-artifacts-'));
  try {
    const dir = taskDirOf(allocDirOf(root, 'u'), 'app');
    await buildTaskDir(dir);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
    await assert.rejects(fetchArtifacts({ name: 'app', driver: 'raw_exec', artifacts: [{ source: url }] }, { dir, env: {}, node, timeoutMs: 50 }), (e: unknown) => {
      assert.ok(e instanceof TaskInputError);
      assert.match(e.message, /^artifacts\[0\] \(http:\/\/127\.0\.0\.1:\d+\/slow\): .*(timeout|aborted)/i);
      return true;
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
  }
});
