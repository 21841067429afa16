// The Store over a real etcd 3.4+ cluster, through npm etcd3.
import { Etcd3, isRecoverableError, type IOptions, type IRequestOp, type ITxnResponse } from 'etcd3';
import { realClock, type Clock } from '../../clock/clock.ts';
import { silentLogger, type Logger } from '../../log/logger.ts';
import { backoffDelay } from '../../retry/backoff.ts';
import { mismatch } from '../errors.ts';
import { checkStartKey, checkTxn } from '../limits.ts';
import {
  StoreError,
  type Compare,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreHealth,
  type TxnOp,
  type TxnResult,
  type Watch,
  type WatchHandlers,
} from '../store.ts';
import { HostDownError, isUnavailable, mapEtcdError, neverSent } from './errors.ts';
import { KeySpace } from './keys.ts';
import { PageSizer, rangePaged } from './list.ts';
import { EtcdWatch } from './watch.ts';

/** Options of the etcd store. */
export interface EtcdStoreOptions {
  /** Client URLs or host:port of the members. */
  endpoints: string[];
  /** Prepended to every key (isolates several stores on one cluster). Default ''. */
  prefix?: string;
  logger?: Logger;
  clock?: Clock;
  /** How long `openEtcdStore` waits for a member to answer (default 10 s). */
  dialTimeoutMs?: number;
  /** gRPC deadline of each unary call (default 15 s). */
  requestTimeoutMs?: number;
  /** TLS to etcd: the CA that signed the members' certificates, and a client certificate when etcd requires one. */
  tls?: EtcdTls;
}

/** PEM material of the etcd client's TLS (etcd's --trusted-ca-file / --client-cert-auth on the other side). */
export interface EtcdTls {
  caPem: string;
  certPem?: string;
  keyPem?: string;
}

/** Retries of a read (or of a write that never left) before reporting 'Unavailable'. */
const MAX_ATTEMPTS = 6;
/** Delays between those attempts: 50, 100, 200, 400, 800 ms. */
const RETRY_BACKOFF = { initialMs: 50, maxMs: 800 };

/** Connects to etcd and waits until a member answers (else rejects with 'Unavailable'). */
export async function openEtcdStore(opts: EtcdStoreOptions): Promise<Store> {
  const logger = (opts.logger ?? silentLogger).child({ component: 'etcd-store' });
  const clock = opts.clock ?? realClock;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
  const client = new Etcd3({
    hosts: opts.endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `${opts.tls ? 'https' : 'http'}://${e}`)),
    ...(opts.tls ? { credentials: etcdCredentials(opts.tls) } : {}),
    dialTimeout: opts.dialTimeoutMs ?? 10_000,
    faultHandling: { host: hostBreaker, global: passThrough() },
    // Pings detect a dead peer behind a live socket; etcd accepts them every >= 5 s while a stream is open.
    grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 },
    // gRPC deadlines are wall-clock instants, hence Date.now rather than the injected clock.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
  });
  const store = new EtcdStore(client, new KeySpace(opts.prefix ?? ''), clock, logger);
  const deadline = clock.now() + (opts.dialTimeoutMs ?? 10_000);
  for (;;) {
    try {
      await client.maintenance.status();
      return store;
    } catch (err) {
      if (clock.now() >= deadline) {
        client.close();
        throw new StoreError('Unavailable', `etcd at ${opts.endpoints.join(',')} did not answer: ${(err as Error).message}`);
      }
      await clock.sleep(100);
    }
  }
}

function etcdCredentials(tls: EtcdTls): { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer } {
  return {
    rootCertificate: Buffer.from(tls.caPem),
    ...(tls.certPem && tls.keyPem ? { certChain: Buffer.from(tls.certPem), privateKey: Buffer.from(tls.keyPem) } : {}),
  };
}

