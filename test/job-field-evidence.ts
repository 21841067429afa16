// Where each field of the Job schema is shown to work, or that admission refuses it (test/job-fields.test.ts
// holds this table to the schema in both directions). Keys are schema paths: `[]` an array item, `*` a map
// value. `at(file, snippet)`: a test file that exercises the field, and a snippet of it that names the field
// the way that test uses it (the test checks both exist). `refused(mutate)`: a valid job changed by `mutate` is
// refused with a 422 cause at that path (FieldValueForbidden or FieldValueNotSupported).
//
// `acceptedUnhonoured(why)`: the one kind of entry that is a known defect — a field that must be accepted (a
// manifest outside the code relies on it) and that nothing acts on yet; the test pins this list so it cannot grow.
//
// When you add a field to the Job schema, add it here: point at the test that shows it works, or refuse it in
// api/schemas/semantic-unsupported.ts until something honours it.

/** A job as JSON, as the refusal mutations see it. */
export type JobJson = { spec: { groups: Array<Record<string, any>> } & Record<string, any> } & Record<string, any>;

export type Evidence =
  | { kind: 'tested'; shows: Array<{ file: string; snippet: string }> }
  | { kind: 'refused'; mutate: (job: JobJson) => void; field?: string }
  | { kind: 'accepted-unhonoured'; why: string };

const at = (...pairs: string[]): Evidence => {
  const shows: Array<{ file: string; snippet: string }> = [];
  for (let i = 0; i < pairs.length; i += 2) shows.push({ file: pairs[i], snippet: pairs[i + 1] });
  return { kind: 'tested', shows };
};
const acceptedUnhonoured = (why: string): Evidence => ({ kind: 'accepted-unhonoured', why });
const refused = (mutate: (job: JobJson) => void, field?: string): Evidence => ({ kind: 'refused', mutate, field });

const g0 = (j: JobJson) => j.spec.groups[0];
const t0 = (j: JobJson) => g0(j).tasks[0];

// Test files, by what they exercise.
const STACK = 'pkg/scheduler/stack.test.ts';
const LEVELS = 'pkg/scheduler/adapters-levels.test.ts';
const ADAPTERS = 'pkg/scheduler/adapters.test.ts';
const CONSTRAINTS = 'pkg/scheduler/feasible/constraints.test.ts';
const SPREAD = 'pkg/scheduler/rank/spread.test.ts';
const RESCHEDULE = 'pkg/scheduler/reconcile/reschedule.test.ts';
const ROLLOUT = 'pkg/controllers/deployment/rollout.test.ts';
const DEPLOY = 'pkg/controllers/deployment/controller.test.ts';
const PROGRESS = 'pkg/controllers/deployment/progress.test.ts';
const DRAIN = 'pkg/controllers/drain/plan.test.ts';
const CHECKS = 'pkg/nodeagent/agent/checks.test.ts';
const GRPC = 'pkg/nodeagent/agent/grpc-check.test.ts';
const ENV = 'pkg/nodeagent/agent/env.test.ts';
const AGENT = 'pkg/nodeagent/agent/agent.test.ts';
const LIFECYCLE = 'pkg/nodeagent/agent/lifecycle.test.ts';
const LOGS = 'pkg/nodeagent/agent/logs.test.ts';
const TEMPLATES = 'pkg/nodeagent/agent/templates.test.ts';
const TEMPLATE_WATCH = 'pkg/nodeagent/agent/template-watch.test.ts';
const ARTIFACTS = 'pkg/nodeagent/agent/artifacts.test.ts';
const INPUTS = 'pkg/nodeagent/agent/task-inputs.test.ts';
const RESTART = 'pkg/nodeagent/agent/restart.test.ts';
const TASK_CONFIG = 'pkg/nodeagent/agent/task-config.test.ts';
const PERIODIC = 'pkg/controllers/periodic/plan.test.ts';
const DISPATCH = 'pkg/apiserver/dispatch/route.test.ts';
const DEPS = 'pkg/controllers/evaluator/dependencies.test.ts';

