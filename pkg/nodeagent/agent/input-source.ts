// The ConfigMaps and Secrets that templates read (`key`, `secret`...), through the agent's API client: one
// informer per kind and namespace, started on first use and shared by every task of the node, so a template
// is re-rendered when an object it read changes (level-based: subscribers re-render and compare the output).
import type { ConfigMap, Secret } from '../../../api/schemas/index.ts';
import type { Client } from '../../client/client.ts';
import { createInformer, type Informer } from '../../client/informer.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { BackoffOptions } from '../../retry/backoff.ts';

/** The kinds a template reads. */
export type InputKind = 'configmaps' | 'secrets';

/** A reference to one object a template read. */
export interface InputRef {
  kind: InputKind;
  namespace: string;
  name: string;
}

/** An input object. */
export type InputObject = ConfigMap | Secret;

/** What templates read their inputs through (TaskInputSource; staticInputs in unit tests). */
export interface InputReader {
  /** The object from the cache, without waiting: `pending` while its kind and namespace are not listed yet. */
  peek(ref: InputRef): InputObject | undefined | 'pending';
  /** Resolves once the objects of `kind` in `namespace` are listed. */
  ready(kind: InputKind, namespace: string): Promise<void>;
  /** Call `fn` whenever the object is added, changed or deleted; returns the unsubscribe function. */
  subscribe(ref: InputRef, fn: () => void): () => void;
}

/** Fixed inputs (unit tests); `set` changes one and notifies its subscribers. */
export function staticInputs(objects: Record<string, InputObject> = {}): InputReader & { set(ref: InputRef, obj: InputObject | undefined): void } {
  const subs = new Map<string, Set<() => void>>();
  return {
    peek: (ref) => objects[refKey(ref)],
    ready: async () => {},
    subscribe(ref, fn) {
      const k = refKey(ref);
      if (!subs.has(k)) subs.set(k, new Set());
      subs.get(k)!.add(fn);
      return () => subs.get(k)!.delete(fn);
    },
    set(ref, obj) {
      if (obj) objects[refKey(ref)] = obj;
      else delete objects[refKey(ref)];
      for (const fn of subs.get(refKey(ref)) ?? []) fn();
    },
  };
}

/** What the source needs. */
export interface TaskInputSourceDeps {
  client: Client;
  logger: Logger;
  clock: Clock;
  backoff?: Partial<BackoffOptions>;
}

/** Reads and watches template inputs through informers. */
export class TaskInputSource implements InputReader {
  private readonly informers = new Map<string, { informer: Informer<InputObject>; synced: Promise<void> }>();
  private readonly subscribers = new Map<string, Set<() => void>>();
  private stopped = false;

  constructor(private readonly deps: TaskInputSourceDeps) {}

  peek(ref: InputRef): InputObject | undefined | 'pending' {
    const entry = this.informerOf(ref.kind, ref.namespace);
    if (!entry.informer.hasSynced()) return 'pending';
    return entry.informer.get(ref.namespace, ref.name);
  }

  async ready(kind: InputKind, namespace: string): Promise<void> {
    await this.informerOf(kind, namespace).synced;
  }

  subscribe(ref: InputRef, fn: () => void): () => void {
    this.informerOf(ref.kind, ref.namespace);
    const key = refKey(ref);
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Stop every informer. */
  stop(): void {
    this.stopped = true;
    for (const { informer } of this.informers.values()) informer.stop();
  }

  private informerOf(kind: InputKind, namespace: string) {
    const key = `${kind}/${namespace}`;
    let entry = this.informers.get(key);
    if (entry) return entry;
    const informer = createInformer<InputObject>({ client: this.deps.client, kind, namespace, logger: this.deps.logger, clock: this.deps.clock, backoff: this.deps.backoff });
    const notify = (o: InputObject) => {
      for (const fn of this.subscribers.get(refKey({ kind, namespace, name: o.metadata.name })) ?? []) fn();
    };
    informer.on('add', notify);
    informer.on('update', (_old, o) => notify(o));
    informer.on('delete', notify);
    entry = { informer, synced: this.stopped ? Promise.resolve() : informer.start() };
    this.informers.set(key, entry);
    return entry;
  }
}

function refKey(ref: InputRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}
