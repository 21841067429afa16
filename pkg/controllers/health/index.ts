// The health controller's public surface (see README.md).
export { startHealthController, HEALTH_COMPONENT, type HealthController, type HealthControllerOptions } from './health.ts';
export { startHealthComponent, HEALTH_LEASE, type HealthComponentOptions } from './component.ts';
export { LeaseObserver, leaseRecord, DEFAULT_TTL_MS, DEFAULT_GRACE_MS, type HeartbeatState, type LeaseObserverOptions } from './observer.ts';
export { HEARTBEAT_CONDITION, REASON_LEASE_EXPIRED, REASON_LEASE_RENEWED, heartbeatCondition, downByHealth, markedDown, markedRenewed } from './nodestatus.ts';
export { markAllocationsLost, markedLost, LOST_DESCRIPTION } from './lost.ts';
export { recordEvent, CLUSTER_EVENT_NAMESPACE, type EventRecord } from './events.ts';
