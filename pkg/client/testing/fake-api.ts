// A scripted stand-in for the API server's list and watch of one kind, for informer tests that must control
// exactly when a watch breaks, what happens while it is down, and when history is compacted.
// Integration tests against the real API server live beside it (informer.integration.test.ts).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { expired } from '../../apierrors/status.ts';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A request the fake received, for assertions on resume revisions and paging. */
export interface SeenRequest {
  watch: boolean;
  resourceVersion?: string;
  limit?: string;
  continue?: string;
}

/** The fake API server of jobs in namespace `default`. */
export interface FakeApi {
  url: string;
  requests: SeenRequest[];
  /** Create or update a job; returns its new resourceVersion. */
  put(name: string, spec?: unknown): string;
  /**
   * Create or update several jobs in one transaction (one shared resourceVersion, as a store transaction);
   * with `cutAfter`, open watches see only that many of its events before their connections break.
   */
  putMany(names: string[], opts?: { cutAfter?: number }): string;
  /** Delete a job. */
  remove(name: string): void;
  /** Drop history: watches from a revision below the current one get 410. */
  compact(): void;
  /** Break every open watch connection (a server crash as the client sees it). */
  cutWatches(): void;
  /** Number of watch streams currently open. */
  openWatches(): number;
  /** Emit a bookmark at the current revision on every open watch. */
  bookmark(): void;
  close(): Promise<void>;
}

/** Start a fake API server on a free loopback port. */
export async function startFakeApi(): Promise<FakeApi> {
  let rev = 1;
  let compacted = 0;
  let uidSeq = 0;
  const objects = new Map<string, ApiObject>();
  const history: Array<{ rv: number; type: EventType; object: ApiObject }> = [];
  const watchers = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];

  const send = (res: ServerResponse, type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + '\n');
  let cutAfter: number | undefined; // putMany: events left before open watches break
  const record = (type: EventType, object: ApiObject) => {
    history.push({ rv: rev, type, object });
    if (cutAfter !== undefined && cutAfter-- <= 0) return;
    for (const w of watchers) send(w, type, object);
  };
  const upsert = (name: string, spec: unknown) => {
    const old = objects.get(name);
    const obj: ApiObject = {
      apiVersion: 'drover.dev/v1',
      kind: 'Job',
      metadata: { name, namespace: 'default', uid: old?.metadata.uid ?? `uid-${++uidSeq}`, resourceVersion: String(rev) },
      spec,
    };
    objects.set(name, obj);
    record(old ? 'MODIFIED' : 'ADDED', obj);
  };
  const cut = () => {
    for (const w of watchers) w.socket?.destroy();
    watchers.clear();
  };

  const server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const watch = q.get('watch') === 'true';
    requests.push({ watch, resourceVersion: q.get('resourceVersion') ?? undefined, limit: q.get('limit') ?? undefined, continue: q.get('continue') ?? undefined });
    res.setHeader('content-type', 'application/json');
    if (!watch) {
      const all = [...objects.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const start = Number(q.get('continue') ?? 0);
      const limit = Number(q.get('limit') ?? 0) || all.length;
      const items = all.slice(start, start + limit);
      const more = start + limit < all.length;
      res.end(JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'JobList', metadata: { resourceVersion: String(rev), ...(more ? { continue: String(start + limit) } : {}) }, items }));
      return;
    }
    const from = Number(q.get('resourceVersion'));
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    if (from < compacted) {
      send(res, 'ERROR', expired(`too old resource version: ${from} (${compacted})`).status);
      res.end();
      return;
    }
    for (const e of history) if (e.rv > from) send(res, e.type, e.object);
    watchers.add(res);
    res.on('close', () => watchers.delete(res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    put(name, spec = {}) {
      rev++;
      upsert(name, spec);
      return String(rev);
    },
    putMany(names, opts = {}) {
      rev++;
      cutAfter = opts.cutAfter;
      for (const n of names) upsert(n, {});
      if (cutAfter !== undefined) {
        cutAfter = undefined;
        // What was written still arrives, then the connection ends mid-stream.
        for (const w of watchers) w.socket?.end();
        watchers.clear();
      }
      return String(rev);
    },
    remove(name) {
      const old = objects.get(name);
      if (!old) throw new Error(`no job ${name}`);
      rev++;
      objects.delete(name);
      record('DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(rev) } });
    },
    compact() {
      compacted = rev;
      history.length = 0;
    },
    cutWatches: cut,
    openWatches: () => watchers.size,
    bookmark() {
      for (const w of watchers) send(w, 'BOOKMARK', { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { resourceVersion: String(rev) } });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
