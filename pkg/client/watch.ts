// Reading a Kubernetes watch stream: newline-delimited JSON `{type, object}` events over a chunked response.
// ERROR events are not handed to the callback: they end the watch and reject `done` with the rebuilt ApiError
// (410 Gone/Expired when the resourceVersion is too old), so callers have one place to look for failures.
import { StringDecoder } from 'node:string_decoder';
import { ApiError, fromResponse, isStatus, status } from '../apierrors/status.ts';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { toNetworkError } from './errors.ts';
import type { HttpRequest, Transport } from './transport.ts';

/** A watch event delivered to the callback. BOOKMARK objects carry only `metadata.resourceVersion`. */
export interface WatchEvent<T extends ApiObject = ApiObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/** Callback for watch events; a returned promise is awaited before the next event (back-pressure). */
export type WatchHandler<T extends ApiObject> = (event: WatchEvent<T>) => void | Promise<void>;

/** A running watch. */
export interface WatchHandle {
  /** Resolves when the server ends the stream or on cancel(); rejects with ApiError or NetworkError. */
  done: Promise<void>;
  /** Stop the watch; `done` then resolves. */
  cancel(): void;
}

/** Open `req` as a watch stream and feed its events to `onEvent`. */
export function openWatch<T extends ApiObject>(transport: Transport, req: HttpRequest, onEvent: WatchHandler<T>): WatchHandle {
  const abort = new AbortController();
  let cancelled = false;
  const run = async () => {
    const res = await transport.stream({ ...req, signal: abort.signal });
    const decoder = new StringDecoder('utf8');
    let pending = '';
    // Errors from the handler or an ERROR event pass through; only the body iterator's are network errors.
    let delivering = false;
    try {
      for await (const chunk of res.body) {
        pending += decoder.write(chunk);
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          delivering = true;
          if (line) await deliver(line, onEvent);
          delivering = false;
          if (cancelled) return;
        }
      }
    } catch (err) {
      if (cancelled) return;
      throw delivering ? err : toNetworkError(err, `watch ${req.path}`);
    }
    const rest = (pending + decoder.end()).trim();
    if (rest && !cancelled) await deliver(rest, onEvent);
  };
  const done = run().catch((err) => {
    if (cancelled) return;
    abort.abort();
    throw err;
  });
  return {
    done,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      abort.abort();
    },
  };
}

async function deliver<T extends ApiObject>(line: string, onEvent: WatchHandler<T>): Promise<void> {
  let event: { type?: string; object?: unknown };
  try {
    event = JSON.parse(line);
  } catch {
    throw new ApiError(status('InternalError', 'malformed watch event', { causes: [{ reason: 'UnexpectedServerResponse', message: line.slice(0, 200) }] }));
  }
  if (event.type === 'ERROR') {
    const obj = event.object;
    throw isStatus(obj) ? new ApiError(obj) : fromResponse(500, obj);
  }
  if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED' && event.type !== 'BOOKMARK') {
    throw new ApiError(status('InternalError', `unknown watch event type ${String(event.type)}`));
  }
  await onEvent({ type: event.type, object: event.object as T });
}
