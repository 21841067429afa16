// The raw limit of server-memory.ts, in a fresh process (run with --expose-gc): every allocation listed from
// the API as JSON (pages of 1,000), parsed and held once in a Map by namespace/name. Its heap growth per
// allocation is what one plain copy of each allocation costs V8; the server holds some number of copies.
import { sendResult } from './lib/child.ts';

/** What the parent asks for (argv[2], JSON). */
export interface ParsedCopyArgs {
  url: string;
  /** Allocations the list must return (a shorter list is an error, not a smaller denominator). */
  expected: number;
}

/** What the probe measured, in bytes. */
export interface ParsedCopyResult {
  count: number;
  heapBefore: number;
  heapAfter: number;
  rssBefore: number;
  rssAfter: number;
  /** Mean JSON size of one allocation as the list served it. */
  jsonBytes: number;
}

const args = JSON.parse(process.argv[2]!) as ParsedCopyArgs;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('parsed-copy-probe needs node --expose-gc');
const PATH = '/apis/drover.dev/v1/allocations';

interface Page {
  metadata: { continue?: string };
  items: Array<{ metadata: { namespace: string; name: string } }>;
}

/** Settle the heap (several full GCs with a turn of the event loop between) and sample. */
async function sample(): Promise<{ heapUsed: number; rss: number }> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

async function page(cont?: string): Promise<{ text: string; page: Page }> {
  const res = await fetch(`${args.url}${PATH}?limit=1000${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { headers: { accept: 'application/json' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`LIST allocations: HTTP ${res.status} ${text.slice(0, 300)}`);
  return { text, page: JSON.parse(text) as Page };
}

// One request first, so fetch's own lazily loaded machinery is in the baseline, not in the copy.
await page().then((p) => p.page.items.length);
const before = await sample();
const held = new Map<string, unknown>();
let jsonBytes = 0;
let cont: string | undefined;
do {
  const { text, page: p } = await page(cont);
  // The items' share of the page's bytes (the list envelope is a few dozen bytes).
  jsonBytes += text.length;
  for (const item of p.items) held.set(`${item.metadata.namespace}/${item.metadata.name}`, item);
  cont = p.metadata.continue || undefined;
} while (cont);
const after = await sample();
if (held.size !== args.expected) throw new Error(`listed ${held.size} allocations, expected ${args.expected}`);
await sendResult({ count: held.size, heapBefore: before.heapUsed, heapAfter: after.heapUsed, rssBefore: before.rss, rssAfter: after.rss, jsonBytes: jsonBytes / held.size } satisfies ParsedCopyResult);
process.exit(0);
