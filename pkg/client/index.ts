// The client package's public surface (see README.md).
export { createClient } from './client.ts';
export type { Client, ClientOptions, ResourceClient, ObjectList, ListOptions, WatchOptions, PatchType, Preconditions, VersionInfo } from './client.ts';
export { createInformer } from './informer.ts';
export type { Informer, InformerOptions, InformerHandlers } from './informer.ts';
export type { WatchEvent, WatchHandler, WatchHandle } from './watch.ts';
export { NetworkError, isNetworkError } from './errors.ts';
export { serverList } from './failover.ts';
export { resolveKind, findKind } from './kinds.ts';
export { SharedInformerFactory } from './shared-informer.ts';
export type { SharedInformer, IndexDefinition, EventHandlers, HandlerOptions, InformerFactoryDeps } from './shared-informer.ts';
