// The Namespace's lifecycle, as kube-apiserver's namespace strategy has it: a new namespace is `Active` and
// carries the `kubernetes` finalizer in spec.finalizers; a delete marks it (deletionTimestamp) and sets it
// `Terminating`, and it is removed only once spec.finalizers and metadata.finalizers are both empty — the
// namespace controller (pkg/controllers/gc/namespace.ts) deletes everything in it, then removes `kubernetes`.
// While it terminates nothing new may be created in it (write.ts checkNamespace) and no finalizer added.
import type { ApiObject } from '../../api/schemas/kind.ts';
import type { AdmissionHook } from './admission.ts';

/** The finalizer the namespace controller removes once the namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';

type NamespaceLike = ApiObject<{ finalizers?: string[] }, { phase?: string }>;

/** The spec finalizers of a Namespace (none for any other kind): they hold its removal like metadata.finalizers. */
export function specFinalizers(obj: ApiObject): string[] {
  return obj.kind === 'Namespace' ? ((obj as NamespaceLike).spec?.finalizers ?? []) : [];
}

/**
 * Mark a Namespace being deleted as Terminating, holding the `kubernetes` finalizer (a namespace stored before
 * Drover added it on create gets it here, so its contents are deleted all the same). No-op for other kinds.
 */
export function markTerminating(obj: ApiObject): void {
  if (obj.kind !== 'Namespace') return;
  const ns = obj as NamespaceLike;
  const fins = ns.spec?.finalizers ?? [];
  if (!fins.includes(NAMESPACE_FINALIZER)) ns.spec = { ...(ns.spec ?? {}), finalizers: [...fins, NAMESPACE_FINALIZER] };
  ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
}

/** The admission hook of Namespace. */
export const namespaceLifecycle: AdmissionHook = {
  kinds: ['Namespace'],
  mutate(op, obj, old) {
    const ns = obj as NamespaceLike;
    if (op === 'CREATE') {
      const fins = ns.spec?.finalizers ?? [];
      ns.spec = { ...(ns.spec ?? {}), finalizers: fins.includes(NAMESPACE_FINALIZER) ? fins : [...fins, NAMESPACE_FINALIZER] };
      ns.status = { phase: 'Active' };
      return;
    }
    // The phase follows the deletion, whatever a writer of the status sends.
    if (op === 'UPDATE' && old) ns.status = { ...(ns.status ?? {}), phase: old.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
  },
  validate(op, obj, old) {
    if (op !== 'UPDATE' || !old?.metadata.deletionTimestamp) return [];
    const had = new Set(specFinalizers(old));
    const added = specFinalizers(obj).filter((f) => !had.has(f));
    return added.length === 0
      ? []
      : [{ reason: 'FieldValueForbidden', field: 'spec.finalizers', message: `Forbidden: no new finalizers can be added if the namespace is being deleted, found new finalizers ${JSON.stringify(added)}` }];
  },
};
