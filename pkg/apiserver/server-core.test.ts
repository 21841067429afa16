// The core group (/api/v1) over the memory store; test/etcd/core-kinds.test.ts runs the same suite over etcd.
import { openMemoryStore } from '../storage/memory/index.ts';
import { runCoreKindsSuite } from './core-kinds.test-support.ts';

runCoreKindsSuite('memory', async () => {
  const store = await openMemoryStore();
  return { store, cleanup: () => store.close() };
});
