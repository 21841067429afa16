// The kind registry: every kind Drover serves, with its schema, names, printer columns and selectable fields,
// plus the TypeScript types derived from the schemas. The generic API server, client, CLI and docs read this.
import type { Static } from '@sinclair/typebox';
import type { KindInfo, ApiObject, PrinterColumn } from './kind.ts';
import { JobSchema, JobSpec as JobSpecSchema, JobStatus as JobStatusSchema, TaskGroup as TaskGroupSchema } from './job.ts';
import { Task as TaskSchema, Resources as ResourcesSchema, Service as ServiceSchema, ServiceCheck as ServiceCheckSchema } from './task.ts';
import { Constraint as ConstraintSchema, Affinity as AffinitySchema, Spread as SpreadSchema, Port as PortSchema } from './policies.ts';
import { UpdateStrategy as UpdateSchema, MigrateStrategy as MigrateSchema, ReschedulePolicy as RescheduleSchema, RestartPolicy as RestartSchema } from './policies.ts';
import { NodeSchema, NodeSpec as NodeSpecSchema, NodeStatus as NodeStatusSchema } from './node.ts';
import { AllocationSchema, AllocationSpec as AllocationSpecSchema, AllocationStatus as AllocationStatusSchema } from './allocation.ts';
import { TaskState as TaskStateSchema, TaskEvent as TaskEventSchema, AllocatedResources as AllocatedResourcesSchema } from './allocation.ts';
import { EvaluationSchema, EvaluationSpec as EvaluationSpecSchema, EvaluationStatus as EvaluationStatusSchema, AllocMetric as AllocMetricSchema } from './evaluation.ts';
import { DeploymentSchema, DeploymentSpec as DeploymentSpecSchema, DeploymentStatus as DeploymentStatusSchema } from './deployment.ts';
import { VolumeSchema, VolumeSpec as VolumeSpecSchema, VolumeStatus as VolumeStatusSchema } from './volume.ts';
import { listRulesOf, type ListRules as ListRulesType } from './list-rules.ts';
import { LeaseSchema, LeaseSpec as LeaseSpecSchema, JobVersionSchema, JobVersionSpec as JobVersionSpecSchema } from './misc.ts';
import { NamespaceSchema, ConfigMapSchema, SecretSchema, ServiceAccountSchema, EventSchema } from './core.ts';
import { RoleSchema, ClusterRoleSchema, RoleBindingSchema, ClusterRoleBindingSchema, PolicyRule as PolicyRuleSchema, Subject as SubjectSchema, RoleRef as RoleRefSchema, RBAC_GROUP } from './rbac.ts';
import { TokenSchema, AUTH_GROUP } from './token.ts';
import { CrdSchema, CRD_GROUP } from './crd.ts';

export { GROUP, VERSION, API_VERSION, groupOf, apiVersionOf, apiPrefixOf } from './kind.ts';
export { CORE_API_VERSION } from './core.ts';
export { RBAC_GROUP, RBAC_API_VERSION } from './rbac.ts';
export { AUTH_GROUP, AUTH_API_VERSION, TOKEN_NAME_PATTERN } from './token.ts';
export type { KindInfo, ApiObject, ObjectMeta, PrinterColumn, OwnerReference, ManagedFieldsEntry } from './kind.ts';

// ---- TypeScript types: Static<> of the schemas, wrapped in the shared ApiObject envelope. ----

