// TLS with client certificates to a real etcd (--client-cert-auth): the store works with the CA and a client
// certificate, is refused without one or with an untrusted CA, and `drover server --etcd-cafile --etcd-certfile
// --etcd-keyfile` serves from it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../pkg/clock/clock.ts';
import { openEtcdStore } from '../../pkg/storage/etcd/store.ts';
import { isStoreError } from '../../pkg/storage/store.ts';
import { createCa } from '../../pkg/tls/index.ts';
import { run } from '../../cmd/drover/program.ts';
import { etcdTestOptions, startEtcd, type EtcdCluster } from '../support/etcd.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A home of this file's own: `drover dev` writes its CLI context there, `drover server` its admin token.
const HOME = mkdtempSync(join(tmpdir(), 'drover-home-'));
const TOKEN = 'drover_etcd-tls-test-admin';

let etcd: EtcdCluster | undefined;
const opts = etcdTestOptions();
before(async () => {
  if (!opts.skip) etcd = await startEtcd({ tls: true });
});
after(async () => {
  await etcd?.stop();
});

test('the etcd store over TLS with a client certificate: writes, reads and watches', opts, async () => {
  const tls = etcd!.tls!;
  assert.match(etcd!.endpoints[0]!, /^https:/);
  const store = await openEtcdStore({ endpoints: etcd!.endpoints, prefix: '/tls-a', tls: { caPem: tls.caPem, certPem: tls.certPem, keyPem: tls.keyPem } });
  try {
    const seen = new Promise<string>((resolve, reject) => {
      const w = store.watch('/k', 1, { onEvents: (evs) => (w.cancel(), resolve(evs[0]!.kv.value)), onError: reject });
    });
    const kv = await store.create('/k/1', 'over-tls');
    assert.equal((await store.get('/k/1')).kv?.modRevision, kv.modRevision);
    assert.equal(await seen, 'over-tls');
  } finally {
    await store.close();
  }
});

test('without a client certificate, or trusting another CA, etcd cannot be reached', opts, async () => {
  const tls = etcd!.tls!;
  for (const t of [{ caPem: tls.caPem }, { caPem: createCa({ commonName: 'other', now: new Date() }).certPem, certPem: tls.certPem, keyPem: tls.keyPem }]) {
    const err = await openEtcdStore({ endpoints: etcd!.endpoints, dialTimeoutMs: 1500, tls: t }).catch((e: unknown) => e);
    assert.ok(isStoreError(err, 'Unavailable'), String(err));
  }
});

test('drover server --etcd-cafile --etcd-certfile --etcd-keyfile serves from a TLS etcd', opts, async () => {
  const tls = etcd!.tls!;
  const stop = new AbortController();
  const r = { out: '', err: '' };
  let ready!: (url: string) => void;
  const listening = new Promise<string>((res) => (ready = res));
  const io = (signal: AbortSignal, onOut?: () => void) => ({
    out: (s: string) => ((r.out += s), onOut?.()), err: (s: string) => void (r.err += s), env: {}, homedir: HOME,
    readStdin: async () => '', clock: realClock, signal, startedAt: 0,
  });
  const serving = run(['server', '--etcd-endpoints', etcd!.endpoints.join(','), '--etcd-cafile', tls.caFile, '--etcd-certfile', tls.certFile, '--etcd-keyfile', tls.keyFile, '--port', '0', '--log-level', 'error', '--admin-token', TOKEN], io(stop.signal, () => {
    const m = / listening on (\S+) /.exec(r.out);
    if (m) ready(m[1]!);
  }));
  try {
    const url = await Promise.race([listening, serving.then((code) => Promise.reject(new Error(`server exited ${code}: ${r.err}`)))]);
    const out = { out: '', err: '' };
    const code = await run(['get', 'namespaces', '-o', 'name', '--server', url, '--token', TOKEN], { ...io(new AbortController().signal), out: (s) => void (out.out += s), err: (s) => void (out.err += s) });
    assert.equal(code, 0, out.err);
    assert.match(out.out, /^namespace\/default$/m);
  } finally {
    stop.abort();
    assert.equal(await serving, 0, r.err);
  }
  const half = { out: '', err: '' };
  const code = await run(['server', '--etcd-endpoints', etcd!.endpoints.join(','), '--etcd-certfile', tls.certFile, '--etcd-keyfile', tls.keyFile, '--port', '0'], { ...io(new AbortController().signal), out: (s) => void (half.out += s), err: (s) => void (half.err += s) });
  assert.equal(code, 1);
  assert.match(half.err, /--etcd-certfile needs --etcd-cafile/);
});
