// The cost of encryption at rest: Secret creates/s through the API server (fastify inject, 16 in flight, one
// process, volatile memory store) with the encrypting store vs without it, rounds alternated, in the same run;
// and the raw limit of the cipher itself — AES-256-GCM seals/s of the same stored bytes through the transformer.
// `node --import tsx hack/bench/encryption.ts [--full] [--set creates=20000]`
import { performance } from 'node:perf_hooks';
import { kinds } from '../../api/schemas/index.ts';
import { createApiServer } from '../../pkg/apiserver/server.ts';
import { encryptingStore, parseEncryptionConfig, ValueTransformer } from '../../pkg/encryption/index.ts';
import { generateEncryptionConfig } from '../../pkg/encryption/config.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { openMemoryStore } from '../../pkg/storage/memory/index.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { report } from './lib/result.ts';

const args = parseBenchArgs();
const n = Number(args.set.creates ?? (args.full ? 20_000 : 3_000));
const inFlight = 16;
const rounds = 3;
watchdog(600_000, 'encryption');

const transformer = () =>
  new ValueTransformer(parseEncryptionConfig(generateEncryptionConfig(['secrets']), (r) => (r === 'secrets' ? '/registry/secrets/' : undefined)));

const secret = (i: number) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}` }, type: 'Opaque', data: { password: Buffer.from(`value-${i}-`.repeat(8)).toString('base64'), user: 'YWRtaW4=' } });

/** Secret creates/s through a fresh API server, encrypted or not. */
async function createsPerSecond(encrypted: boolean): Promise<number> {
  const raw = await openMemoryStore();
  const store = encrypted ? encryptingStore(raw, transformer()) : raw;
  const api = await createApiServer({ store, logger: silentLogger, kinds, compactionIntervalMs: 0 });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const res = await api.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/secrets', payload: secret(i), headers: { 'content-type': 'application/json' } });
      if (res.statusCode !== 201) throw new Error(`create ${i}: ${res.statusCode} ${res.body}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const rate = (n / (performance.now() - t0)) * 1000;
  await api.close();
  await raw.close();
  return rate;
}

/** Seals/s of stored Secret bytes: the cipher alone. */
function sealsPerSecond(): number {
  const t = transformer();
  const value = secret(1).replace('"metadata":{', '"metadata":{"uid":"0f8fad5b-d9cb-469f-a165-70867728950e","creationTimestamp":"2026-12-04T00:00:00Z",');
  const count = n * 10;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) t.seal(`/registry/secrets/default/s-${i}`, value);
  return (count / (performance.now() - t0)) * 1000;
}

const plain: number[] = [];
const enc: number[] = [];
for (let r = 0; r < rounds; r++) {
  plain.push(await createsPerSecond(false));
  enc.push(await createsPerSecond(true));
}
const bestPlain = Math.max(...plain);
const bestEnc = Math.max(...enc);
const seals = sealsPerSecond();
await report({
  name: 'encryption',
  title: `Encryption at rest: ${n.toLocaleString('en-US')} Secret creates through the API`,
  setup: `fastify inject, ${inFlight} in flight, volatile memory store, one process; best of ${rounds} alternated rounds each`,
  figures: [
    { label: 'Secret creates/s, encrypted (aesgcm)', value: bestEnc, unit: '/s' },
    { label: 'Secret creates/s, plaintext store', value: bestPlain, unit: '/s' },
    { label: 'raw limit: AES-256-GCM seals/s of a stored Secret', value: seals, unit: '/s' },
  ],
  ratio: { value: bestEnc / bestPlain, meaning: 'encrypted creates/s / plaintext creates/s (1 = free)' },
  target: { text: 'encryption costs at most 10% of create throughput', met: bestEnc / bestPlain >= 0.9 },
  notes: [`rounds plaintext ${plain.map((v) => v.toFixed(0)).join(', ')}; encrypted ${enc.map((v) => v.toFixed(0)).join(', ')}`],
});
