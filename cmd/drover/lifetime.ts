// How a long-running command (server, dev, agent, agent --simulate) waits for its end.
//
// Every timer of the real clock is unref'd (a library timer must not keep a CLI alive), so a command whose
// sockets have all closed — an agent whose API server died — would otherwise leave Node with an empty event
// loop: it exits with code 13 ("unsettled top-level await") and every node it runs goes down with it.

/** Resolves when `signal` aborts, holding the event loop open until then. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    // A ref'd interval is the one thing that keeps the process alive while it has nothing else to wait on.
    const hold = setInterval(() => {}, 2 ** 30);
    signal.addEventListener('abort', () => {
      clearInterval(hold);
      resolve();
    }, { once: true });
  });
}
