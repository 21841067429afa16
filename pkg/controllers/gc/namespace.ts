// The namespace controller: empties a Namespace being deleted, then lets it go. For a namespace with a
// deletionTimestamp and the `kubernetes` finalizer in spec.finalizers it deletes every object of every namespaced
// kind in it (background propagation, uid-preconditioned; allocations too, so their node agents stop the tasks —
// the evaluator cannot create evaluations in a terminating namespace), checks again after `pollMs` until none is
// left (objects held by finalizers keep it Terminating, as in Kubernetes), and then removes `kubernetes`; the API
// server removes the namespace once no finalizer is left (pkg/apiserver/namespace-lifecycle.ts).
import { kinds as registry, type Namespace } from '../../../api/schemas/index.ts';
import type { KindInfo } from '../../../api/schemas/kind.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import { NAMESPACE_FINALIZER } from '../../apiserver/namespace-lifecycle.ts';
import { informersOf, startController, type ControllerHost, type ReconcileResult, type WorkQueue } from '../runtime/index.ts';

/** The component name (logs, work-queue metrics). */
export const NAMESPACE_COMPONENT = 'namespace-controller';

/** Options of startNamespaceController. */
export interface NamespaceControllerOptions extends ControllerHost {
  /** Kinds whose objects a terminating namespace is emptied of (default: every namespaced kind of the registry). */
  kinds?: KindInfo[];
  /** How soon a namespace not yet empty is checked again (default 1 s). */
  pollMs?: number;
  signal?: AbortSignal;
}

/** A running namespace controller. */
export interface NamespaceController {
  readonly queue: WorkQueue<string>;
  reconcile(name: string): Promise<ReconcileResult | void>;
  stop(): Promise<void>;
}

/** Watch namespaces and empty those being deleted until stopped. */
export async function startNamespaceController(opts: NamespaceControllerOptions): Promise<NamespaceController> {
  const log = opts.logger.child({ controller: NAMESPACE_COMPONENT });
  const { informers, owned } = informersOf(opts);
  const namespaces = informers.informer<Namespace>('namespaces');
  const contentKinds = (opts.kinds ?? registry).filter((k) => k.namespaced);
  const pollMs = opts.pollMs ?? 1000;

  const reconcile = async (name: string): Promise<ReconcileResult | void> => {
    const ns = namespaces.get(undefined, name);
    if (!ns?.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
    let remaining = 0;
    for (const kind of contentKinds) {
      const rc = opts.client.resource(kind);
      const { items } = await rc.listAll({ namespace: name });
      remaining += items.length;
      for (const obj of items) {
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await rc.delete(obj.metadata.name, { namespace: name, preconditions: { uid: obj.metadata.uid }, propagationPolicy: 'Background' });
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
    }
    if (remaining > 0) {
      log.debug('namespace not yet empty', { namespace: name, remaining });
      return { requeueAfter: pollMs };
    }
    try {
      await opts.client.resource<Namespace>('namespaces').update({ ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) } });
      log.info('namespace emptied', { namespace: name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const controller = await startController({
    name: NAMESPACE_COMPONENT,
    clock: opts.clock,
    logger: opts.logger,
    metrics: opts.metrics,
    signal: opts.signal,
    workers: 1,
    informers: { namespaces },
    keys: { namespaces: (ns: Namespace) => (ns.metadata.deletionTimestamp ? ns.metadata.name : undefined) },
    reconcile: (name) => reconcile(name),
  });
  return {
    queue: controller.queue,
    reconcile,
    async stop() {
      await controller.stop();
      if (owned) informers.stop();
    },
  };
}
