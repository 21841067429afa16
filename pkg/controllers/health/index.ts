// The health controller's public surface (see README.md).
export { startHealthController, HEALTH_COMPONENT, type HealthController, type HealthControllerOptions } from './health.ts';
export { startHealthComponent, HEALTH_LEASE, type HealthComponentOptions, type ControllerHostDeps } from './component.ts';
export { LeaseObserver, leaseRecord, DEFAULT_TTL_MS, DEFAULT_GRACE_MS, type HeartbeatState, type LeaseObserverOptions } from './observer.ts';
export { HEARTBEAT_CONDITION, REASON_LEASE_EXPIRED, REASON_LEASE_RENEWED, heartbeatCondition, downByHealth, markedDown, markedRenewed } from './nodestatus.ts';
export { markAllocationsLost, markedLost, LOST_DESCRIPTION } from './lost.ts';
export { runElected, ensureNamespace, candidateIdentity, SYSTEM_NAMESPACE, type Elected, type ElectedOptions } from './elected.ts';
export { recordEvent, CLUSTER_EVENT_NAMESPACE, type EventRecord } from './events.ts';