class EtcdStore implements Store {
  private readonly watches = new Set<EtcdWatch>();
  private readonly pages = new PageSizer();
  /** A lower bound of etcd's compact revision (it only grows), to find the exact one cheaply. */
  private knownCompact = 0;
  private closed = false;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: KeySpace,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<{ kv?: KeyValue; revision: number }> {
    const res = await this.read(() => this.client.kv.range({ key: this.keys.full(key) }));
    const raw = res.kvs[0];
    return { kv: raw ? this.keys.kv(raw) : undefined, revision: Number(res.header.revision) };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    checkStartKey(prefix, opts.startKey);
    const { start, end } = this.keys.range(prefix);
    const from = opts.startKey !== undefined ? this.keys.full(opts.startKey) : start;
    const req = { start: from, end, revision: opts.revision ?? 0, limit: opts.limit ?? 0 };
    const res = await this.read(() => rangePaged(this.client.kv, req, this.pages));
    return { kvs: res.kvs.map((kv) => this.keys.kv(kv)), revision: res.revision, more: res.more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkTxn([], [{ type: 'put', key, value }]);
    const k = this.keys.full(key);
    const res = await this.write(() => this.client.if(k, 'Create', '==', 0).then(put(k, value)).else(this.client.get(k)).commit());
    if (!res.succeeded) throw new StoreError('AlreadyExists', `key ${key} already exists`, this.rangeResult(res, 0));
    return this.keys.written(key, value, Number(res.header.revision), null);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    checkTxn([], [{ type: 'put', key, value }]);
    // Comparing mod == 0 would match an absent key and create it; an update never creates.
    if (expectedModRevision <= 0) throw mismatch(key, (await this.get(key)).kv);
    const k = this.keys.full(key);
    const res = await this.write(() => this.client.if(k, 'Mod', '==', expectedModRevision).then(put(k, value)).else(this.client.get(k)).commit());
    if (!res.succeeded) throw mismatch(key, this.rangeResult(res, 0));
    return this.keys.written(key, value, Number(res.header.revision), res.responses[0]!.response_put.prev_kv);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.keys.full(key);
    if (expectedModRevision === undefined) {
      const res = await this.write(() => this.client.kv.deleteRange({ key: k, prev_kv: true }));
      if (Number(res.deleted) === 0) throw mismatch(key, undefined);
      return this.keys.deleted(res.prev_kvs[0], k, Number(res.header.revision));
    }
    if (expectedModRevision <= 0) throw mismatch(key, (await this.get(key)).kv);
    const res = await this.write(() => this.client.if(k, 'Mod', '==', expectedModRevision).then(del(k)).else(this.client.get(k)).commit());
    if (!res.succeeded) throw mismatch(key, this.rangeResult(res, 0));
    return this.keys.deleted(res.responses[0]!.response_delete_range.prev_kvs[0], k, Number(res.header.revision));
  }

  async txn(compares: Compare[], ops: TxnOp[]): Promise<TxnResult> {
    checkTxn(compares, ops);
    const success = ops.map((op) => (op.type === 'put' ? put(this.keys.full(op.key), op.value) : del(this.keys.full(op.key))));
    const failure = compares.map((c) => ({ request_range: { key: this.keys.full(c.key) } }));
    const res = await this.write(() => {
      const [first, ...rest] = compares;
      if (!first) return this.client.kv.txn({ compare: [], success, failure: [] });
      const cas = this.client.if(this.keys.full(first.key), target(first), '==', first.equals);
      for (const c of rest) cas.and(this.keys.full(c.key), target(c), '==', c.equals);
      return cas.then(...success).else(...failure).commit();
    });
    const revision = Number(res.header.revision);
    if (!res.succeeded) return { succeeded: false, revision, written: [], current: compares.map((_, i) => this.rangeResult(res, i)) };
    const written = ops.map((op, i) => (op.type === 'put' ? this.keys.written(op.key, op.value, revision, res.responses[i]!.response_put.prev_kv) : undefined));
    return { succeeded: true, revision, written, current: [] };
  }

  watch(prefix: string, startRevision: number, handlers: WatchHandlers): Watch {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed');
    const deps = { client: this.client, keys: this.keys, clock: this.clock, logger: this.logger };
    const w = new EtcdWatch(deps, prefix, startRevision, handlers, (x) => this.watches.delete(x));
    this.watches.add(w);
    return w;
  }

  async compact(revision: number): Promise<void> {
    await this.write(() => this.client.kv.compact({ revision, physical: false }));
    this.knownCompact = Math.max(this.knownCompact, revision);
  }

  async status(): Promise<{ revision: number; compactRevision: number }> {
    const res = await this.read(() => this.client.kv.range({ key: this.keys.probe(), count_only: true }));
    const revision = Number(res.header.revision);
    return { revision, compactRevision: await this.findCompactRevision(revision) };
  }

  // etcd refuses puts on every member while any member's NOSPACE alarm is raised, until an operator disarms it.
  async health(): Promise<StoreHealth> {
    const res = await this.read(() => this.client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }));
    const raised = res.alarms.filter((a) => String(a.alarm).toUpperCase() !== 'NONE');
    if (raised.length === 0) return { writable: true };
    const what = raised.map((a) => `${String(a.alarm).toUpperCase()} on member ${a.memberID}`).join(', ');
    return { writable: !raised.some((a) => String(a.alarm).toUpperCase() === 'NOSPACE'), reason: `etcd alarm raised: ${what}` };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.cancel();
    this.client.close();
  }

  // etcd 3.4 does not report its compact revision. Reads below it fail and reads at or above it work,
  // so the smallest readable revision is it: one probe when nothing moved, else a binary search.
  private async findCompactRevision(current: number): Promise<number> {
    let lo = Math.max(1, this.knownCompact);
    if (await this.readableAt(lo)) return (this.knownCompact = lo === 1 ? 0 : lo);
    let hi = current;
    while (lo + 1 < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readableAt(mid)) hi = mid;
      else lo = mid;
    }
    return (this.knownCompact = hi);
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.read(() => this.client.kv.range({ key: this.keys.probe(), revision, count_only: true }));
      return true;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Compacted') return false;
      throw err;
    }
  }

  /** The kv read by the i-th else-branch get of a failed txn. */
  private rangeResult(res: ITxnResponse, i: number): KeyValue | undefined {
    const raw = res.responses[i]?.response_range?.kvs[0];
    return raw ? this.keys.kv(raw) : undefined;
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    return this.attempt(fn, 'read', isUnavailable);
  }

  // Writes are retried only when they provably never reached etcd (see neverSent).
  private write<T>(fn: () => Promise<T>): Promise<T> {
    return this.attempt(fn, 'write', neverSent);
  }

  private async attempt<T>(fn: () => Promise<T>, kind: 'read' | 'write', retryable: (err: unknown) => boolean): Promise<T> {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed');
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (this.closed || attempt >= MAX_ATTEMPTS || !retryable(err)) throw mapEtcdError(err, kind);
        this.logger.debug('etcd call failed; retrying', { kind, attempt, err });
        await this.clock.sleep(backoffDelay(attempt - 1, RETRY_BACKOFF));
      }
    }
  }
}

