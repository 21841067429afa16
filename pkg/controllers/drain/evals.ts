// Evaluations the drain controller asks for: one `node-drain` evaluation per job whose allocations it marked, so
// a scheduler worker moves them (the marks alone change nothing until the job is evaluated). A new Evaluation has
// no status; a missing phase reads as pending (pkg/plancommit/fence.ts), and newer pending evaluations of a job
// supersede older ones, so an extra one costs little.
import type { Evaluation, Job } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import type { Client } from '../../client/client.ts';

/** Create a `node-drain` Evaluation of `job` for `nodeName`; returns its name. */
export async function createDrainEvaluation(client: Pick<Client, 'resource'>, job: Job, nodeName: string): Promise<string> {
  const evaluation: Evaluation = {
    apiVersion: API_VERSION,
    kind: 'Evaluation',
    // The server names it (generateName); ObjectMeta's type insists on a name all the same.
    metadata: { generateName: `${job.metadata.name}-`, namespace: job.metadata.namespace ?? 'default' } as Evaluation['metadata'],
    spec: {
      jobName: job.metadata.name,
      ...(job.status?.version !== undefined ? { jobVersion: job.status.version } : {}),
      priority: job.spec.priority ?? 50,
      type: job.spec.type ?? 'service',
      triggeredBy: 'node-drain',
      nodeName,
    },
  };
  const created = await client.resource<Evaluation>('evaluations').create(evaluation);
  return created.metadata.name;
}
