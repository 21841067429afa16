// Hang guards for tests: bounds that turn a hang into a failure naming what was awaited, never a judgement of
// speed. They are minutes, far beyond what a healthy test needs even on a loaded 2-core machine running the
// full suite; no test may assert on elapsed wall-clock time (use an injected clock or the order of events).

/** One wait (a poll for a condition) that takes longer than this has hung. */
export const WAIT_HANG_GUARD_MS = 5 * 60_000;

/** One test that takes longer than this has hung (the runner, hack/test.mjs, guards each file with 30 min). */
export const TEST_HANG_GUARD_MS = 15 * 60_000;
