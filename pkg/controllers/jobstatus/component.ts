// The job status controller as a `drover dev` / `drover server` component: campaigns for the
// `job-status-controller` Lease and runs the controller only while it leads (one writer of job status).
import { runElected, type ControllerHost, type ElectedOptions } from '../runtime/index.ts';
import { startJobStatusController, type JobStatusControllerOptions } from './controller.ts';

/** Name of the job status controller's leader-election Lease (in drover-system). */
export const JOB_STATUS_LEASE = 'job-status-controller';

/** Tuning of the job status component. */
export type JobStatusComponentOptions = Omit<JobStatusControllerOptions, keyof ControllerHost | 'signal'> & Pick<ElectedOptions, 'identity' | 'timings'>;

/** Start campaigning; the returned stop() ends the current term (if any) and the campaign. */
export function startJobStatusComponent(deps: ControllerHost, opts: JobStatusComponentOptions = {}): Promise<{ stop(): Promise<void> }> {
  const { identity, timings, ...tuning } = opts;
  return runElected({ ...deps, leaseName: JOB_STATUS_LEASE, identity, timings, start: (signal) => startJobStatusController({ ...deps, ...tuning, signal }) });
}
