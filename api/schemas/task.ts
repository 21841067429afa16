// The task: one process run by a driver, with its resources, services and checks, lifecycle, templates and logs.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, StringMap, MapOf, FreeForm, Duration, Int, Identifier, KeyedList } from './common.ts';
import { Constraint, Affinity, RestartPolicy } from './policies.ts';

/** A device request (GPUs and the like), matched against node-advertised devices. */
export const DeviceRequest = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Device name: <type>, <vendor>/<type> or <vendor>/<type>/<model>, e.g. nvidia/gpu.' }),
    count: Type.Optional(Int({ minimum: 1, default: 1, description: 'Number of instances.' })),
    constraints: Type.Optional(Type.Array(Constraint, { description: 'Constraints on device attributes.' })),
    affinities: Type.Optional(Type.Array(Affinity, { description: 'Preferences on device attributes.' })),
  },
  { description: 'A request for node devices.' },
);

/** What a task needs on its node. */
export const Resources = Obj(
  {
    cpu: Type.Optional(Int({ minimum: 1, default: 100, description: 'CPU in MHz.' })),
    cores: Type.Optional(Int({ minimum: 1, description: 'Whole cores reserved exclusively (instead of cpu MHz).' })),
    memoryMB: Type.Optional(Int({ minimum: 10, default: 300, description: 'Memory in MB.' })),
    memoryMaxMB: Type.Optional(Int({ minimum: 10, description: 'Memory limit in MB when oversubscription is allowed.' })),
    diskMB: Type.Optional(Int({ minimum: 0, description: 'Disk in MB (prefer the group ephemeralDisk).' })),
    networkMbits: Type.Optional(Int({ minimum: 0, description: 'Network bandwidth in Mbit/s.' })),
    devices: Type.Optional(Type.Array(DeviceRequest, { description: 'Devices such as GPUs.' })),
  },
  { description: 'Resources a task needs.' },
);

/** Restarts the task when its check stays unhealthy. */
export const CheckRestart = Obj(
  {
    limit: Type.Optional(Int({ minimum: 0, default: 0, description: 'Restart after this many consecutive failures; 0 disables.' })),
    grace: Type.Optional(Duration({ default: '1s', description: 'Time after start before failures count.' })),
    ignoreWarnings: Type.Optional(Type.Boolean({ default: false, description: 'Treat warning as passing.' })),
  },
  { description: 'Restart policy driven by a failing check.' },
);

/** A health check of a service. */
export const ServiceCheck = Obj(
  {
    name: Type.Optional(Type.String({ description: 'Check name; defaults to "service: <service> check".' })),
    type: StringEnum(['http', 'tcp', 'script', 'grpc'], { description: 'Check type.' }),
    portLabel: Type.Optional(Identifier({ description: 'Port to check, when not the service port.' })),
    path: Type.Optional(Type.String({ description: 'HTTP path (http checks).' })),
    protocol: Type.Optional(StringEnum(['http', 'https'], { default: 'http', description: 'http or https (http checks); https makes a grpc check use TLS.' })),
    grpcService: Type.Optional(Type.String({ description: 'Service name sent in the grpc.health.v1 Health/Check request (grpc checks); empty asks for the server overall.' })),
    method: Type.Optional(Type.String({ default: 'GET', description: 'HTTP method (http checks).' })),
    header: Type.Optional(MapOf(Type.Array(Type.String()), { description: 'HTTP headers (http checks).' })),
    command: Type.Optional(Type.String({ description: 'Command (script checks), run inside the task.' })),
    args: Type.Optional(Type.Array(Type.String(), { description: 'Command arguments (script checks).' })),
    interval: Duration({ description: 'Time between checks.' }),
    timeout: Type.Optional(Duration({ default: '2s', description: 'Time a check may take.' })),
    initialStatus: Type.Optional(StringEnum(['passing', 'warning', 'critical'], { description: 'Status before the first check completes.' })),
    checkRestart: Type.Optional(CheckRestart),
  },
  { description: 'A service health check run by the node agent.' },
);

/** A service registration. */
export const Service = Obj(
  {
    name: Type.Optional(Type.String({ description: 'Service name; defaults to <job>-<group>-<task>.' })),
    portLabel: Type.Optional(Identifier({ description: 'Label of the group port the service is reachable on.' })),
    tags: Type.Optional(Type.Array(Type.String(), { description: 'Tags for discovery.' })),
    canaryTags: Type.Optional(Type.Array(Type.String(), { description: 'Tags used while the allocation is a canary.' })),
    checks: Type.Optional(KeyedList(ServiceCheck, 'name', { description: 'Health checks.' })),
  },
  { description: 'A service the task or group provides, with health checks.' },
);

/** Start order of a task within its allocation. */
export const Lifecycle = Obj(
  {
    hook: StringEnum(['prestart', 'poststart', 'poststop'], { description: 'When the task runs relative to the main tasks.' }),
    sidecar: Type.Optional(Type.Boolean({ default: false, description: 'Keep running for the life of the allocation (prestart/poststart).' })),
  },
  { description: 'Makes the task a lifecycle hook instead of a main task.' },
);

/** Task log rotation. */
export const Logs = Obj(
  {
    maxFiles: Type.Optional(Int({ minimum: 1, default: 10, description: 'Rotated files kept per stream.' })),
    maxFileSizeMB: Type.Optional(Int({ minimum: 1, default: 10, description: 'Size of one log file in MB.' })),
  },
  { description: 'Log rotation of the task stdout and stderr.' },
);

