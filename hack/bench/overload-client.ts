// The load of the overload benchmark (issue 10, "fair sharing under load"), in its own process: `listers`
// list+watch clients (each: LIST every allocation, then WATCH from that resourceVersion for 1–4 s, again) and
// `writers` writers (each: create one ConfigMap, then PUT it in a loop), for `durationMs`. Each client is a
// well-behaved one: a 429 is counted and waited out for its Retry-After (at least 1 s), as the Drover client does.
// Sends { result: OverloadLoadResult }.
import { Agent, request } from 'undici';
import { sendResult } from './lib/child.ts';
import { LatencyHistogram } from './lib/stats.ts';

/** What the parent passes (JSON in argv[2]). */
export interface OverloadClientArgs {
  url: string;
  listers: number;
  writers: number;
  durationMs: number;
}

/** What the load saw. */
export interface OverloadLoadResult {
  lists: number;
  listP50Ms: number;
  listP99Ms: number;
  listMaxMs: number;
  list429: number;
  listErrors: number;
  watches: number;
  watch429: number;
  writes: number;
  writeP99Ms: number;
  write429: number;
  writeErrors: number;
  firstError?: string;
}

const args = JSON.parse(process.argv[2]!) as OverloadClientArgs;
const dispatcher = new Agent({ connections: null, keepAliveTimeout: 30_000, pipelining: 1 });
const deadline = performance.now() + args.durationMs;
const listHist = new LatencyHistogram(120_000);
const writeHist = new LatencyHistogram(120_000);
const r: OverloadLoadResult = { lists: 0, listP50Ms: 0, listP99Ms: 0, listMaxMs: 0, list429: 0, listErrors: 0, watches: 0, watch429: 0, writes: 0, writeP99Ms: 0, write429: 0, writeErrors: 0 };
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const retryAfterMs = (h: unknown) => Math.max(1, Number(h ?? 1) || 1) * 1000;
const noteError = (e: unknown) => {
  r.firstError ??= String(e instanceof Error ? e.message : e).slice(0, 200);
};

async function lister(i: number): Promise<void> {
  const ua = `drover-bench/lister-${i}`;
  await sleep(Math.random() * 2000);
  while (performance.now() < deadline) {
    const t0 = performance.now();
    let rv = '';
    try {
      const res = await request(`${args.url}/apis/drover.dev/v1/allocations`, { dispatcher, headers: { 'user-agent': ua, accept: 'application/json' }, headersTimeout: 120_000, bodyTimeout: 120_000 });
      // Only the head is looked at (the list's resourceVersion); the rest is read and dropped, so the load
      // generator spends its CPU on the sockets rather than on building 10 MB strings.
      let head = '';
      for await (const chunk of res.body) if (head.length < 400) head += (chunk as Buffer).toString('utf8', 0, Math.min((chunk as Buffer).length, 400));
      if (res.statusCode === 429) {
        r.list429++;
        await sleep(retryAfterMs(res.headers['retry-after']));
        continue;
      }
      if (res.statusCode !== 200) throw new Error(`LIST: HTTP ${res.statusCode} ${head.slice(0, 100)}`);
      listHist.record(performance.now() - t0);
      r.lists++;
      rv = /"resourceVersion":"(\d+)"/.exec(head)?.[1] ?? '';
    } catch (e) {
      r.listErrors++;
      noteError(e);
      await sleep(1000);
      continue;
    }
    const seconds = 1 + Math.floor(Math.random() * 4);
    try {
      const res = await request(`${args.url}/apis/drover.dev/v1/allocations?watch=1&resourceVersion=${rv}&timeoutSeconds=${seconds}`, { dispatcher, headers: { 'user-agent': ua }, headersTimeout: 120_000, bodyTimeout: 0 });
      if (res.statusCode === 429) {
        r.watch429++;
        await res.body.dump();
        await sleep(retryAfterMs(res.headers['retry-after']));
        continue;
      }
      r.watches++;
      for await (const _chunk of res.body) {
        if (performance.now() > deadline) break;
      }
      res.body.destroy();
    } catch (e) {
      noteError(e);
    }
  }
}

async function writer(i: number): Promise<void> {
  const ua = `drover-bench/writer-${i}`;
  const name = `overload-${i}`;
  const base = `${args.url}/api/v1/namespaces/default/configmaps`;
  let current: { metadata: { resourceVersion?: string } } | undefined;
  let n = 0;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      const body = JSON.stringify(current
        ? { ...current, data: { n: String(++n), pad: 'x'.repeat(2000) } }
        : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { n: '0' } });
      const res = current
        ? await request(`${base}/${name}`, { method: 'PUT', dispatcher, body, headers: { 'user-agent': ua, 'content-type': 'application/json' }, headersTimeout: 120_000, bodyTimeout: 120_000 })
        : await request(base, { method: 'POST', dispatcher, body, headers: { 'user-agent': ua, 'content-type': 'application/json' }, headersTimeout: 120_000, bodyTimeout: 120_000 });
      const text = await res.body.text();
      if (res.statusCode === 429) {
        r.write429++;
        await sleep(retryAfterMs(res.headers['retry-after']));
        continue;
      }
      if (res.statusCode === 409) {
        // Created by an earlier run or lost a race: read it again.
        const got = await request(`${base}/${name}`, { dispatcher, headers: { 'user-agent': ua } });
        current = got.statusCode === 200 ? JSON.parse(await got.body.text()) : (await got.body.dump(), undefined);
        continue;
      }
      if (res.statusCode >= 300) throw new Error(`write: HTTP ${res.statusCode} ${text.slice(0, 100)}`);
      current = JSON.parse(text);
      writeHist.record(performance.now() - t0);
      r.writes++;
    } catch (e) {
      r.writeErrors++;
      noteError(e);
      await sleep(1000);
    }
  }
}

await Promise.all([
  ...Array.from({ length: args.listers }, (_, i) => lister(i)),
  ...Array.from({ length: args.writers }, (_, i) => writer(i)),
]);
Object.assign(r, { listP50Ms: listHist.percentile(50), listP99Ms: listHist.percentile(99), listMaxMs: listHist.max, writeP99Ms: writeHist.percentile(99) });
await sendResult(r);
await dispatcher.destroy();
process.exit(0);
