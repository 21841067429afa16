// The embedded memory store (see pkg/storage/README.md).
export { openMemoryStore, type MemoryStoreOptions } from './store.ts';