/** Job spec. */ export type JobSpec = Static<typeof JobSpecSchema>;
/** Job status. */ export type JobStatus = Static<typeof JobStatusSchema>;
/** A task group. */ export type TaskGroup = Static<typeof TaskGroupSchema>;
/** A task. */ export type Task = Static<typeof TaskSchema>;
/** Task resources. */ export type Resources = Static<typeof ResourcesSchema>;
/** A service. */ export type Service = Static<typeof ServiceSchema>;
/** A service check. */ export type ServiceCheck = Static<typeof ServiceCheckSchema>;
/** A constraint. */ export type Constraint = Static<typeof ConstraintSchema>;
/** An affinity. */ export type Affinity = Static<typeof AffinitySchema>;
/** A spread. */ export type Spread = Static<typeof SpreadSchema>;
/** A network port request. */ export type Port = Static<typeof PortSchema>;
/** Update strategy. */ export type UpdateStrategy = Static<typeof UpdateSchema>;
/** Migrate strategy (how allocations leave a draining node). */ export type MigrateStrategy = Static<typeof MigrateSchema>;
/** Reschedule policy. */ export type ReschedulePolicy = Static<typeof RescheduleSchema>;
/** Restart policy. */ export type RestartPolicy = Static<typeof RestartSchema>;
/** Node spec. */ export type NodeSpec = Static<typeof NodeSpecSchema>;
/** Node status. */ export type NodeStatus = Static<typeof NodeStatusSchema>;
/** Allocation spec. */ export type AllocationSpec = Static<typeof AllocationSpecSchema>;
/** Allocation status. */ export type AllocationStatus = Static<typeof AllocationStatusSchema>;
/** Resources held by an allocation. */ export type AllocatedResources = Static<typeof AllocatedResourcesSchema>;
/** One task's state. */ export type TaskState = Static<typeof TaskStateSchema>;
/** One task event. */ export type TaskEvent = Static<typeof TaskEventSchema>;
/** Evaluation spec. */ export type EvaluationSpec = Static<typeof EvaluationSpecSchema>;
/** Evaluation status. */ export type EvaluationStatus = Static<typeof EvaluationStatusSchema>;
/** Placement metrics of one group. */ export type AllocMetric = Static<typeof AllocMetricSchema>;
/** Deployment spec. */ export type DeploymentSpec = Static<typeof DeploymentSpecSchema>;
/** Deployment status. */ export type DeploymentStatus = Static<typeof DeploymentStatusSchema>;
/** Volume spec. */ export type VolumeSpec = Static<typeof VolumeSpecSchema>;
/** Volume status. */ export type VolumeStatus = Static<typeof VolumeStatusSchema>;
/** Lease spec. */ export type LeaseSpec = Static<typeof LeaseSpecSchema>;
/** JobVersion spec. */ export type JobVersionSpec = Static<typeof JobVersionSpecSchema>;

/** A Job object. */ export interface Job extends ApiObject<JobSpec, JobStatus> { kind: 'Job'; spec: JobSpec }
/** A Node object. */ export interface Node extends ApiObject<NodeSpec, NodeStatus> { kind: 'Node'; spec?: NodeSpec }
/** An Allocation object. */ export interface Allocation extends ApiObject<AllocationSpec, AllocationStatus> { kind: 'Allocation'; spec: AllocationSpec }
/** An Evaluation object. */ export interface Evaluation extends ApiObject<EvaluationSpec, EvaluationStatus> { kind: 'Evaluation'; spec: EvaluationSpec }
/** A Deployment object. */ export interface Deployment extends ApiObject<DeploymentSpec, DeploymentStatus> { kind: 'Deployment'; spec: DeploymentSpec }
/** A Volume object. */ export interface Volume extends ApiObject<VolumeSpec, VolumeStatus> { kind: 'Volume'; spec: VolumeSpec }
/** A Lease object. */ export interface Lease extends ApiObject<LeaseSpec> { kind: 'Lease'; spec?: LeaseSpec }
/** A JobVersion object. */ export interface JobVersion extends ApiObject<JobVersionSpec> { kind: 'JobVersion'; spec: JobVersionSpec }
/** A Namespace object. */ export interface Namespace extends ApiObject<{ finalizers?: string[] }, { phase?: 'Active' | 'Terminating' }> { kind: 'Namespace' }
/** An Event object (core/v1, flat). */
export type Event = Omit<Static<typeof EventSchema>, 'metadata'> & { metadata: ApiObject['metadata'] };
/** A ConfigMap object (core/v1, flat). */
export type ConfigMap = Omit<Static<typeof ConfigMapSchema>, 'metadata'> & { metadata: ApiObject['metadata'] };
/** A Secret object (core/v1, flat). */
export type Secret = Omit<Static<typeof SecretSchema>, 'metadata'> & { metadata: ApiObject['metadata'] };
/** An RBAC rule. */ export type PolicyRule = Static<typeof PolicyRuleSchema>;
/** An RBAC binding subject. */ export type Subject = Static<typeof SubjectSchema>;
/** An RBAC binding's role reference. */ export type RoleRef = Static<typeof RoleRefSchema>;
/** A Role or ClusterRole (rbac.authorization.k8s.io/v1, flat). */
export type Role = Omit<Static<typeof RoleSchema>, 'metadata' | 'kind'> & { kind: 'Role' | 'ClusterRole'; metadata: ApiObject['metadata'] };
/** A RoleBinding or ClusterRoleBinding (rbac.authorization.k8s.io/v1, flat). */
export type RoleBinding = Omit<Static<typeof RoleBindingSchema>, 'metadata' | 'kind'> & { kind: 'RoleBinding' | 'ClusterRoleBinding'; metadata: ApiObject['metadata'] };
/** A Token record (auth.drover.dev/v1): the name is the token's SHA-256. */
export type Token = Omit<Static<typeof TokenSchema>, 'metadata'> & { metadata: ApiObject['metadata'] };
/** A CustomResourceDefinition object (apiextensions.k8s.io/v1). */
export type CustomResourceDefinition = Omit<Static<typeof CrdSchema>, 'metadata'> & { metadata: ApiObject['metadata'] };
/** A ServiceAccount object (core/v1, flat). */
export type ServiceAccount = Omit<Static<typeof ServiceAccountSchema>, 'metadata'> & { metadata: ApiObject['metadata'] };

