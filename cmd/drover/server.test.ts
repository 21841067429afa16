// `drover server` on a real etcd (skipped when etcd is not installed, unless CI=true): it serves, a CLI
// round trip works through it, and it stops cleanly when interrupted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realClock } from '../../pkg/clock/clock.ts';
import { etcdTestOptions, startEtcd } from '../../test/support/etcd.ts';
import { run } from './program.ts';
import { mkdtempSync } from 'node:fs';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));

const REDIS = fileURLToPath(new URL('../../../shared/examples/redis.yaml', import.meta.url));

async function drover(args: string[], env: Record<string, string>, signal = new AbortController().signal, onOut?: (out: string) => void) {
  const r = { out: '', err: '' };
  const code = await run(args, {
    out: (s) => {
      r.out += s;
      onOut?.(r.out);
    },
    err: (s) => (r.err += s),
    env,
    homedir: HOME,
    readStdin: async () => '',
    clock: realClock,
    signal,
    startedAt: 0,
  });
  return { code, ...r };
}

test('drover server serves from etcd until interrupted, with authentication on', etcdTestOptions(), async () => {
  const etcd = await startEtcd();
  const dir = await mkdtemp(join(tmpdir(), 'drover-server-'));
  try {
    const stop = new AbortController();
    let ready!: (url: string) => void;
    const listening = new Promise<string>((r) => (ready = r));
    const tokenFile = join(dir, 'admin.token');
    const serving = drover(['server', '--etcd-endpoints', etcd.endpoints.join(','), '--port', '0', '--log-level', 'error', '--admin-token-file', tokenFile], {}, stop.signal, (out) => {
      const m = /^drover server listening on (\S+) \(etcd (\S+)\), ready in \d+ ms\n/m.exec(out);
      if (m) ready(m[1]!);
    });
    try {
      const url = await Promise.race([listening, serving.then((r) => Promise.reject(new Error(`server exited: ${JSON.stringify(r)}`)))]);
      // The first start created the admin token file; without it the server answers 401.
      const token = (await readFile(tokenFile, 'utf8')).trim();
      assert.equal((await drover(['get', 'jobs'], { DROVER_ADDR: url })).code, 1);
      assert.deepEqual(await drover(['apply', '-f', REDIS], { DROVER_ADDR: url, DROVER_TOKEN: token }), { code: 0, out: 'job.drover.dev/redis created\n', err: '' });
      assert.deepEqual(await drover(['get', 'jobs', '-o', 'name'], { DROVER_ADDR: url, DROVER_TOKEN: token }), { code: 0, out: 'job.drover.dev/redis\n', err: '' });
    } finally {
      stop.abort();
    }
    assert.equal((await serving).code, 0);
  } finally {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
