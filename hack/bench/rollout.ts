// Issue 8's benchmark: a rolling update of one service job of A allocations on N hollow nodes (maxParallel M),
// from the apply of the new version to its Deployment successful, against the initial placement of the same job
// (apply to its first Deployment successful) measured in the same run. One process: an API server on the memory
// store with the plan commit, two scheduler workers, the evaluator, the deployment controller, and a hollow fleet
// (pkg/nodeagent/simulated) that reports each allocation running, and healthy, after a random start delay.
//
//   node --import tsx hack/bench/rollout.ts [--full] [--set allocs=1000 --set nodes=100 --set maxParallel=50]
import type { Deployment, Job } from '../../api/schemas/index.ts';
import { realClock } from '../../pkg/clock/clock.ts';
import { silentLogger } from '../../pkg/log/logger.ts';
import { startHarness } from '../../pkg/scheduler/testing/harness.ts';
import { createEvaluator } from '../../pkg/controllers/evaluator/evaluator.ts';
import { startDeploymentController } from '../../pkg/controllers/deployment/controller.ts';
import { startHollowFleet } from '../../pkg/nodeagent/simulated/fleet.ts';
import { parseBenchArgs, watchdog } from './lib/args.ts';
import { report } from './lib/result.ts';

const args = parseBenchArgs();
const size = { allocs: args.full ? 1000 : 200, nodes: args.full ? 100 : 20, maxParallel: args.full ? 50 : 10, startMinMs: 50, startMaxMs: 200, ...args.set };
watchdog(600_000, 'rollout');

const h = await startHarness({ workersPerProcess: 2, logger: silentLogger });
const host = { client: h.client, clock: realClock, logger: silentLogger };
const fleet = await startHollowFleet({ ...host, count: size.nodes, namePrefix: 'h-', startDelayMs: [size.startMinMs, size.startMaxMs] });
const evaluator = createEvaluator(host);
await evaluator.start();
const controller = await startDeploymentController(host);

const update = { maxParallel: size.maxParallel, healthCheck: 'task_states' as const, minHealthyTime: '0s', progressDeadline: '10m' };
const deployments = h.client.resource<Deployment>('deployments');
async function rolledOut(version: number): Promise<number> {
  const started = performance.now();
  const v = await h.putJob('web', [{ count: size.allocs, cpu: 10 + version, memoryMB: 10 }], { update });
  const name = `web-deploy-${v.metadata.generation}`;
  for (;;) {
    const d = await deployments.get(name, { namespace: 'default' }).catch(() => undefined);
    if (d?.status?.phase === 'successful') return performance.now() - started;
    if (d?.status?.phase === 'failed') throw new Error(`${name} failed: ${d.status.description}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
// The evaluator creates the job-register evaluation; the deployment controller the next batches.
const initialMs = await rolledOut(1);
const rollingMs = await rolledOut(2);
const job = await h.client.resource<Job>('jobs').get('web', { namespace: 'default' });

await controller.stop();
await evaluator.stop();
await fleet.stop();
await h.close();

const batches = Math.ceil(size.allocs / size.maxParallel);
await report({
  name: 'rollout',
  title: `rolling update of ${size.allocs} allocations on ${size.nodes} hollow nodes, maxParallel ${size.maxParallel}`,
  setup: `one process: memory-store API server + plan commit, 2 scheduler workers, evaluator, deployment controller, ${size.nodes} hollow nodes (start delay ${size.startMinMs}-${size.startMaxMs} ms); job ${job.metadata.name} at generation ${job.metadata.generation}`,
  figures: [
    { label: 'initial placement: apply → deployment successful', value: initialMs / 1000, unit: 's' },
    { label: `rolling update: apply → deployment successful (${batches} batches)`, value: rollingMs / 1000, unit: 's' },
    { label: 'rolling update, per batch', value: rollingMs / batches, unit: 'ms' },
  ],
  headline: 1,
  ratio: { value: rollingMs / initialMs, meaning: 'rolling update / initial placement (lower is better; the floor is about the batch count)' },
  target: { text: `each batch within 4× the slowest hollow start (${4 * size.startMaxMs} ms)`, met: rollingMs / batches <= 4 * size.startMaxMs },
  notes: [`a batch cannot be faster than its slowest start: ${batches} batches × up to ${size.startMaxMs} ms`],
});
process.exit(0);