/** Constraint fields at `prefix` (job, group or task level): behaviour in feasible/, the level in LEVELS. */
function constraintFields(prefix: string, levelSnippet: string): Record<string, Evidence> {
  return {
    [`${prefix}[].attribute`]: at(CONSTRAINTS, 'attribute', LEVELS, levelSnippet),
    [`${prefix}[].operator`]: at(CONSTRAINTS, 'operator', LEVELS, levelSnippet),
    [`${prefix}[].value`]: at(CONSTRAINTS, 'value', LEVELS, levelSnippet),
  };
}

function affinityFields(prefix: string, levelSnippet: string): Record<string, Evidence> {
  return {
    [`${prefix}[].attribute`]: at(STACK, 'affinities pull placements', LEVELS, levelSnippet),
    [`${prefix}[].operator`]: at(STACK, 'affinities pull placements', LEVELS, levelSnippet),
    [`${prefix}[].value`]: at(STACK, 'affinities pull placements', LEVELS, levelSnippet),
    [`${prefix}[].weight`]: at(STACK, 'negative weights push away', LEVELS, 'weight: -30'),
  };
}

function spreadFields(prefix: string, levelSnippet: string): Record<string, Evidence> {
  return {
    [`${prefix}[].attribute`]: at(SPREAD, 'attribute', LEVELS, levelSnippet),
    [`${prefix}[].weight`]: at(SPREAD, 'weight', LEVELS, 'weight: 40'),
    [`${prefix}[].targets[].value`]: at(STACK, 'spread targets: 70/30 over datacenters', LEVELS, "{ value: 'dc1', percent: 70 }"),
    [`${prefix}[].targets[].percent`]: at(SPREAD, 'targets: boost by the shortfall', LEVELS, "{ value: 'dc1', percent: 70 }"),
  };
}

function updateFields(prefix: string, level: string): Record<string, Evidence> {
  return {
    [`${prefix}.maxParallel`]: at(ROLLOUT, 'maxParallel', LEVELS, level),
    [`${prefix}.healthCheck`]: at(CHECKS, "healthCheck: 'task_states'", ROLLOUT, 'healthCheck'),
    [`${prefix}.minHealthyTime`]: at(CHECKS, "minHealthyTime: '10s'"),
    [`${prefix}.healthyDeadline`]: at(CHECKS, "healthyDeadline: '1m'"),
    [`${prefix}.progressDeadline`]: at(PROGRESS, 'progressDeadline'),
    [`${prefix}.canary`]: at(ROLLOUT, 'canary', LEVELS, level),
    [`${prefix}.autoRevert`]: at(DEPLOY, 'autoRevert'),
    [`${prefix}.autoPromote`]: at(PROGRESS, 'autoPromote'),
    [`${prefix}.stagger`]: refused((j) => {
      if (prefix === 'spec.update') j.spec.update = { stagger: '30s' };
      else g0(j).update = { stagger: '30s' };
    }),
  };
}

function migrateFields(prefix: string): Record<string, Evidence> {
  return {
    [`${prefix}.maxParallel`]: at(DRAIN, 'maxParallel', LEVELS, 'migrateMaxParallel'),
    [`${prefix}.healthCheck`]: at(CHECKS, 'migration health'),
    [`${prefix}.minHealthyTime`]: at(CHECKS, 'migration health'),
    [`${prefix}.healthyDeadline`]: at(CHECKS, 'migration health'),
  };
}

function rescheduleFields(prefix: string): Record<string, Evidence> {
  return {
    [`${prefix}.attempts`]: at(RESCHEDULE, 'attempts', LEVELS, 'attempts: 5'),
    [`${prefix}.interval`]: at(RESCHEDULE, 'interval', LEVELS, "interval: '1h'"),
    [`${prefix}.delay`]: at(RESCHEDULE, 'delay', LEVELS, "delay: '10s'"),
    [`${prefix}.delayFunction`]: at(RESCHEDULE, 'fibonacci', LEVELS, "delayFunction: 'fibonacci'"),
    [`${prefix}.maxDelay`]: at(RESCHEDULE, 'maxDelayMs', LEVELS, "maxDelay: '5m'"),
    [`${prefix}.unlimited`]: at(RESCHEDULE, 'unlimited', LEVELS, 'unlimited: false'),
  };
}

function restartFields(prefix: string): Record<string, Evidence> {
  return {
    [`${prefix}.attempts`]: at(RESTART, 'attempts'),
    [`${prefix}.interval`]: at(RESTART, 'interval'),
    [`${prefix}.delay`]: at(RESTART, 'delay'),
    [`${prefix}.mode`]: at(RESTART, "mode: 'fail'"),
  };
}

