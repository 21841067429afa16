// Evaluations the drain controller asks for: one `node-drain` evaluation per job whose allocations it marked, so
// a scheduler worker moves them (the marks alone change nothing until the job is evaluated). A new Evaluation has
// no status; it is marked pending right after, as the evaluator's own are (pkg/controllers/evaluator/writer.ts).
// The evaluator supersedes older pending evaluations of a job, so an extra one costs little.
import type { Evaluation, Job } from '../../../api/schemas/index.ts';
import { API_VERSION } from '../../../api/schemas/kind.ts';
import { isConflict, isNotFound } from '../../apierrors/status.ts';
import type { Client } from '../../client/client.ts';
import { jobVersion } from '../../../api/schemas/job-version.ts';

/** Create a `node-drain` Evaluation of `job` for `nodeName`; returns its name. */
export async function createDrainEvaluation(client: Pick<Client, 'resource'>, job: Job, nodeName: string): Promise<string> {
  const evaluation: Evaluation = {
    apiVersion: API_VERSION,
    kind: 'Evaluation',
    // The server names it (generateName); ObjectMeta's type insists on a name all the same.
    metadata: { generateName: `${job.metadata.name}-`, namespace: job.metadata.namespace ?? 'default' } as Evaluation['metadata'],
    spec: {
      jobName: job.metadata.name,
      jobVersion: jobVersion(job),
      priority: job.spec.priority ?? 50,
      type: job.spec.type ?? 'service',
      triggeredBy: 'node-drain',
      nodeName,
    },
  };
  const evals = client.resource<Evaluation>('evaluations');
  const created = await evals.create(evaluation);
  // As the evaluator does: the explicit phase is for people listing evaluations; a worker that claimed it
  // first (conflict) is just as good.
  try {
    await evals.updateStatus({ ...created, status: { phase: 'pending', deliveries: 0 } });
  } catch (err) {
    if (!isConflict(err) && !isNotFound(err)) throw err;
  }
  return created.metadata.name;
}