// ---- Registry ----

/** Reads a dotted path (`spec.nodeName`) of an object as a field-selector string. */
function field(path: string): (obj: ApiObject) => string | undefined {
  const parts = path.split('.');
  return (obj) => {
    let v: unknown = obj;
    for (const p of parts) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
    return v === undefined || v === null || typeof v === 'object' ? undefined : String(v);
  };
}

/** Selectable fields from dotted paths. */
function fields(...paths: string[]): KindInfo['selectableFields'] {
  return Object.fromEntries(paths.map((p) => [p, field(p)]));
}

const age: PrinterColumn = { name: 'Age', jsonPath: '.metadata.creationTimestamp', type: 'date' };
const col = (name: string, jsonPath: string, type: PrinterColumn['type'] = 'string', priority = 0): PrinterColumn =>
  ({ name, jsonPath, type, ...(priority ? { priority } : {}) });
const count = (name: string, jsonPath: string): PrinterColumn => ({ name, jsonPath, type: 'integer', count: true });

/** Every kind Drover serves, in documentation order. */
export const kinds: KindInfo[] = [
  {
    kind: 'Namespace', group: '', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, hasStatus: true,
    schema: NamespaceSchema, selectableFields: fields('status.phase'),
    printerColumns: [col('Status', '.status.phase'), age], description: 'A scope for names of namespaced objects.',
  },
  {
    kind: 'Node', plural: 'nodes', singular: 'node', shortNames: ['no'], namespaced: false, hasStatus: true,
    schema: NodeSchema, selectableFields: fields('spec.datacenter', 'spec.nodeClass', 'spec.eligibility', 'status.phase'),
    printerColumns: [
      col('Datacenter', '.spec.datacenter'), col('Class', '.spec.nodeClass'), col('Eligibility', '.spec.eligibility'),
      col('Status', '.status.phase'), col('CPU', '.status.resources.cpu', 'integer'), col('Memory', '.status.resources.memoryMB', 'integer'),
      col('Address', '.status.address', 'string', 1), age,
    ],
    categories: ['all'], description: 'A machine that runs allocations.',
  },
  {
    kind: 'Job', plural: 'jobs', singular: 'job', shortNames: ['jb'], namespaced: true, hasStatus: true,
    schema: JobSchema, selectableFields: fields('spec.type', 'status.status'),
    printerColumns: [
      col('Type', '.spec.type'), col('Priority', '.spec.priority', 'integer'), col('Status', '.status.status'),
      col('Version', '.status.version', 'integer'), col('Datacenters', '.spec.datacenters', 'string', 1), age,
    ],
    categories: ['all'], description: 'A job: the declarative unit of work (groups of tasks and their policies).',
  },
  {
    kind: 'JobVersion', plural: 'jobversions', singular: 'jobversion', shortNames: ['jv'], namespaced: true, hasStatus: false,
    schema: JobVersionSchema, selectableFields: fields('spec.jobName'),
    printerColumns: [col('Job', '.spec.jobName'), col('Version', '.spec.version', 'integer'), col('Stable', '.spec.stable', 'boolean'), age],
    description: 'An immutable past version of a job, kept for history and rollback.',
  },
  {
    kind: 'Evaluation', plural: 'evaluations', singular: 'evaluation', shortNames: ['eval', 'evals'], namespaced: true, hasStatus: true,
    schema: EvaluationSchema, selectableFields: fields('spec.jobName', 'spec.triggeredBy', 'status.phase'),
    printerColumns: [
      col('Job', '.spec.jobName'), col('TriggeredBy', '.spec.triggeredBy'), col('Phase', '.status.phase'),
      col('Priority', '.spec.priority', 'integer', 1), col('Node', '.spec.nodeName', 'string', 1),
      col('Description', '.status.statusDescription', 'string', 1), age,
    ],
    categories: ['all'], description: 'A unit of scheduling work: reconcile one job after a change.',
  },
  {
    kind: 'Allocation', plural: 'allocations', singular: 'allocation', shortNames: ['alloc', 'allocs'], namespaced: true, hasStatus: true,
    schema: AllocationSchema,
    selectableFields: fields('spec.nodeName', 'spec.jobName', 'spec.groupName', 'spec.desiredStatus', 'spec.deploymentName', 'status.clientStatus'),
    printerColumns: [
      col('Job', '.spec.jobName'), col('Group', '.spec.groupName'), col('Node', '.spec.nodeName'), col('Desired', '.spec.desiredStatus'),
      col('Status', '.status.clientStatus'), col('Version', '.spec.jobVersion', 'integer', 1), age,
    ],
    categories: ['all'], description: 'A task group placed on a node.',
  },
  {
    kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], namespaced: true, hasStatus: true,
    schema: DeploymentSchema, selectableFields: fields('spec.jobName', 'status.phase'),
    printerColumns: [col('Job', '.spec.jobName'), col('Version', '.spec.jobVersion', 'integer'), col('Phase', '.status.phase'), age],
    categories: ['all'], description: 'The rollout of one job version.',
  },
  {
    kind: 'Volume', plural: 'volumes', singular: 'volume', shortNames: ['vol'], namespaced: true, hasStatus: true,
    schema: VolumeSchema, selectableFields: fields('spec.type', 'spec.nodeName', 'status.phase'),
    printerColumns: [col('Type', '.spec.type'), col('Capacity', '.spec.capacity'), col('Access', '.spec.accessMode'), col('Phase', '.status.phase'), age],
    description: 'A storage volume groups can claim.',
  },
  {
    kind: 'Lease', group: 'coordination.k8s.io', plural: 'leases', singular: 'lease', shortNames: [], namespaced: true, hasStatus: false,
    schema: LeaseSchema, selectableFields: fields('spec.holderIdentity'),
    printerColumns: [col('Holder', '.spec.holderIdentity'), col('Renewed', '.spec.renewTime', 'date'), age],
    description: 'A lease for leader election and node heartbeats.',
  },
  {
    kind: 'ConfigMap', group: '', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], namespaced: true, hasStatus: false,
    schema: ConfigMapSchema, selectableFields: {},
    printerColumns: [count('Data', '.data'), age], description: 'Non-confidential configuration as key-value pairs.',
  },
  {
    kind: 'Secret', group: '', plural: 'secrets', singular: 'secret', shortNames: [], namespaced: true, hasStatus: false,
    schema: SecretSchema, selectableFields: fields('type'),
    printerColumns: [col('Type', '.type'), count('Data', '.data'), age], description: 'Confidential data as key-value pairs.',
  },
  {
    kind: 'ServiceAccount', group: '', plural: 'serviceaccounts', singular: 'serviceaccount', shortNames: ['sa'], namespaced: true, hasStatus: false,
    schema: ServiceAccountSchema, selectableFields: {},
    printerColumns: [count('Secrets', '.secrets'), age], description: 'An identity for workloads and controllers.',
  },
  {
    kind: 'Event', group: '', plural: 'events', singular: 'event', shortNames: ['ev'], namespaced: true, hasStatus: false,
    schema: EventSchema,
    selectableFields: fields(
      'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
      'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'type',
    ),
    printerColumns: [
      col('Last Seen', '.lastTimestamp', 'date'), col('Type', '.type'), col('Reason', '.reason'),
      col('Object', '.involvedObject.name'), col('Message', '.message'),
    ],
    description: 'A record of something that happened to an object (core/v1 Event).',
  },
  ...securityKinds(),
  {
    kind: 'CustomResourceDefinition', group: CRD_GROUP, plural: 'customresourcedefinitions', singular: 'customresourcedefinition',
    shortNames: ['crd', 'crds'], namespaced: false, hasStatus: true, schema: CrdSchema, selectableFields: {},
    printerColumns: [col('Group', '.spec.group'), col('Kind', '.spec.names.kind'), col('Scope', '.spec.scope'), age],
    categories: ['api-extensions'], description: 'Registers a custom kind (apiextensions.k8s.io/v1) served by the same generic handler.',
  },
];

