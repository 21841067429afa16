// The pieces `drover dev` and `drover server` run beside the API server. Controllers, scheduler workers and
// (in dev) a node agent plug in here as they are written: each starts against the running server and stops
// in reverse order on shutdown.
import type { Registry } from 'prom-client';
import type { Client } from '../../pkg/client/client.ts';
import type { SharedInformerFactory } from '../../pkg/client/shared-informer.ts';
import type { Clock } from '../../pkg/clock/clock.ts';
import type { Logger } from '../../pkg/log/logger.ts';
import type { Store } from '../../pkg/storage/store.ts';
import { hostname } from 'node:os';
import { startDeploymentComponent } from '../../pkg/controllers/deployment/index.ts';
import { startDrainComponent } from '../../pkg/controllers/drain/index.ts';
import { startEvaluator } from '../../pkg/controllers/evaluator/index.ts';
import { startGcComponent } from '../../pkg/controllers/gc/index.ts';
import { startHealthComponent } from '../../pkg/controllers/health/index.ts';
import type { DisruptionOptions } from '../../pkg/controllers/health/disruption.ts';
import { startPeriodicComponent } from '../../pkg/controllers/periodic/index.ts';
import { startJobStatusComponent } from '../../pkg/controllers/jobstatus/index.ts';
import { startScheduler } from '../../pkg/scheduler/worker/index.ts';

/** What a component receives when it starts. */
export interface ComponentDeps {
  /** The store the API server runs on (components should prefer the API through `client`). */
  store: Store;
  /** A client connected to the in-process API server. */
  client: Client;
  /** The API server's URL. */
  server: string;
  logger: Logger;
  clock: Clock;
  /** The process's one informer per kind, shared by every component (controllers and scheduler workers). */
  informers: SharedInformerFactory;
  /** The API server's metrics registry (served at /metrics): work-queue metrics go here. */
  metrics: Registry;
}

/** A started component. */
export interface RunningComponent {
  stop(): Promise<void>;
}

/** A part of the control plane started after the API server is listening. */
export interface Component {
  name: string;
  start(deps: ComponentDeps): Promise<RunningComponent>;
}

/** Which process runs the components: `dev` is everything in one process, `server` the control plane only. */
export type ComponentMode = 'dev' | 'server';

/** Operator tuning of the components (flags of `drover dev` / `drover server`). */
export interface ComponentTuning {
  /** Silence past a node lease's TTL before the node is down (health controller; default 10 s, Nomad's). */
  heartbeatGraceMs?: number;
  /** The health controller's partial-disruption rule (threshold, large-cluster size and rate). */
  disruption?: DisruptionOptions;
}

/** Node health (down/lost) and drains: leader-elected, so every server process may run them. */
const nodeControllers = (tuning: ComponentTuning): Component[] => [
  { name: 'health-controller', start: (deps) => startHealthComponent(hostOf(deps), { graceMs: tuning.heartbeatGraceMs, disruption: tuning.disruption }) },
  { name: 'drain-controller', start: (deps) => startDrainComponent(hostOf(deps)) },
];

/** What a controller takes of the component deps. */
const hostOf = (d: ComponentDeps) => ({ client: d.client, clock: d.clock, logger: d.logger, informers: d.informers, metrics: d.metrics });

/** A name for this process's leader-election candidacies and evaluation claims, unique across processes. */
const processIdentity = (role: string) => `${hostname()}-${process.pid}-${role}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Scheduling: the evaluator (leader-elected: one active in the cluster) turns changes into evaluations; the
 * scheduler's workers (any number, in every process) claim and plan them.
 */
const scheduling: Component[] = [
  { name: 'evaluator', start: (deps) => startEvaluator({ ...hostOf(deps), identity: processIdentity('evaluator') }) },
  { name: 'scheduler', start: (deps) => startScheduler({ ...hostOf(deps), identity: processIdentity('scheduler') }) },
  { name: 'deployment-controller', start: (deps) => startDeploymentComponent(hostOf(deps)) },
];

/** Periodic jobs: the launcher of their children, leader-elected so one process launches each time. */
const launchers: Component[] = [
  { name: 'periodic-controller', start: (deps) => startPeriodicComponent(hostOf(deps), { identity: processIdentity('periodic') }) },
];

/** Job status (status, summary, conditions, Events), leader-elected: one writer of job status in the cluster. */
const jobControllers: Component[] = [{ name: 'job-status-controller', start: (deps) => startJobStatusComponent(hostOf(deps)) }];

/**
 * The garbage collector (leader-elected): ownerReferences, foreground and orphan deletes, and what a deleted job
 * leaves behind.
 */
const collectors: Component[] = [{ name: 'garbage-collector', start: (deps) => startGcComponent(hostOf(deps), { identity: processIdentity('gc') }) }];

/** The components each mode starts, in start order. */
export function defaultComponents(_mode: ComponentMode, tuning: ComponentTuning = {}): Component[] {
  return [...nodeControllers(tuning), ...scheduling, ...jobControllers, ...launchers, ...collectors];
}
