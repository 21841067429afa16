// A minimal NDJSON watch reader over fetch, for the watch tests (they need a real socket: inject can't stream).

/** One open watch stream. */
export interface TestWatch {
  status: number;
  headers: Headers;
  /** The next event (rejects if the stream ends first). */
  next(): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary JSON events
  /** Resolves with every event left when the server ends the stream. */
  rest(): Promise<any[]>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): void;
}

/** Open `url` as a watch. */
export async function openTestWatch(url: string, headers: Record<string, string> = {}): Promise<TestWatch> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const queue: unknown[] = [];
  const waiters: Array<{ resolve(v: unknown): void; reject(e: Error): void }> = [];
  let ended = false;
  let endWaiters: Array<() => void> = [];
  const finish = () => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(new Error('watch ended'));
    for (const f of endWaiters.splice(0)) f();
  };
  (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line);
          const w = waiters.shift();
          if (w) w.resolve(ev);
          else queue.push(ev);
        }
      }
    } catch {
      // aborted
    }
    finish();
  })();
  return {
    status: res.status,
    headers: res.headers,
    next() {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      if (ended) return Promise.reject(new Error('watch ended'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    rest() {
      if (ended) return Promise.resolve(queue.splice(0));
      return new Promise((resolve) => endWaiters.push(() => resolve(queue.splice(0))));
    },
    close() {
      abort.abort();
    },
  };
}
