// Admission of CustomResourceDefinitions: the rules Kubernetes' apiextensions validation applies that matter
// here (name = plural.group, names are DNS labels, one served and stored version, a structural schema, simple
// printer-column paths, immutable identity), plus the cleanup finalizer that lets the controller remove a
// deleted CRD's objects before the CRD itself goes.
import type { CustomResourceDefinition } from '../../../api/schemas/index.ts';
import { GROUP } from '../../../api/schemas/kind.ts';
import { CRD_GROUP } from '../../../api/schemas/crd.ts';
import type { StatusCause } from '../../apierrors/status.ts';
import type { AdmissionHook } from '../admission.ts';
import { structuralCauses } from './structural.ts';

/** The finalizer that holds a deleted CRD until its objects are gone. */
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
/** The JSONPath subset Table output evaluates: `.a.b`, `.a[0]`, `.a[*].b`, `.a['k.x']`. */
const SIMPLE_JSONPATH = /^(\.[^.[\]\s?@()]+|\[(\*|-?\d+|'[^']*'|"[^"]*")\])+$/;
/** Groups Drover serves itself: a CRD may not claim them. */
const RESERVED_GROUPS = new Set([GROUP, CRD_GROUP, 'meta.k8s.io', 'events.k8s.io', 'coordination.k8s.io']);

const invalid = (field: string, value: unknown, message: string): StatusCause =>
  ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` });
const forbidden = (field: string, message: string): StatusCause => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${message}` });

/** Causes against a CRD's spec and name (create and update alike). */
export function crdCauses(crd: CustomResourceDefinition): StatusCause[] {
  const causes: StatusCause[] = [];
  const { group, names, versions } = crd.spec;
  const want = `${names.plural}.${group}`;
  if (crd.metadata.name !== want) causes.push(invalid('metadata.name', crd.metadata.name, `must be spec.names.plural+"."+spec.group (${JSON.stringify(want)})`));
  if (!DNS_SUBDOMAIN.test(group)) causes.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  else if (RESERVED_GROUPS.has(group) || group.endsWith('.k8s.io')) causes.push(forbidden('spec.group', `group ${JSON.stringify(group)} is reserved`));
  for (const f of ['plural', 'singular', 'listKind'] as const) {
    const v = names[f];
    if (v === undefined) continue;
    if (f === 'listKind' ? !KIND.test(v) : !DNS_LABEL.test(v) || v.length > 63) {
      causes.push(invalid(`spec.names.${f}`, v, f === 'listKind' ? 'must be a CamelCase kind name' : 'a lowercase RFC 1123 label is required'));
    }
  }
  if (!KIND.test(names.kind)) causes.push(invalid('spec.names.kind', names.kind, 'must be a CamelCase kind name starting with a capital letter'));
  (names.shortNames ?? []).forEach((s, i) => {
    if (!DNS_LABEL.test(s)) causes.push(invalid(`spec.names.shortNames[${i}]`, s, 'a lowercase RFC 1123 label is required'));
  });
  (names.categories ?? []).forEach((s, i) => {
    if (!DNS_LABEL.test(s)) causes.push(invalid(`spec.names.categories[${i}]`, s, 'a lowercase RFC 1123 label is required'));
  });
  if (versions.length !== 1) {
    causes.push({ reason: 'FieldValueTooMany', field: 'spec.versions', message: `Too many: ${versions.length}: this server serves exactly one version per CustomResourceDefinition (no conversion between versions)` });
  }
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (!v.served) causes.push(invalid(`${at}.served`, v.served, 'the one version must be served'));
    if (!v.storage) causes.push(invalid(`${at}.storage`, v.storage, 'the one version must be the storage version'));
    const schema = v.schema?.openAPIV3Schema;
    if (schema === undefined) causes.push({ reason: 'FieldValueRequired', field: `${at}.schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
    else causes.push(...structuralCauses(schema, `${at}.schema.openAPIV3Schema`));
    const seen = new Set<string>();
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cat = `${at}.additionalPrinterColumns[${j}]`;
      if (!SIMPLE_JSONPATH.test(c.jsonPath)) causes.push(invalid(`${cat}.jsonPath`, c.jsonPath, 'must be a simple JSONPath such as .spec.size or .status.items[*].name (filters are not supported)'));
      if (seen.has(c.name) || c.name === 'Name' || c.name === 'Age') causes.push({ reason: 'FieldValueDuplicate', field: `${cat}.name`, message: `Duplicate value: ${JSON.stringify(c.name)}` });
      seen.add(c.name);
    });
  });
  return causes;
}

/** Causes for an update that changes what stored objects depend on. */
function immutableCauses(next: CustomResourceDefinition, old: CustomResourceDefinition): StatusCause[] {
  const causes: StatusCause[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const check = (field: string, a: unknown, b: unknown) => {
    if (!same(a, b)) causes.push(invalid(field, a, 'field is immutable'));
  };
  check('spec.scope', next.spec.scope, old.spec.scope);
  check('spec.names.kind', next.spec.names.kind, old.spec.names.kind);
  if (next.spec.versions.length === 1 && old.spec.versions.length === 1) {
    check('spec.versions[0].name', next.spec.versions[0]!.name, old.spec.versions[0]!.name);
  }
  return causes;
}

/** The CRD admission hook: cleanup finalizer on create, spec rules on every main-resource write. */
export const crdAdmission: AdmissionHook = {
  kinds: ['CustomResourceDefinition'],
  mutate(op, obj) {
    if (op !== 'CREATE') return;
    const m = obj.metadata;
    if (!(m.finalizers ?? []).includes(CLEANUP_FINALIZER)) m.finalizers = [...(m.finalizers ?? []), CLEANUP_FINALIZER];
  },
  validate(op, obj, old, ctx) {
    if (op === 'DELETE' || ctx.subresource === 'status') return [];
    const crd = obj as unknown as CustomResourceDefinition;
    const causes = crdCauses(crd);
    if (op === 'UPDATE' && old) causes.push(...immutableCauses(crd, old as unknown as CustomResourceDefinition));
    return causes;
  },
};