function put(key: Buffer, value: string): IRequestOp {
  return { request_put: { key, value: Buffer.from(value, 'utf8'), prev_kv: true } };
}

function del(key: Buffer): IRequestOp {
  return { request_delete_range: { key, prev_kv: true } };
}

function target(c: Compare): 'Mod' | 'Create' {
  return c.target === 'mod' ? 'Mod' : 'Create';
}

type Policy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

/**
 * Per host: after 3 consecutive connection failures, skip the host for a second so etcd3 moves on to
 * another member (it only tries the next host when a policy refuses without calling through).
 */
function hostBreaker(host: string): Policy {
  let failures = 0;
  let openUntil = 0;
  const policy = {
    async execute<T>(fn: (ctx: { signal: AbortSignal; attempt: number }) => Promise<T> | T): Promise<T> {
      if (Date.now() < openUntil) throw new HostDownError(host);
      try {
        const out = await fn({ signal: new AbortController().signal, attempt: 0 });
        failures = 0;
        return out;
      } catch (err) {
        if (err instanceof Error && isRecoverableError(err) && ++failures >= 3) {
          openUntil = Date.now() + 1000;
          failures = 0;
        }
        throw err;
      }
    },
  };
  return policy as unknown as Policy;
}

/** No global retry: etcd3's default retries writes blindly; the store decides what is safe to retry. */
function passThrough(): Policy {
  const policy = {
    execute: <T>(fn: (ctx: { signal: AbortSignal; attempt: number }) => Promise<T> | T) => Promise.resolve(fn({ signal: new AbortController().signal, attempt: 0 })),
  };
  return policy as unknown as Policy;
}
