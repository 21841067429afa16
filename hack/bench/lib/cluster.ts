// A hollow-node cluster for the benchmarks that drive a real `drover server`: the fleet (`drover agent
// --simulate N`, one process), the wait until the cluster is at rest, and what a run reports about it
// (evaluations by phase, the server's warnings).
import type { Evaluation } from '../../../api/schemas/index.ts';
import type { Client } from '../../../pkg/client/client.ts';
import { NODE_STATE } from '../../../pkg/controllers/evaluator/index.ts';
import { pollUntil, startDrover, type DroverProcess } from './drover-process.ts';

/** Start `nodes` hollow nodes against `server` in one process (`nodeArgs`: node's own flags). */
export function startHollowFleet(server: string, nodes: number, nodeArgs: string[] = []): Promise<DroverProcess> {
  return startDrover(['agent', '--simulate', String(nodes), '--server', server, '--log-level', 'warn'], { ready: /hollow nodes/, timeoutMs: 900_000, name: 'drover agent --simulate', nodeArgs });
}

/**
 * Wait until `nodes` nodes are ready and seen by the evaluator (which annotates each new node — thousands of
 * writes that would otherwise land inside a measurement).
 */
export async function waitNodesSettled(client: Client, nodes: number, timeoutMs = 600_000): Promise<void> {
  await pollUntil('hollow nodes ready and evaluated', timeoutMs, 1000, async () => {
    const list = await client.resource('nodes').listAll({});
    const settled = list.items.filter((n) => (n.status as { phase?: string } | undefined)?.phase === 'ready' && n.metadata.annotations?.[NODE_STATE] !== undefined);
    return settled.length >= nodes ? true : undefined;
  });
}

/** Wait until no evaluation in `namespace` is pending; resolves with them all. */
export function waitNoPendingEvals(client: Client, timeoutMs: number, namespace = 'default'): Promise<Evaluation[]> {
  return pollUntil('no pending evaluations', timeoutMs, 2000, async () => {
    const evals = (await client.resource<Evaluation>('evaluations').listAll({ namespace })).items;
    return evals.some((e) => (e.status?.phase ?? 'pending') === 'pending') ? undefined : evals;
  });
}

/** The `msg` of each JSON log line in `tail`, counted (the tail a DroverProcess keeps of its stderr). */
export function logMessages(tail: string): string {
  const msgs = tail.split('\n').map((l) => /"msg":"([^"]*)"/.exec(l)?.[1]).filter((m): m is string => m !== undefined);
  return countBy(msgs, (m) => m);
}

/** `key count, …` of `items` grouped by `key`. */
export function countBy<T>(items: T[], key: (t: T) => string): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

/** Evaluations by phase and trigger, and what unfinished ones say (evals stuck or allocations never placed show here). */
export function evalSummary(evals: Evaluation[]): string {
  const odd = evals.filter((e) => !['complete', 'canceled'].includes(e.status?.phase ?? ''));
  const sample = odd.slice(0, 3).map((e) => `${e.metadata.name} (${e.spec.triggeredBy}) ${JSON.stringify(e.status ?? {}).slice(0, 300)}`);
  return `evaluations at the end by phase: ${countBy(evals, (e) => e.status?.phase ?? '(none)')}; by trigger: ${countBy(evals, (e) => e.spec.triggeredBy ?? '(none)')}${sample.length ? `; unfinished, e.g. ${sample.join(' | ')}` : ''}`;
}
