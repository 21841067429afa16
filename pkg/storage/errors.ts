// Error builders shared by the backends, so both word a failed precondition the same way.
import { StoreError, type KeyValue } from './store.ts';

/** The failed-precondition error: 'NotFound' when absent, else 'Conflict' carrying the current state. */
export function mismatch(key: string, current: KeyValue | undefined): StoreError {
  if (!current) return new StoreError('NotFound', `key ${key} not found`);
  return new StoreError('Conflict', `key ${key} was modified (now at revision ${current.modRevision})`, current);
}