function serviceFields(prefix: string, on: (j: JobJson) => Record<string, any>): Record<string, Evidence> {
  const c = `${prefix}[].checks[]`;
  return {
    [`${prefix}[].name`]: at(CHECKS, 'check "service: '),
    [`${prefix}[].portLabel`]: at(CHECKS, 'portLabel'),
    [`${prefix}[].tags`]: refused((j) => (on(j).services = [{ name: 's', tags: ['a'] }])),
    [`${prefix}[].canaryTags`]: refused((j) => (on(j).services = [{ name: 's', canaryTags: ['a'] }])),
    [`${c}.name`]: at(CHECKS, 'name:'),
    [`${c}.type`]: at(CHECKS, "type: 'http'", CHECKS, "type: 'tcp'", CHECKS, "type: 'script'", GRPC, "type: 'grpc'"),
    [`${c}.portLabel`]: at(CHECKS, 'portLabel'),
    [`${c}.path`]: at(CHECKS, "check('/ok')"),
    [`${c}.protocol`]: at(CHECKS, "protocol: 'https'"),
    [`${c}.grpcService`]: at(GRPC, "check('web')"),
    [`${c}.method`]: at(CHECKS, "method: 'POST'"),
    [`${c}.header`]: at(CHECKS, "header: { 'X-Probe': ['a', 'b'] }"),
    [`${c}.command`]: at(CHECKS, "command: '/bin/check'"),
    [`${c}.args`]: at(INPUTS, 'args'),
    [`${c}.interval`]: at(CHECKS, "interval: '1s'"),
    [`${c}.timeout`]: at(GRPC, "timeout: '3s'"),
    [`${c}.initialStatus`]: at(CHECKS, 'reports its initialStatus'),
    [`${c}.checkRestart.limit`]: at(CHECKS, 'limit: 2'),
    [`${c}.checkRestart.grace`]: at(CHECKS, "grace: '10s'"),
    [`${c}.checkRestart.ignoreWarnings`]: at(CHECKS, 'ignoreWarnings: true'),
  };
}

const T = 'spec.groups[].tasks[]';
const G = 'spec.groups[]';

