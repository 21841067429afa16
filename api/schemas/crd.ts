// CustomResourceDefinition (apiextensions.k8s.io/v1): how a third party registers its own kind. The envelope is
// strict like every kind's; `openAPIV3Schema` is free-form here and checked as a structural schema at admission
// (pkg/apiserver/crd/structural.ts), where every keyword Drover does not implement is refused by name.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, Fixed, FreeForm, Int, Conditions, SetList } from './common.ts';
import { ObjectMeta } from './meta.ts';

/** The API group and apiVersion of CustomResourceDefinitions. */
export const CRD_GROUP = 'apiextensions.k8s.io';
export const CRD_API_VERSION = `${CRD_GROUP}/v1`;

const names = (description: string) =>
  Obj(
    {
      plural: Type.String({ minLength: 1, description: 'Plural resource name, used in paths: `widgets`.' }),
      singular: Type.Optional(Type.String({ description: 'Singular name (default: the lower-cased kind).' })),
      kind: Type.String({ minLength: 1, description: 'The kind of the objects: `Widget`.' }),
      listKind: Type.Optional(Type.String({ description: 'The kind of a list (default: `<kind>List`).' })),
      shortNames: Type.Optional(SetList(Type.String(), { description: 'Short names kubectl accepts: `wd`.' })),
      categories: Type.Optional(SetList(Type.String(), { description: 'Groups of resources, such as `all`.' })),
    },
    { description },
  );

const PrinterColumn = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Column header.' }),
    type: StringEnum(['string', 'integer', 'number', 'boolean', 'date'], { description: 'Type of the cell.' }),
    jsonPath: Type.String({ minLength: 1, description: 'Simple JSONPath into each object: `.spec.size`.' }),
    description: Type.Optional(Type.String({ description: 'Human-readable description of the column.' })),
    priority: Type.Optional(Int({ minimum: 0, description: '0 = always shown; above 0 only with `-o wide`.' })),
    format: Type.Optional(Type.String({ description: 'Optional format of the cell (informational).' })),
  },
  { description: 'A column of table output (`kubectl get`).' },
);

const Version = Obj(
  {
    name: Type.String({ minLength: 1, pattern: '^v[0-9]+((alpha|beta)[0-9]+)?$', 'x-drover-pattern-message': 'must be a version such as v1, v1beta1 or v2alpha3', description: 'The version, served at `/apis/<group>/<name>`.' }),
    served: Type.Boolean({ description: 'Whether this version is served.' }),
    storage: Type.Boolean({ description: 'Whether objects are stored at this version (exactly one version).' }),
    schema: Type.Optional(Obj({ openAPIV3Schema: FreeForm({ description: 'The structural OpenAPI v3 schema of the objects.' }) }, { description: 'Validation schema.' })),
    subresources: Type.Optional(
      Obj(
        { status: Type.Optional(Obj({}, { description: 'Enables the /status subresource: status is written only there.' })) },
        { description: 'Subresources served for this version (status only; scale is refused).' },
      ),
    ),
    additionalPrinterColumns: Type.Optional(Type.Array(PrinterColumn, { description: 'Table columns besides NAME and AGE.' })),
  },
  { description: 'One version of the custom kind.' },
);

/** CustomResourceDefinition spec. */
export const CrdSpec = Obj(
  {
    group: Type.String({ minLength: 1, description: 'The API group of the kind (a DNS subdomain with a dot): `example.com`.' }),
    names: names('Names of the kind.'),
    scope: StringEnum(['Namespaced', 'Cluster'], { description: 'Whether objects live in namespaces.' }),
    versions: Type.Array(Version, { minItems: 1, description: 'The versions served; Drover serves exactly one.' }),
    conversion: Type.Optional(Obj({ strategy: StringEnum(['None'], { description: 'Only None: no webhook conversion.' }) }, { description: 'Conversion between versions.' })),
    preserveUnknownFields: Type.Optional(Type.Boolean({ enum: [false], description: 'Must be false (pruning of unknown fields is always on).' })),
  },
  { description: 'What the custom kind is called and how its objects are validated and shown.' },
);

/** CustomResourceDefinition status. */
export const CrdStatus = Obj(
  {
    conditions: Type.Optional(Conditions({ description: 'Established and NamesAccepted.' })),
    acceptedNames: Type.Optional(names('The names actually served.')),
    storedVersions: Type.Optional(Type.Array(Type.String(), { description: 'Versions objects have been stored at.' })),
  },
  { description: 'Whether the kind is served.' },
);

/** The CustomResourceDefinition object schema. */
export const CrdSchema = Obj(
  {
    apiVersion: Fixed(CRD_API_VERSION, { description: `Versioned schema of this representation: ${CRD_API_VERSION}.` }),
    kind: Fixed('CustomResourceDefinition', { description: 'Kind of this object: CustomResourceDefinition.' }),
    metadata: ObjectMeta(),
    spec: CrdSpec,
    status: Type.Optional(CrdStatus),
  },
  { description: 'Registers a custom kind served by the API server.' },
);
