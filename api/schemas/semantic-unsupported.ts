// Job fields that the schema carries (so Nomad's vocabulary has a place and converters can name them) but that
// nothing in Drover acts on yet. Accepting them would be a silent lie — a job asking for a GPU would run without
// one — so admission refuses each with a 422 naming the field and why. The Nomad converter refuses the same
// fields at their file position (pkg/jobformats/README.md, "Not honoured"); this is the one list for Drover's own
// manifests. A field leaves this file when the code that honours it lands (test/job-fields.test.ts checks that
// every Job field is either exercised by a test or refused here).
import type { StatusCause } from '../../pkg/apierrors/status.ts';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const forbidden = (field: string, why: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${why}`, field });

const WHY = {
  allAtOnce: 'gang placement is not supported: plans commit per node (pkg/plancommit), so "all or none" cannot be kept; omit it or set false',
  stagger: 'not supported: Drover paces rolling updates by allocation health (minHealthyTime, maxParallel), not by a fixed delay between batches',
  hostNetwork: 'named host networks are not supported: ports bind on the node address',
  devices: 'device requests are not supported: no agent fingerprints or mounts devices, so the task would run without them',
  cores: 'exclusive core reservation is not supported: ask for cpu in MHz',
  stopAfterClientDisconnect: 'not supported: agents keep running allocations while disconnected, and the health controller replaces them once the node is down',
  maxClientDisconnect: 'not supported: allocations on a node that is down are replaced (lost), never kept as unknown',
  networkMode: 'only "host" networking is supported: tasks share the node\'s network (docker tasks get their ports mapped by docker)',
  tags: 'not supported: services are not registered in a catalogue, so tags have no reader',
  canaryTags: 'not supported: services are not registered in a catalogue, so tags have no reader',
  sticky: 'not supported: a replacement is not preferred on the previous node and the agent does not hand the disk over',
  migrate: 'not supported: the agent does not copy an ephemeral disk to a replacement on another node',
} as const;

/** migrate.healthCheck "manual" would never let a drain move its next batch: nobody sets a migration's health. */
function migrateCauses(migrate: unknown, path: string): StatusCause[] {
  if (!isObj(migrate) || migrate.healthCheck !== 'manual') return [];
  return [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "manual": supported values: "checks", "task_states" (nobody judges a migrated allocation by hand)', field: `${path}.healthCheck` }];
}

/** Causes for the fields of a job spec at `path` that nothing honours. */
export function unsupportedFieldCauses(spec: Json, path: string): StatusCause[] {
  const causes: StatusCause[] = [...migrateCauses(spec.migrate, `${path}.migrate`)];
  if (spec.allAtOnce === true) causes.push(forbidden(`${path}.allAtOnce`, WHY.allAtOnce));
  if (isObj(spec.update) && spec.update.stagger !== undefined) causes.push(forbidden(`${path}.update.stagger`, WHY.stagger));
  list(spec.groups).forEach((g, gi) => {
    if (!isObj(g)) return;
    const gp = `${path}.groups[${gi}]`;
    causes.push(...migrateCauses(g.migrate, `${gp}.migrate`));
    if (isObj(g.update) && g.update.stagger !== undefined) causes.push(forbidden(`${gp}.update.stagger`, WHY.stagger));
    for (const k of ['stopAfterClientDisconnect', 'maxClientDisconnect'] as const) {
      if (g[k] !== undefined) causes.push(forbidden(`${gp}.${k}`, WHY[k]));
    }
    if (isObj(g.network) && g.network.mode !== undefined && g.network.mode !== 'host') causes.push(forbidden(`${gp}.network.mode`, WHY.networkMode));
    if (isObj(g.ephemeralDisk)) {
      for (const k of ['sticky', 'migrate'] as const) if (g.ephemeralDisk[k] === true) causes.push(forbidden(`${gp}.ephemeralDisk.${k}`, WHY[k]));
    }
    causes.push(...serviceTagCauses(g.services, `${gp}.services`));
    list(isObj(g.network) ? g.network.ports : undefined).forEach((p, pi) => {
      if (isObj(p) && p.hostNetwork !== undefined) causes.push(forbidden(`${gp}.network.ports[${pi}].hostNetwork`, WHY.hostNetwork));
    });
    list(g.tasks).forEach((t, ti) => {
      if (!isObj(t)) return;
      causes.push(...serviceTagCauses(t.services, `${gp}.tasks[${ti}].services`));
      if (!isObj(t.resources)) return;
      const rp = `${gp}.tasks[${ti}].resources`;
      if (t.resources.devices !== undefined) causes.push(forbidden(`${rp}.devices`, WHY.devices));
      if (t.resources.cores !== undefined) causes.push(forbidden(`${rp}.cores`, WHY.cores));
    });
  });
  return causes;
}

function serviceTagCauses(services: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  list(services).forEach((svc, i) => {
    if (!isObj(svc)) return;
    for (const k of ['tags', 'canaryTags'] as const) if (svc[k] !== undefined) out.push(forbidden(`${path}[${i}].${k}`, WHY[k]));
  });
  return out;
}
