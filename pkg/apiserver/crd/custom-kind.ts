// A CustomResourceDefinition's served version as a KindInfo: the registry entry the generic handler, watch
// cache, discovery, OpenAPI and Table output read, exactly as they read Drover's own kinds.
import type { CustomResourceDefinition } from '../../../api/schemas/index.ts';
import type { KindInfo, PrinterColumn } from '../../../api/schemas/kind.ts';
import { ObjectMeta } from '../../../api/schemas/meta.ts';
import { toValidationSchema } from './structural.ts';

type Json = Record<string, unknown>;
/** One entry of spec.versions. */
export type CrdVersion = CustomResourceDefinition['spec']['versions'][number];

const AGE: PrinterColumn = { name: 'Age', jsonPath: '.metadata.creationTimestamp', type: 'date' };

/** The one version a CRD serves (admission allows exactly one, served and stored). */
export function servedVersion(crd: CustomResourceDefinition): CrdVersion {
  return crd.spec.versions[0]!;
}

/** The KindInfo of a CRD whose schema passed admission. */
export function kindFromCrd(crd: CustomResourceDefinition): KindInfo {
  const { group, names, scope } = crd.spec;
  const version = servedVersion(crd);
  const root = (version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Json;
  const converted = toValidationSchema(root);
  const props = { ...((converted.properties as Json | undefined) ?? {}) };
  delete props.metadata;
  const schema: Json = {
    ...converted,
    type: 'object',
    properties: {
      ...props,
      apiVersion: { type: 'string', enum: [`${group}/${version.name}`], description: `Versioned schema of this representation: ${group}/${version.name}.` },
      kind: { type: 'string', enum: [names.kind], description: `Kind of this object: ${names.kind}.` },
      metadata: ObjectMeta(),
    },
    required: [...new Set(['apiVersion', 'kind', 'metadata', ...(((converted.required as string[] | undefined) ?? []))])],
  };
  if (root['x-kubernetes-preserve-unknown-fields'] !== true) schema.additionalProperties = false;
  const columns: PrinterColumn[] = (version.additionalPrinterColumns ?? []).map((c) => ({
    name: c.name,
    jsonPath: c.jsonPath,
    type: c.type,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.priority ? { priority: c.priority } : {}),
  }));
  return {
    kind: names.kind,
    group,
    version: version.name,
    custom: true,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    namespaced: scope === 'Namespaced',
    hasStatus: version.subresources?.status !== undefined,
    schema: schema as KindInfo['schema'],
    selectableFields: {},
    printerColumns: [...columns, AGE],
    ...(names.categories && names.categories.length > 0 ? { categories: names.categories } : {}),
    description: typeof root.description === 'string' ? root.description : `${names.kind} (${crd.metadata.name}), a custom kind.`,
  };
}
