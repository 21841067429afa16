// `drover describe secret`: kubectl's secret describer — the type and each key's size, never a value. The
// last-applied-configuration annotation (a client-side `kubectl apply` copies the whole Secret into it) is left out.
import type { ApiObject } from '../../../api/schemas/kind.ts';

/** The annotation holding a client-side apply's copy of the object (values included). */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The describe text of a Secret, given the generic describer for its metadata. */
export function describeSecret(obj: ApiObject, now: number, describeObject: (o: ApiObject, now: number) => string): string {
  const { [LAST_APPLIED]: _copy, ...annotations } = obj.metadata.annotations ?? {};
  const head = describeObject({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { ...obj.metadata, annotations } }, now);
  const secret = obj as ApiObject & { type?: string; data?: Record<string, string> };
  const data = Object.entries(secret.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(0, ...data.map(([k]) => k.length + 1)) + 2;
  const rows = data.map(([k, v]) => `${(k + ':').padEnd(width)}${Buffer.from(v, 'base64').length} bytes`);
  return `${head}\nType:  ${secret.type ?? 'Opaque'}\n\nData\n====\n${rows.length > 0 ? rows.join('\n') + '\n' : ''}`;
}
