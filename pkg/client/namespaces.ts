// Namespaces a component needs before it writes into them (drover-system, drover-node-lease).
import { isAlreadyExists, isNotFound } from '../apierrors/status.ts';
import type { Client } from './client.ts';

/** Create the Namespace `name` unless it exists (a concurrent creator winning is fine). */
export async function ensureNamespace(client: Pick<Client, 'resource'>, name: string): Promise<void> {
  const namespaces = client.resource('namespaces');
  try {
    await namespaces.get(name);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
