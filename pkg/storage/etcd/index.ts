// The etcd-backed store (see pkg/storage/README.md).
export { openEtcdStore, type EtcdStoreOptions, type EtcdTls } from './store.ts';
