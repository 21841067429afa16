// GET …?watch=true: a newline-delimited JSON stream of {type, object} events over a chunked response, fed by
// the kind's watch cache. Resumes from resourceVersion; synthetic ADDED events for RV unset/"0" and for
// sendInitialEvents; BOOKMARKs when asked; a too-old RV ends the stream with one ERROR event carrying a
// 410 Expired Status. Ends on timeoutSeconds, client disconnect or server shutdown.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import { apiVersionOf } from '../../api/schemas/kind.ts';
import { ApiError, badRequest, invalid, status, type Status, type StatusCause } from '../apierrors/status.ts';
import { keyPrefix } from './codec.ts';
import { negotiateOutput, type OutputFormat } from './content.ts';
import { header, type RestRequest, type ServerContext } from './context.ts';
import { parseResourceVersion, parseSelectors } from './list-options.ts';
import { revisionOf } from '../../api/schemas/resource-version.ts';
import { queryFlag, queryParam, type RawQuery } from './options.ts';
import { parseIncludeObject, partialObjectMetadata, toTable, type IncludeObject } from './table.ts';
import type { CacheEvent, CacheWatchOptions } from './watchcache/types.ts';
import { LineCoalescer, watchLine, type SharedLines, type WatchChunk } from './watch-lines.ts';

/** Server-side cap on a watch's life when the client gives no timeoutSeconds (kube-apiserver: 30–60 min). */
export const DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;
/** Above this many unflushed bytes a watch waits for the socket to drain (the cache buffers meanwhile). */
const HIGH_WATER_BYTES = 1 << 20;
/** The annotation on the bookmark that ends sendInitialEvents' initial state. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** What a watch request asks for. */
interface WatchParams {
  fromRv: number;
  /** The client asked for sendInitialEvents=true: end the initial state with the marked bookmark. */
  initialEventsEnd: boolean;
  /** Wait for the cache to reach this revision before starting. */
  minRv: number;
  sendInitialEvents: boolean;
  bookmarks: boolean;
  timeoutSeconds: number;
}