/** A file rendered into the task directory (Go template syntax, see docs/jobspec.md). Exactly one of data and source. */
export const Template = Obj(
  {
    data: Type.Optional(Type.String({ description: 'Inline template text (Go template syntax).' })),
    source: Type.Optional(Type.String({ description: 'Path of a template file relative to the task directory (e.g. fetched by an artifact).' })),
    destination: Type.String({ minLength: 1, description: 'Path the rendered file is written to, relative to the task directory (e.g. local/app.conf); may use ${NOMAD_*}, ${attr.*}, ${meta.*}.' }),
    changeMode: Type.Optional(StringEnum(['noop', 'restart', 'signal'], { default: 'restart', description: 'Action when a ConfigMap or Secret the template read changes its rendered content.' })),
    changeSignal: Type.Optional(Type.String({ pattern: '^(SIG)?[A-Z0-9]+$', 'x-drover-pattern-message': 'must be a signal name such as SIGHUP', description: 'Signal sent when changeMode is signal (default SIGHUP).' })),
    perms: Type.Optional(Type.String({ pattern: '^[0-7]{3,4}$', default: '0644', description: 'File mode, octal.' })),
    envFile: Type.Optional(Type.Boolean({ default: false, description: 'Read the rendered file as environment variables (KEY=value lines), added to the task environment.' })),
    splay: Type.Optional(Duration({ description: 'Wait a random time up to this long before the change action (restart or signal), so tasks of many allocations do not act at once.' })),
    leftDelimiter: Type.Optional(Type.String({ minLength: 1, default: '{{', description: 'Left delimiter of template actions.' })),
    rightDelimiter: Type.Optional(Type.String({ minLength: 1, default: '}}', description: 'Right delimiter of template actions.' })),
  },
  { description: 'A template rendered into the task directory.' },
);

/** A file fetched into the task directory before start. */
export const Artifact = Obj(
  {
    source: Type.String({ minLength: 1, description: 'URL to fetch (http, https, file).' }),
    destination: Type.Optional(Type.String({ default: 'local/', description: 'Directory, relative to the task directory.' })),
    mode: Type.Optional(StringEnum(['any', 'file', 'dir'], { default: 'any', description: 'How the source is treated.' })),
    options: Type.Optional(StringMap({ description: 'Fetcher options, e.g. checksum.' })),
  },
  { description: 'A remote file downloaded before the task starts.' },
);

/** Mounts one of the group's volumes into the task. */
export const VolumeMount = Obj(
  {
    volume: Type.String({ minLength: 1, description: 'Name of the group volume (its key in the group volumes).' }),
    destination: Type.String({ minLength: 1, description: 'Mount path inside the task.' }),
    readOnly: Type.Optional(Type.Boolean({ default: false, description: 'Mount read-only.' })),
  },
  { description: 'A group volume mounted into the task.' },
);

/** Where a task receives its job's dispatch payload (Nomad's dispatch_payload). */
export const DispatchPayload = Obj(
  {
    file: Type.String({ minLength: 1, description: "File the payload is written to, relative to the task's local/ directory." }),
  },
  { description: "Writes the dispatched job's payload into the task's local/ directory before the task starts." },
);

/** A task: one process run by a driver. */
export const Task = Obj(
  {
    name: Identifier({ description: 'Task name, unique within its group.' }),
    driver: Type.String({ minLength: 1, description: 'Driver that runs the task: docker, exec, raw_exec, mock, ...' }),
    config: Type.Optional(
      FreeForm({
        description: 'Driver configuration, checked by the driver: exec/raw_exec {command, args}; docker {image, command, args, ports}; mock {runFor, exitCode, startError}.',
      }),
    ),
    user: Type.Optional(Type.String({ description: 'User the task runs as.' })),
    env: Type.Optional(StringMap({ description: 'Environment variables.' })),
    resources: Type.Optional(Type.Unsafe<typeof Resources.static>({ ...Resources, default: {} })),
    services: Type.Optional(KeyedList(Service, 'name', { description: 'Services registered for this task.' })),
    lifecycle: Type.Optional(Lifecycle),
    killTimeout: Type.Optional(Duration({ default: '5s', description: 'Time between the kill signal and a forced kill.' })),
    killSignal: Type.Optional(Type.String({ description: 'Signal sent to stop the task (driver default: SIGTERM/SIGINT).' })),
    leader: Type.Optional(Type.Boolean({ default: false, description: 'When this task exits, the other tasks of the allocation are stopped.' })),
    logs: Type.Optional(Logs),
    templates: Type.Optional(Type.Array(Template, { description: 'Templates rendered before start.' })),
    artifacts: Type.Optional(Type.Array(Artifact, { description: 'Files fetched before start.' })),
    volumeMounts: Type.Optional(Type.Array(VolumeMount, { description: 'Group volumes mounted into the task.' })),
    constraints: Type.Optional(Type.Array(Constraint, { description: 'Task-level constraints (apply to the whole group).' })),
    affinities: Type.Optional(Type.Array(Affinity, { description: 'Task-level affinities.' })),
    meta: Type.Optional(StringMap({ description: 'Arbitrary metadata, available as NOMAD_META_<key>.' })),
    restart: Type.Optional(RestartPolicy),
    dispatchPayload: Type.Optional(DispatchPayload),
  },
  { description: 'A unit of work run by a driver.' },
);
