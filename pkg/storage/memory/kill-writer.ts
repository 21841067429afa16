// Child process of kill.test.ts: writes keys as fast as it can and prints each one once acknowledged,
// until it is killed. Usage: node --import tsx kill-writer.ts <dataDir> <tag>
import { openMemoryStore } from './store.ts';

const [dataDir, tag] = process.argv.slice(2) as [string, string];
// A small snapshot interval, so kills also land during snapshots and log truncation.
const store = await openMemoryStore({ dataDir, snapshotBytes: 32 * 1024 });
let next = 0;
const worker = async (): Promise<never> => {
  for (;;) {
    const key = `/${tag}/${String(next++).padStart(7, '0')}`;
    const kv = await store.create(key, `value of ${key} `.repeat(8));
    process.stdout.write(`${kv.key} ${kv.modRevision}\n`);
  }
};
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 8 }, worker));
