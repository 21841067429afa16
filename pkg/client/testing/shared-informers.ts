// A SharedInformerFactory over the scripted fake API, for tests of shared informers and of what is built on them.
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { createClient } from '../client.ts';
import { SharedInformerFactory } from '../shared-informer.ts';
import { startFakeApi, type FakeApi } from './fake-api.ts';

/** What a test gets: the fake API to script, the factory, and the factory's manual clock. */
export interface SharedInformerHarness {
  api: FakeApi;
  factory: SharedInformerFactory;
  clock: ManualClock;
}

/** Run `fn` against a fresh fake API and factory; always cleans up. */
export async function withSharedInformers(fn: (h: SharedInformerHarness) => Promise<void>): Promise<void> {
  const api = await startFakeApi();
  const client = createClient({ server: api.url });
  const clock = new ManualClock(1_000_000);
  const factory = new SharedInformerFactory({ client, clock, logger: silentLogger });
  try {
    await fn({ api, factory, clock });
  } finally {
    factory.stop();
    await client.close();
    await api.close();
  }
}

/** Yield to the event loop until `cond` holds (the test runner's timeout catches a hang). */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
}
