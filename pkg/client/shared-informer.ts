// One informer per kind per process, shared by every controller and the scheduler's workers in it (client-go's
// SharedInformerFactory): each kind is listed and watched once and cached once, however many controllers read it.
// A shared informer keeps named indexes (allocations by node, by job, ...) that it updates before any handler
// runs, so a handler that asks an index sees the event it is handling. Controllers come and go (a leader-elected
// one runs only during its terms): a handler registered after the first list is handed every cached object as
// an `add` first, as if it had been there from the start, and it unregisters when its controller stops.
// It lives in pkg/client beside the informer it wraps, so the scheduler's workers share it without depending on
// the controllers; pkg/controllers/runtime re-exports it.
import type { ApiObject } from '../../api/schemas/kind.ts';
import type { Client } from './client.ts';
import { createInformer, type Informer, type InformerHandlers } from './informer.ts';
import type { Clock, Timer } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';

/** A named index: the index values an object is filed under (none to leave it out). */
export interface IndexDefinition<T> {
  readonly name: string;
  readonly values: (obj: T) => readonly string[];
}

/** Handlers for a shared informer; any may be left out. */
export type EventHandlers<T> = Partial<InformerHandlers<T>>;

/** Options of one handler registration. */
export interface HandlerOptions {
  /** Re-deliver every cached object to this handler as `update(obj, obj)` this often (0/unset = never). */
  resyncMs?: number;
}