/** Parse and validate the watch options (ListOptions rules for watches). */
function parseWatchParams(q: RawQuery): WatchParams {
  const rv = parseResourceVersion(queryParam(q, 'resourceVersion'));
  const bookmarks = queryFlag(q, 'allowWatchBookmarks');
  const sendRaw = queryParam(q, 'sendInitialEvents');
  const send = sendRaw === undefined || sendRaw === '' ? undefined : queryFlag(q, 'sendInitialEvents');
  const match = queryParam(q, 'resourceVersionMatch') || undefined;
  const causes: StatusCause[] = [];
  if (send !== undefined && match !== 'NotOlderThan') {
    causes.push({ reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: `Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan` });
  }
  if (send === true && !bookmarks) {
    causes.push({ reason: 'FieldValueForbidden', field: 'allowWatchBookmarks', message: 'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true' });
  }
  if (match !== undefined && send === undefined) {
    causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
  }
  if (match !== undefined && match !== 'NotOlderThan') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: ${JSON.stringify(match)}: supported values: "NotOlderThan"` });
  }
  if (causes.length > 0) throw invalid({ kindName: 'ListOptions', group: 'meta.k8s.io', name: '' }, causes);
  const tRaw = queryParam(q, 'timeoutSeconds');
  if (tRaw !== undefined && tRaw !== '' && !/^\d+$/.test(tRaw)) throw badRequest(`timeoutSeconds: invalid value "${tRaw}": must be a non-negative integer`);
  // 0 or absent: the server's default, as kube-apiserver does.
  const timeoutSeconds = Number(tRaw || 0) || DEFAULT_WATCH_TIMEOUT_SECONDS;
  const base = { bookmarks, timeoutSeconds, initialEventsEnd: send === true };
  // An event's in-revision position ("48.2") needs the cache at its revision (49) before the watch starts.
  const minRv = rv === undefined ? 0 : revisionOf(rv);
  if (send === true) return { ...base, fromRv: 0, minRv, sendInitialEvents: true };
  if (send === false) return { ...base, fromRv: rv ?? 0, minRv, sendInitialEvents: false };
  // Without sendInitialEvents: RV unset or "0" means the current state as synthetic ADDED events, then changes.
  if (!rv) return { ...base, fromRv: 0, minRv: 0, sendInitialEvents: true };
  return { ...base, fromRv: rv, minRv, sendInitialEvents: false };
}

/** Turns cache events into the JSON lines of one watch, in the negotiated form. */
class EventEncoder {
  private columnsSent = false;
  constructor(
    private readonly kind: KindInfo,
    private readonly format: OutputFormat,
    private readonly includeObject: IncludeObject,
    private readonly now: () => number,
    private readonly shared: SharedLines,
  ) {}

  /** One ADDED/MODIFIED/DELETED event. */
  event(type: string, obj: ApiObject): WatchChunk {
    // The plain form is the same text for every watcher: encode it once per server.
    if (this.format.as === 'Object') return this.shared.line(type, obj);
    return line(type, this.transform(obj));
  }

  /** A BOOKMARK: only kind, apiVersion and metadata.resourceVersion (plus the initial-events-end marker). */
  bookmark(rv: number, initialEnd: boolean): string {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEnd) metadata.annotations = { [INITIAL_EVENTS_END]: 'true' };
    if (this.format.as === 'Table') return line('BOOKMARK', { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: [], rows: [] });
    if (this.format.as === 'PartialObjectMetadata') return line('BOOKMARK', { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata });
    return line('BOOKMARK', { kind: this.kind.kind, apiVersion: apiVersionOf(this.kind), metadata });
  }

  private transform(obj: ApiObject): unknown {
    if (this.format.as === 'PartialObjectMetadata') return partialObjectMetadata(obj);
    if (this.format.as !== 'Table') return obj;
    // Column definitions once, with the first event (kubectl prints the header then).
    const withColumns = !this.columnsSent;
    this.columnsSent = true;
    return toTable(this.kind, [obj], { includeObject: this.includeObject, nowMs: this.now(), listMeta: { resourceVersion: obj.metadata.resourceVersion }, withColumns });
  }
}

const line = watchLine;

/** Serve a watch request; the reply is hijacked and written directly. */
export async function watchHandler(ctx: ServerContext, req: RestRequest, reply: FastifyReply, url: string): Promise<void> {
  const { kind, namespace, name } = req.info;
  const format = negotiateOutput(header(req, 'accept'));
  const includeObject = parseIncludeObject(queryParam(req.query, 'includeObject'));
  const filter = parseSelectors(kind, req.query, name);
  const params = parseWatchParams(req.query);
  // Before any byte is sent, so a too-large resourceVersion is a plain 504 response.
  const cache = await ctx.caches.fresh(kind, params.minRv);
  const encoder = new EventEncoder(kind, format, includeObject, () => ctx.clock.now(), ctx.watchLines);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const stream = new WatchStream(ctx, kind.plural, res, url, header(req, 'user-agent'));
  const opts: CacheWatchOptions = {
    fromRv: params.fromRv,
    prefix: keyPrefix(kind, namespace),
    filter,
    sendInitialEvents: params.sendInitialEvents,
    onEvent: (e: CacheEvent) => stream.write(encoder.event(e.type, e.obj), e.type),
    onError: (err: Error) => stream.fail(err),
  };
  if (params.bookmarks) {
    opts.onBookmark = (rv) => void stream.write(encoder.bookmark(rv, false), 'BOOKMARK');
  }
  if (params.initialEventsEnd) opts.onInitialEventsEnd = (rv) => void stream.write(encoder.bookmark(rv, true), 'BOOKMARK');
  stream.start(() => cache.watch(opts), params.timeoutSeconds);
}

/** The life of one watch response: writing with back-pressure, and every way it can end. */
class WatchStream {
  private cancelWatch?: () => void;
  private ended = false;
  private unregister: () => void = () => {};
  private timer?: { cancel(): void };
  private readonly startedAt: number;
  private readonly out: LineCoalescer;
  /** Lines queued since the last socket write, by event type (counted in the metric once written). */
  private readonly queued = new Map<string, number>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly resource: string,
    private readonly res: ServerResponse,
    private readonly url: string,
    private readonly userAgent: string | undefined,
  ) {
    this.startedAt = ctx.clock.now();
    this.out = new LineCoalescer(res, () => this.countWritten());
  }

  /** Open the cache watch and arm the timeout, shutdown and disconnect handlers. */
  start(open: () => { cancel(): void }, timeoutSeconds: number): void {
    this.ctx.metrics.longRunning.inc({ verb: 'WATCH', resource: this.resource });
    this.unregister = this.ctx.watches.add(() => this.end());
    this.res.on('close', () => this.end());
    this.timer = this.ctx.clock.setTimeout(() => this.end(), timeoutSeconds * 1000);
    if (this.ended) return;
    try {
      const w = open();
      if (this.ended) w.cancel();
      else this.cancelWatch = () => w.cancel();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Write one line; returns a promise while the socket is saturated (the cache then holds back). */
  write(chunk: WatchChunk, type: string): void | Promise<void> {
    if (this.ended) return;
    this.queued.set(type, (this.queued.get(type) ?? 0) + 1);
    this.out.write(chunk);
    if (this.out.backlog <= HIGH_WATER_BYTES) return;
    this.out.flush(); // then only the socket holds the backlog, and its 'drain' ends the wait
    if (this.res.writableLength <= HIGH_WATER_BYTES) return;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** One metric update per socket write rather than per line: at a million lines a second it shows. */
  private countWritten(): void {
    for (const [type, n] of this.queued) this.ctx.metrics.watchEvents.inc({ resource: this.resource, type }, n);
    this.queued.clear();
  }

  /** End with an ERROR event carrying the error's Status (410 Expired for a too-old resourceVersion). */
  fail(err: Error): void {
    if (this.ended) return;
    let s: Status;
    if (err instanceof ApiError) s = err.status;
    else {
      this.ctx.logger.error('watch failed', { resource: this.resource, err });
      s = status('InternalError', `Internal error occurred: ${err.message}`, {});
    }
    this.out.flush();
    this.res.write(line('ERROR', s));
    this.ctx.metrics.watchEvents.inc({ resource: this.resource, type: 'ERROR' });
    this.end();
  }

  /** End the stream (idempotent). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelWatch?.();
    this.timer?.cancel();
    this.unregister();
    this.ctx.metrics.longRunning.dec({ verb: 'WATCH', resource: this.resource });
    const seconds = (this.ctx.clock.now() - this.startedAt) / 1000;
    this.ctx.metrics.requestDuration.observe({ verb: 'WATCH', resource: this.resource, subresource: '', code: '200' }, seconds);
    this.ctx.metrics.requests.inc({ verb: 'WATCH', resource: this.resource, subresource: '', code: '200' });
    // Hijacked replies skip fastify's onResponse hook: the access log line is written here.
    // A watch is a read: debug (accessLogLevel), like every GET that succeeds.
    this.ctx.logger.debug('request', { method: 'GET', url: this.url, code: 200, ms: seconds * 1000, verb: 'WATCH', resource: this.resource, userAgent: this.userAgent });
    if (this.res.destroyed) this.out.discard();
    else this.out.flush();
    if (!this.res.writableEnded) this.res.end();
  }
}