/** The kinds authentication and RBAC authorization need (served whenever authentication is on). */
function securityKinds(): KindInfo[] {
  const rbac = (kind: string, plural: string, namespaced: boolean, schema: KindInfo['schema'], columns: PrinterColumn[], description: string): KindInfo => ({
    kind, group: RBAC_GROUP, plural, singular: plural.slice(0, -1), shortNames: [], namespaced, hasStatus: false, pathSegmentNames: true,
    schema, selectableFields: {}, printerColumns: [...columns, age], description,
  });
  const roleCol = col('Role', '.roleRef.name');
  return [
    rbac('Role', 'roles', true, RoleSchema, [], 'A namespaced set of permissions (RBAC).'),
    rbac('ClusterRole', 'clusterroles', false, ClusterRoleSchema, [], 'A cluster-wide set of permissions (RBAC).'),
    rbac('RoleBinding', 'rolebindings', true, RoleBindingSchema, [roleCol], 'Grants a role in one namespace (RBAC).'),
    rbac('ClusterRoleBinding', 'clusterrolebindings', false, ClusterRoleBindingSchema, [roleCol], 'Grants a ClusterRole everywhere (RBAC).'),
    {
      kind: 'Token', group: AUTH_GROUP, plural: 'tokens', singular: 'token', shortNames: [], namespaced: false, hasStatus: false,
      schema: TokenSchema, selectableFields: fields('spec.user'),
      printerColumns: [col('User', '.spec.user'), col('Expires', '.spec.expirationTimestamp', 'date'), col('Description', '.spec.description'), age],
      description: "A bearer token's record: its SHA-256 (the name), user, groups and expiry; delete it to revoke the token.",
    },
  ];
}

