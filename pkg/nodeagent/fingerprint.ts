// The node fingerprint: what an agent reports about its machine (cpu, memory, disk, os, arch, kernel, drivers,
// class, datacenter, meta), turned into a Node's spec and status with Nomad's attribute names
// (`kernel.name`, `os.name`, `cpu.arch`, `unique.hostname`, `driver.docker`...), which job constraints use as
// `${attr.<name>}`. Shared by the real agent (facts from the host) and the hollow nodes (made-up facts).
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { API_VERSION } from '../../api/schemas/kind.ts';
import type { Node, NodeSpec, NodeStatus } from '../../api/schemas/index.ts';

/** The health of one task driver, as the Node's `status.drivers` carries it. */
export interface DriverHealth {
  detected: boolean;
  healthy: boolean;
  description?: string;
  /** Driver attributes, e.g. `{ version: '24.0.7' }`; exported as `driver.<name>.<key>` node attributes. */
  attributes?: Record<string, string>;
}

/** Facts about a machine, before they become attributes. */
export interface HostFacts {
  hostname: string;
  /** Per-core clock in MHz. */
  cpuMHz: number;
  cores: number;
  cpuModel: string;
  memoryMB: number;
  diskMB: number;
  /** Go's name for the architecture: amd64, arm64... */
  arch: string;
  /** `linux`, as Go's runtime.GOOS. */
  kernelName: string;
  kernelVersion: string;
  /** Distribution id (`ubuntu`, `debian`) and version (`22.04`). */
  osName: string;
  osVersion: string;
  /** The address allocations are reachable on. */
  address: string;
}

/** Everything an agent registers about its node. */
export interface NodeFingerprint {
  name: string;
  datacenter: string;
  nodeClass?: string;
  meta: Record<string, string>;
  facts: HostFacts;
  drivers: Record<string, DriverHealth>;
  /** Resources kept back for the OS and the agent itself. */
  reserved?: { cpu?: number; memoryMB?: number; diskMB?: number };
  hostVolumes?: Record<string, { path: string; readOnly?: boolean }>;
  agentVersion?: string;
  /** Extra attributes, e.g. the real agent's `unique.agent.http` (where the API server reaches its log listener). */
  attributes?: Record<string, string>;
}

/** Nomad-style attributes of a machine (`cpu.*`, `memory.*`, `kernel.*`, `os.*`, `unique.*`). */
export function hostAttributes(f: HostFacts): Record<string, string> {
  return {
    'cpu.arch': f.arch,
    'cpu.modelname': f.cpuModel,
    'cpu.numcores': String(f.cores),
    'cpu.frequency': String(f.cpuMHz),
    'cpu.totalcompute': String(f.cpuMHz * f.cores),
    'memory.totalbytes': String(f.memoryMB * 1024 * 1024),
    'kernel.name': f.kernelName,
    'kernel.version': f.kernelVersion,
    'os.name': f.osName,
    'os.version': f.osVersion,
    'unique.hostname': f.hostname,
    'unique.network.ip-address': f.address,
    'unique.storage.bytestotal': String(f.diskMB * 1024 * 1024),
  };
}

/** `driver.<name> = 1` for each healthy detected driver, plus `driver.<name>.<attr>` (Nomad's form). */
export function driverAttributes(drivers: Record<string, DriverHealth>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, d] of Object.entries(drivers)) {
    if (!d.detected) continue;
    if (d.healthy) out[`driver.${name}`] = '1';
    for (const [k, v] of Object.entries(d.attributes ?? {})) out[`driver.${name}.${k}`] = v;
  }
  return out;
}

/** The agent-owned part of the Node spec (eligibility and drain are the operator's, so they are left out). */
export function nodeSpec(fp: NodeFingerprint): NodeSpec {
  const spec: NodeSpec = { datacenter: fp.datacenter, meta: { ...fp.meta } };
  if (fp.nodeClass) spec.nodeClass = fp.nodeClass;
  return spec;
}

/** The Node status an agent reports for `fp`, in `phase`, at `now` (ms). */
export function nodeStatus(fp: NodeFingerprint, phase: NonNullable<NodeStatus['phase']>, now: number): NodeStatus {
  const f = fp.facts;
  const drivers: NonNullable<NodeStatus['drivers']> = {};
  const at = new Date(now).toISOString();
  for (const [name, d] of Object.entries(fp.drivers)) {
    drivers[name] = { detected: d.detected, healthy: d.healthy, updateTime: at };
    if (d.description) drivers[name]!.description = d.description;
    if (d.attributes) drivers[name]!.attributes = { ...d.attributes };
  }
  const status: NodeStatus = {
    phase,
    resources: { cpu: f.cpuMHz * f.cores, cores: f.cores, memoryMB: f.memoryMB, diskMB: f.diskMB },
    attributes: { ...hostAttributes(f), ...driverAttributes(fp.drivers), ...(fp.agentVersion ? { 'drover.version': fp.agentVersion } : {}), ...(fp.attributes ?? {}) },
    drivers,
    address: f.address,
    lastHeartbeat: at,
  };
  if (fp.reserved) status.reserved = { ...fp.reserved };
  if (fp.hostVolumes) status.hostVolumes = structuredClone(fp.hostVolumes);
  if (fp.agentVersion) status.agentVersion = fp.agentVersion;
  return status;
}

/** A new Node object for `fp` (status is written separately, through /status). */
export function nodeObject(fp: NodeFingerprint): Node {
  return { apiVersion: API_VERSION, kind: 'Node', metadata: { name: fp.name }, spec: nodeSpec(fp) };
}

/** Go's architecture name for Node's `process.arch`. */
export function goArch(nodeArch: string): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };
  return names[nodeArch] ?? nodeArch;
}

/** Facts about the machine this process runs on (for the real agent). */
export async function hostFacts(opts: { root?: string; address?: string } = {}): Promise<HostFacts> {
  const cpus = os.cpus();
  const release = await readOsRelease();
  let diskMB = 0;
  try {
    const s = await statfs(opts.root ?? '/');
    diskMB = Math.floor((s.blocks * s.bsize) / (1024 * 1024));
  } catch {
    // No statfs (unusual filesystems): the node advertises no disk rather than failing to register.
  }
  return {
    hostname: os.hostname(),
    cpuMHz: cpus[0]?.speed || (await cpuinfoMHz()) || 2000,
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMB: Math.floor(os.totalmem() / (1024 * 1024)),
    diskMB,
    arch: goArch(os.arch()),
    kernelName: os.platform(),
    kernelVersion: os.release(),
    osName: release.ID ?? os.platform(),
    osVersion: release.VERSION_ID ?? '',
    address: opts.address ?? firstAddress() ?? '127.0.0.1',
  };
}

// Virtual machines often report speed 0 through os.cpus(); /proc/cpuinfo may still know.
async function cpuinfoMHz(): Promise<number | undefined> {
  try {
    const m = /cpu MHz\s*:\s*([0-9.]+)/.exec(await readFile('/proc/cpuinfo', 'utf8'));
    return m ? Math.round(Number(m[1])) : undefined;
  } catch {
    return undefined;
  }
}

async function readOsRelease(): Promise<Record<string, string>> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const out: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
    }
    return out;
  } catch {
    return {};
  }
}

function firstAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