/** The table: every leaf field of the Job schema. */
export const JOB_FIELD_EVIDENCE: Record<string, Evidence> = {
  'spec.type': at('pkg/scheduler/reconcile/system.test.ts', 'system', 'pkg/controllers/evaluator/jobs.test.ts', "type: 'batch'"),
  'spec.priority': at('pkg/scheduler/preempt/preempt.test.ts', 'priority'),
  'spec.datacenters': at(STACK, "datacenters: ['dc1']"),
  'spec.region': at(ENV, "region: 'eu'"),
  'spec.allAtOnce': refused((j) => (j.spec.allAtOnce = true)),
  ...constraintFields('spec.constraints', "attribute: '${attr.kernel.name}'"),
  ...affinityFields('spec.affinities', "value: 'dc1', weight: 20"),
  ...spreadFields('spec.spreads', 'weight: 40'),
  ...updateFields('spec.update', 'maxParallel: 3, canary: 1'),
  ...migrateFields('spec.migrate'),
  ...rescheduleFields('spec.reschedule'),
  [`${G}.name`]: at('pkg/scheduler/schedule.test.ts', "mkGroup({ name: 'old', count: 0 })"),
  [`${G}.count`]: at(STACK, 'count'),
  [`${G}.dependsOn`]: at(DEPS, 'dependsOn'),
  ...constraintFields(`${G}.constraints`, "attribute: '${meta.rack}'"),
  ...affinityFields(`${G}.affinities`, "value: 'r2', weight: -30"),
  ...spreadFields(`${G}.spreads`, "spreads: [{ attribute: '${meta.rack}' }]"),
  [`${T}.name`]: at(AGENT, "name: 'slow'"),
  [`${T}.driver`]: at(AGENT, "driver: 'mock'", 'pkg/nodeagent/drivers/rawexec/driver.test.ts', 'raw_exec'),
  [`${T}.config`]: at(TASK_CONFIG, 'config'),
  [`${T}.user`]: at('pkg/nodeagent/drivers/rawexec/driver.test.ts', 'runs as task.user'),
  [`${T}.env`]: at(ENV, 'taskEnv'),
  [`${T}.resources.cpu`]: at(STACK, 'cpu'),
  [`${T}.resources.cores`]: refused((j) => (t0(j).resources.cores = 2)),
  [`${T}.resources.memoryMB`]: at(STACK, 'memoryMB'),
  [`${T}.resources.memoryMaxMB`]: at('pkg/nodeagent/drivers/exec/driver.test.ts', 'uses memoryMaxMB as the hard limit'),
  [`${T}.resources.diskMB`]: at(STACK, 'diskMB', ADAPTERS, 'diskMB: 300'),
  [`${T}.resources.networkMbits`]: acceptedUnhonoured('the seed\'s redis.yaml (shared/examples) sets it and must apply as written; no node advertises bandwidth and the scheduler does not count it'),
  [`${T}.resources.devices[].name`]: refused((j) => (t0(j).resources.devices = [{ name: 'nvidia/gpu' }]), `${T}.resources.devices`),
  [`${T}.resources.devices[].count`]: refused((j) => (t0(j).resources.devices = [{ name: 'nvidia/gpu', count: 2 }]), `${T}.resources.devices`),
  ...Object.fromEntries(
    ['constraints[].attribute', 'constraints[].operator', 'constraints[].value', 'affinities[].attribute', 'affinities[].operator', 'affinities[].value', 'affinities[].weight'].map((k) => [
      `${T}.resources.devices[].${k}`,
      refused((j) => (t0(j).resources.devices = [{ name: 'nvidia/gpu', [k.split('[')[0]]: [{ attribute: '${device.model}', value: 'x' }] }]), `${T}.resources.devices`),
    ]),
  ),
  ...serviceFields(`${T}.services`, t0),
  [`${T}.lifecycle.hook`]: at(LIFECYCLE, 'prestart'),
  [`${T}.lifecycle.sidecar`]: at(LIFECYCLE, 'sidecar'),
  [`${T}.killTimeout`]: at(AGENT, "killTimeout: '30ms'"),
  [`${T}.killSignal`]: at(AGENT, "killSignal: 'SIGINT'"),
  [`${T}.leader`]: at(LIFECYCLE, 'leader'),
  [`${T}.logs.maxFiles`]: at(LOGS, 'maxFiles'),
  [`${T}.logs.maxFileSizeMB`]: at(LOGS, 'maxFileSizeMB'),
  [`${T}.templates[].data`]: at(TEMPLATES, 'data'),
  [`${T}.templates[].source`]: at(TEMPLATES, 'source'),
  [`${T}.templates[].destination`]: at(TEMPLATES, 'destination'),
  [`${T}.templates[].changeMode`]: at(TEMPLATE_WATCH, 'changeMode'),
  [`${T}.templates[].changeSignal`]: at(TEMPLATE_WATCH, 'changeSignal'),
  [`${T}.templates[].perms`]: at(TEMPLATES, 'perms'),
  [`${T}.templates[].envFile`]: at(TEMPLATES, 'envFile'),
  [`${T}.templates[].splay`]: at(TEMPLATE_WATCH, 'splay'),
  [`${T}.templates[].leftDelimiter`]: at(TEMPLATES, 'leftDelimiter'),
  [`${T}.templates[].rightDelimiter`]: at(TEMPLATES, 'rightDelimiter'),
  [`${T}.artifacts[].source`]: at(ARTIFACTS, 'source'),
  [`${T}.artifacts[].destination`]: at(ARTIFACTS, 'destination'),
  [`${T}.artifacts[].mode`]: at(ARTIFACTS, 'mode'),
  [`${T}.artifacts[].options`]: at(ARTIFACTS, 'checksum'),
  [`${T}.volumeMounts[].volume`]: at(TASK_CONFIG, "volumeMounts: [{ volume: 'certs', destination: '/etc/tls' }"),
  [`${T}.volumeMounts[].destination`]: at(TASK_CONFIG, "destination: '/etc/tls', readOnly: true"),
  [`${T}.volumeMounts[].readOnly`]: at(TASK_CONFIG, "destination: '/etc/tls', readOnly: true"),
  ...constraintFields(`${T}.constraints`, "attribute: '${attr.cpu.arch}'"),
  ...affinityFields(`${T}.affinities`, "value: 'arm64', weight: 70"),
  [`${T}.meta`]: at(TASK_CONFIG, "DROVER_META_owner, 'team-a'"),
  ...restartFields(`${T}.restart`),
  [`${T}.dispatchPayload.file`]: at('pkg/nodeagent/agent/dispatch-payload.test.ts', "dispatchPayload: { file: 'in/params.json' }"),
  ...serviceFields(`${G}.services`, g0),
  ...updateFields(`${G}.update`, 'maxParallel: 2, canary: 0'),
  ...migrateFields(`${G}.migrate`),
  ...rescheduleFields(`${G}.reschedule`),
  ...restartFields(`${G}.restart`),
  [`${G}.ephemeralDisk.sizeMB`]: at(ADAPTERS, 'resources summed with the default ephemeral disk', 'pkg/scheduler/plan/fit.test.ts', 'disk'),
  [`${G}.ephemeralDisk.sticky`]: refused((j) => (g0(j).ephemeralDisk = { sticky: true })),
  [`${G}.ephemeralDisk.migrate`]: refused((j) => (g0(j).ephemeralDisk = { migrate: true })),
  [`${G}.volumes.*.type`]: at(TASK_CONFIG, "type: 'host', source: 'tls'"),
  [`${G}.volumes.*.source`]: at(TASK_CONFIG, "source: '/srv/tls'"),
  [`${G}.volumes.*.readOnly`]: at(TASK_CONFIG, "readOnly: true"),
  [`${G}.volumes.*.accessMode`]: refused((j) => (g0(j).volumes = { data: { type: 'host', source: 'd', accessMode: 'single-node-writer' } }), `${G}.volumes[data].accessMode`),
  [`${G}.volumes.*.attachmentMode`]: refused((j) => (g0(j).volumes = { data: { type: 'host', source: 'd', attachmentMode: 'file-system' } }), `${G}.volumes[data].attachmentMode`),
  [`${G}.volumes.*.perAlloc`]: refused((j) => (g0(j).volumes = { data: { type: 'host', source: 'd', perAlloc: true } }), `${G}.volumes[data].perAlloc`),
  [`${G}.network.mode`]: refused((j) => (g0(j).network = { mode: 'bridge' })),
  [`${G}.network.ports[].label`]: at('pkg/scheduler/feasible/ports.test.ts', 'label'),
  [`${G}.network.ports[].static`]: at(STACK, 'static ports never collide'),
  [`${G}.network.ports[].to`]: at('pkg/nodeagent/drivers/docker/driver.test.ts', 'to'),
  [`${G}.network.ports[].hostNetwork`]: refused((j) => (g0(j).network = { ports: [{ label: 'http', hostNetwork: 'public' }] })),
  [`${G}.meta`]: at(TASK_CONFIG, "DROVER_META_stage, 'blue'"),
  [`${G}.stopAfterClientDisconnect`]: refused((j) => (g0(j).stopAfterClientDisconnect = '5m')),
  [`${G}.maxClientDisconnect`]: refused((j) => (g0(j).maxClientDisconnect = '5m')),
  'spec.meta': at(TASK_CONFIG, "DROVER_META_tier, 'web'"),
  'spec.periodic.cron': at(PERIODIC, 'cron'),
  'spec.periodic.crons': at(PERIODIC, 'crons'),
  'spec.periodic.prohibitOverlap': at(PERIODIC, 'prohibitOverlap'),
  'spec.periodic.timeZone': at(PERIODIC, 'timeZone'),
  'spec.periodic.enabled': at(PERIODIC, 'enabled'),
  'spec.parameterized.payload': at(DISPATCH, "payload: 'required'"),
  'spec.parameterized.metaRequired': at(DISPATCH, "metaRequired: ['size']"),
  'spec.parameterized.metaOptional': at(DISPATCH, "metaOptional: ['format']"),
  'spec.payload': at('pkg/nodeagent/agent/dispatch-payload.test.ts', 'payload'),
  'spec.stop': at('pkg/scheduler/worker/stopping.test.ts', 'stop'),
  'spec.dependsOn': at(DEPS, 'dependsOn', 'test/e2e/dependencies.test.ts', 'dependsOn'),
};