/** Kinds by plural resource name ("jobs"). */
export const kindByPlural: ReadonlyMap<string, KindInfo> = new Map(kinds.map((k) => [k.plural, k]));
/** Kinds by kind name ("Job"). */
export const kindByKind: ReadonlyMap<string, KindInfo> = new Map(kinds.map((k) => [k.kind, k]));

/**
 * Resolves what a user typed (`job`, `jobs`, `Job`, `jb`, `jobs.drover.dev`, `alloc`) to a kind, case-insensitively,
 * as kubectl resolves resource arguments.
 */
export function lookupKind(nameOrShort: string): KindInfo | undefined {
  let n = nameOrShort.toLowerCase();
  for (const suffix of ['.v1.drover.dev', '.drover.dev']) if (n.endsWith(suffix)) n = n.slice(0, -suffix.length);
  // Core kinds answer to their bare names and to `configmaps.v1.` (group ''), as kubectl spells them.
  if (n.endsWith('.v1.')) n = n.slice(0, -'.v1.'.length);
  return kinds.find((k) => k.plural === n || k.singular === n || k.kind.toLowerCase() === n || k.shortNames.includes(n));
}

export { parseDuration, formatDuration } from './duration.ts';
export { defaultRestartPolicy, defaultReschedulePolicy, mergePolicy, groupUpdateStrategy, groupMigrateStrategy, type JobType } from './defaults.ts';
export { JOB_TYPES } from './job.ts';
export { TRIGGERS } from './evaluation.ts';
export { deploymentNameOf, isDeploymentActive, wantsDeployment, type DeploymentPhase } from './deployment.ts';
export { CONSTRAINT_OPERATORS, AFFINITY_OPERATORS, VOLUME_ACCESS_MODES } from './policies.ts';
export { listRuleOf, listRulesOf, type ListRule, type ListRules } from './list-rules.ts';

/** The list merge rules of every kind, by field name, as the schemas declare them (see list-rules.ts). */
export const listRules: ListRulesType = listRulesOf(Object.fromEntries(kinds.map((k) => [k.kind, k.schema])));
