// The health controller's metrics (in the host's registry; one set per registry, shared by successive terms).
import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the partial-disruption rule and the control plane's own progress. */
export interface HealthMetrics {
  /** 0 normal, 1 partial disruption, 2 full disruption (of the node leases, as last judged). */
  disruption: Gauge;
  /** Times marking a node down was held back by the disruption rule. */
  deferred: Counter;
  /** Seconds the control plane was stalled (not counted as any node's silence). */
  stalledSeconds: Counter;
}

function metric<T>(registry: Registry | undefined, name: string, make: (registers: Registry[]) => T): T {
  const existing = registry?.getSingleMetric(name);
  return (existing as T | undefined) ?? make(registry ? [registry] : []);
}

/** The metrics, registered in `registry` once (or unregistered when there is none). */
export function healthMetrics(registry?: Registry): HealthMetrics {
  return {
    disruption: metric(registry, 'drover_node_health_disruption_state', (registers) => new Gauge({ name: 'drover_node_health_disruption_state', help: 'Node lease disruption as the health controller last judged it: 0 normal, 1 partial, 2 full.', registers })),
    deferred: metric(registry, 'drover_node_health_down_deferred_total', (registers) => new Counter({ name: 'drover_node_health_down_deferred_total', help: 'Times marking a node down was held back by the partial-disruption rule.', registers })),
    stalledSeconds: metric(registry, 'drover_node_health_control_plane_stalled_seconds_total', (registers) => new Counter({ name: 'drover_node_health_control_plane_stalled_seconds_total', help: 'Seconds the control plane was stalled (its own ticker late); not counted as node silence.', registers })),
  };
}

export const DISRUPTION_VALUE = { normal: 0, partial: 1, full: 2 } as const;
