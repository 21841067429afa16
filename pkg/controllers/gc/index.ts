// The garbage collector (README.md).
export { startGarbageCollector, DEFAULT_GC_KINDS, GC_COMPONENT, type GarbageCollector, type GarbageCollectorOptions } from './collector.ts';
export { startGcComponent, GC_LEASE, type GcComponentOptions } from './component.ts';
export { collectableNow } from './collectable.ts';
export { OwnershipGraph, gcKey, splitGcKey } from './graph.ts';
export { startNamespaceController, NAMESPACE_COMPONENT, type NamespaceController, type NamespaceControllerOptions } from './namespace.ts';
