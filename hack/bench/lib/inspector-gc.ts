// A full garbage collection in another node process, through its inspector (the process started with
// `--inspect=127.0.0.1:PORT`): the Chrome DevTools Protocol's HeapProfiler.collectGarbage over a WebSocket
// (undici's). Lets a benchmark read a running server's live heap instead of whatever garbage it holds.
import { WebSocket } from 'undici';

/** The node flag that opens the inspector on loopback `port` (0: a free one, printed on stderr). */
export const inspectFlag = (port = 0) => `--inspect=127.0.0.1:${port}`;

/** The inspector's WebSocket URL from the process's stderr ("Debugger listening on ws://…"). */
export function inspectorUrl(stderr: string): string {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
  if (!url) throw new Error(`no inspector URL on the process's stderr: ${stderr.slice(0, 500)}`);
  return url;
}

/** Run one full GC in the process behind `url`; resolves when V8 has done it (at most `timeoutMs`). */
export function collectGarbage(url: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`HeapProfiler.collectGarbage: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      ws.close();
      if (err) reject(err);
      else resolve();
    };
    ws.addEventListener('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; error?: { message: string } };
      if (msg.id === 1) done(msg.error ? new Error(`HeapProfiler.collectGarbage: ${msg.error.message}`) : undefined);
    });
    ws.addEventListener('error', () => done(new Error(`inspector WebSocket ${url} failed`)));
  });
}
