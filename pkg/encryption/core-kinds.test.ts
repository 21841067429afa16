// The whole core-group suite (CRUD, Secret rules, watches through the watch cache) over an encrypting memory
// store: the API server cannot tell it from a plain one.
import { runCoreKindsSuite } from '../apiserver/core-kinds.test-support.ts';
import { openMemoryStore } from '../storage/memory/index.ts';
import { encryptingStore } from './encrypting-store.ts';
import { newKey, transformerOf } from './test-support.ts';

runCoreKindsSuite('encrypted memory', async () => {
  const raw = await openMemoryStore();
  return { store: encryptingStore(raw, transformerOf([newKey('key1')])), cleanup: () => raw.close() };
});