/** A process-wide cache of one kind: read it, index it, subscribe to it. */
export interface SharedInformer<T extends ApiObject = ApiObject> {
  /** The plural this informer follows. */
  readonly kind: string;
  /** Subscribe. If the cache is already listed, `add` is called for every cached object first. Returns an unsubscribe. */
  addEventHandler(handlers: EventHandlers<T>, opts?: HandlerOptions): () => void;
  /** One event (same replay rule as addEventHandler); returns an unsubscribe. Fits runtime's EventSource. */
  on<E extends keyof InformerHandlers<T>>(event: E, fn: InformerHandlers<T>[E]): () => void;
  /** Add an index (idempotent for the same definition; a different one under a taken name throws). */
  addIndex(def: IndexDefinition<T>): void;
  /** The cached objects filed under `value` in index `def`. */
  byIndex(def: IndexDefinition<T>, value: string): T[];
  /** How many cached objects are filed under `value` in index `def`. */
  countByIndex(def: IndexDefinition<T>, value: string): number;
  /** Start (once per process: later calls only wait); resolves when the first list is cached. */
  start(): Promise<void>;
  hasSynced(): boolean;
  get(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  /** The resourceVersion of the last list, event or bookmark seen ('' before the first list). */
  lastSyncResourceVersion(): string;
}

/** What the factory needs. */
export interface InformerFactoryDeps {
  client: Client;
  clock: Clock;
  logger: Logger;
}

/** Creates each (kind, namespace) informer once; stop() ends them all. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformerImpl<ApiObject>>();
  private stopped = false;

  constructor(private readonly deps: InformerFactoryDeps) {}

  /** The shared informer of `kind` (a plural, e.g. `allocations`), optionally of one namespace only. */
  informer<T extends ApiObject>(kind: string, opts: { namespace?: string } = {}): SharedInformer<T> {
    if (this.stopped) throw new Error('the informer factory is stopped');
    const id = `${kind}/${opts.namespace ?? ''}`;
    let inf = this.informers.get(id);
    if (!inf) {
      const base = createInformer<ApiObject>({ client: this.deps.client, kind, namespace: opts.namespace, clock: this.deps.clock, logger: this.deps.logger });
      inf = new SharedInformerImpl(kind, base, this.deps.clock, this.deps.logger);
      this.informers.set(id, inf);
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Start every informer created so far; resolves when all have listed. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  /** The informers created, by `kind/namespace` (for metrics and tests). */
  created(): string[] {
    return [...this.informers.keys()];
  }

  /** Stop every informer (the caches keep their contents). */
  stop(): void {
    this.stopped = true;
    for (const i of this.informers.values()) i.stop();
  }
}

interface Registration<T> {
  handlers: EventHandlers<T>;
  resync?: Timer;
}

class SharedInformerImpl<T extends ApiObject> implements SharedInformer<T> {
  private readonly registrations = new Set<Registration<T>>();
  private readonly indexes = new Map<string, { def: IndexDefinition<T>; byValue: Map<string, Map<string, T>> }>();
  private started?: Promise<void>;

  constructor(
    readonly kind: string,
    private readonly base: Informer<T>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    // The one subscription on the underlying informer: indexes first, then every registered handler.
    base.on('add', (obj) => {
      this.index(undefined, obj);
      this.dispatch('add', (h) => h.add?.(obj));
    });
    base.on('update', (old, obj) => {
      this.index(old, obj);
      this.dispatch('update', (h) => h.update?.(old, obj));
    });
    base.on('delete', (obj) => {
      this.index(obj, undefined);
      this.dispatch('delete', (h) => h.delete?.(obj));
    });
    base.on('progress', (rv) => this.dispatch('progress', (h) => h.progress?.(rv)));
  }

  addEventHandler(handlers: EventHandlers<T>, opts: HandlerOptions = {}): () => void {
    const reg: Registration<T> = { handlers };
    // Replay and registration happen in one synchronous step, so no event falls between them.
    if (this.base.hasSynced() && handlers.add) for (const obj of this.base.list()) this.call('add', () => handlers.add!(obj));
    this.registrations.add(reg);
    if (opts.resyncMs && opts.resyncMs > 0) this.scheduleResync(reg, opts.resyncMs);
    return () => {
      reg.resync?.cancel();
      this.registrations.delete(reg);
    };
  }

  on<E extends keyof InformerHandlers<T>>(event: E, fn: InformerHandlers<T>[E]): () => void {
    return this.addEventHandler({ [event]: fn } as EventHandlers<T>);
  }

  addIndex(def: IndexDefinition<T>): void {
    const have = this.indexes.get(def.name);
    if (have) {
      if (have.def !== def) throw new Error(`informer ${this.kind}: index ${def.name} is already defined differently`);
      return;
    }
    const entry = { def, byValue: new Map<string, Map<string, T>>() };
    this.indexes.set(def.name, entry);
    for (const obj of this.base.list()) for (const v of def.values(obj)) file(entry.byValue, v, obj);
  }

  byIndex(def: IndexDefinition<T>, value: string): T[] {
    return [...(this.entry(def).byValue.get(value)?.values() ?? [])];
  }

  countByIndex(def: IndexDefinition<T>, value: string): number {
    return this.entry(def).byValue.get(value)?.size ?? 0;
  }

  start(): Promise<void> {
    this.started ??= this.base.start();
    return this.started;
  }

  stop(): void {
    for (const reg of this.registrations) reg.resync?.cancel();
    this.base.stop();
  }

  hasSynced = () => this.base.hasSynced();
  get = (namespace: string | undefined, name: string) => this.base.get(namespace, name);
  list = () => this.base.list();
  lastSyncResourceVersion = () => this.base.lastSyncResourceVersion();

  private entry(def: IndexDefinition<T>) {
    const e = this.indexes.get(def.name);
    if (!e || e.def !== def) throw new Error(`informer ${this.kind}: no index ${def.name} (call addIndex first)`);
    return e;
  }

  /** Move an object between index buckets: `old` out, `obj` in (either may be absent). */
  private index(old: T | undefined, obj: T | undefined): void {
    for (const { def, byValue } of this.indexes.values()) {
      if (old) for (const v of def.values(old)) unfile(byValue, v, old);
      if (obj) for (const v of def.values(obj)) file(byValue, v, obj);
    }
  }

  private dispatch(event: string, fn: (h: EventHandlers<T>) => void): void {
    for (const reg of this.registrations) this.call(event, () => fn(reg.handlers));
  }

  private call(event: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // One controller's bug must not starve the others sharing this informer.
      this.logger.error('informer handler failed', { informer: this.kind, event, err });
    }
  }

  private scheduleResync(reg: Registration<T>, ms: number): void {
    reg.resync = this.clock.setTimeout(() => {
      if (!this.registrations.has(reg)) return;
      if (reg.handlers.update) for (const obj of this.base.list()) this.call('update', () => reg.handlers.update!(obj, obj));
      this.scheduleResync(reg, ms);
    }, ms);
  }
}

function keyOf(obj: ApiObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function file<T extends ApiObject>(m: Map<string, Map<string, T>>, value: string, obj: T): void {
  let bucket = m.get(value);
  if (!bucket) m.set(value, (bucket = new Map()));
  bucket.set(keyOf(obj), obj);
}

function unfile<T extends ApiObject>(m: Map<string, Map<string, T>>, value: string, obj: T): void {
  const bucket = m.get(value);
  if (!bucket) return;
  bucket.delete(keyOf(obj));
  if (bucket.size === 0) m.delete(value);
}
