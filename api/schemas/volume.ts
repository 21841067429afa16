// Volume: a registered storage volume (host or CSI) that groups claim.
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, Timestamp, Conditions } from './common.ts';
import { envelope } from './meta.ts';
import { VOLUME_ACCESS_MODES } from './policies.ts';

/** A quantity such as "10Gi" or "500M" (Kubernetes resource quantity suffixes). */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';

/** The volume definition. */
export const VolumeSpec = Obj(
  {
    type: StringEnum(['host', 'csi'], { description: 'host: a directory on one node; csi: provided by a CSI plugin.' }),
    capacity: Type.Optional(Type.String({ pattern: QUANTITY_PATTERN, 'x-drover-pattern-message': 'must be a quantity such as "10Gi" or "500M"', description: 'Size.' })),
    accessMode: StringEnum(VOLUME_ACCESS_MODES, { description: 'How many nodes may use it and how.' }),
    attachmentMode: Type.Optional(StringEnum(['file-system', 'block-device'], { default: 'file-system', description: 'How it is attached.' })),
    nodeName: Type.Optional(Type.String({ description: 'Node the volume lives on (host volumes).' })),
    pluginId: Type.Optional(Type.String({ description: 'CSI plugin that provides it.' })),
  },
  { description: 'The volume.' },
);

/** One allocation's claim on the volume. */
export const VolumeClaim = Obj(
  {
    allocationName: Type.String({ description: 'Claiming allocation.' }),
    nodeName: Type.Optional(Type.String({ description: 'Node of the claiming allocation.' })),
    mode: StringEnum(['read', 'write'], { description: 'Claim mode.' }),
    time: Type.Optional(Timestamp({ description: 'When the claim was made.' })),
  },
  { description: 'A claim on the volume.' },
);

/** Claims and availability. */
export const VolumeStatus = Obj(
  {
    phase: Type.Optional(StringEnum(['pending', 'available', 'in-use', 'released', 'failed'], { description: 'Volume phase.' })),
    claims: Type.Optional(Type.Array(VolumeClaim, { description: 'Current claims.' })),
    conditions: Type.Optional(Conditions()),
  },
  { description: 'Observed state of the volume.' },
);

/** The Volume object schema. */
export const VolumeSchema = envelope({ kind: 'Volume', spec: VolumeSpec, status: VolumeStatus, description: 'A storage volume groups can claim.' });
