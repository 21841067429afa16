// Recording Events about cluster objects, so `drover describe node X` tells what the controllers did to it.
// Best effort: an Event that cannot be written is logged, never a reason to fail or retry a reconcile.
import { API_VERSION, type ApiObject } from '../../../api/schemas/kind.ts';
import { CORE_API_VERSION } from '../../../api/schemas/core.ts';
import { rfc3339 } from '../../../api/schemas/timestamp.ts';
import type { Client } from '../../client/client.ts';
import type { Logger } from '../../log/logger.ts';

/** Namespace of Events about cluster-scoped objects (Kubernetes puts them in "default" too). */
export const CLUSTER_EVENT_NAMESPACE = 'default';

/** One Event to record. */
export interface EventRecord {
  /** The object it is about. */
  object: Pick<ApiObject, 'kind' | 'metadata'>;
  reason: string;
  message: string;
  type?: 'Normal' | 'Warning';
  /** The reporting component, e.g. `health-controller`. */
  component: string;
  /** Our clock, ms since the epoch. */
  now: number;
}

/** Create an Event about `r.object`; failures are logged and swallowed. */
export async function recordEvent(client: Pick<Client, 'resource'>, logger: Logger, r: EventRecord): Promise<void> {
  const { kind, metadata } = r.object;
  const namespace = metadata.namespace || CLUSTER_EVENT_NAMESPACE;
  const at = rfc3339(r.now);
  try {
    await client.resource('events').create({
      apiVersion: CORE_API_VERSION,
      kind: 'Event',
      metadata: { generateName: `${metadata.name}.`, namespace },
      involvedObject: { apiVersion: API_VERSION, kind, name: metadata.name, namespace: metadata.namespace, uid: metadata.uid },
      reason: r.reason,
      message: r.message,
      type: r.type ?? 'Normal',
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component: r.component },
    } as unknown as ApiObject);
  } catch (err) {
    logger.warn('could not record event', { reason: r.reason, object: metadata.name, err: err instanceof Error ? err.message : err });
  }
}
