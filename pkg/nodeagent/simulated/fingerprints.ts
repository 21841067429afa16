// Made-up but realistic fingerprints for hollow nodes: a fleet mixes a dozen machine types (2-32 cores at
// 2.0-3.6 GHz, 4-256 GiB, amd64 and arm64), a few kernels and distributions, node classes by size, racks, and
// every driver detected and healthy. Deterministic per (seed, index), so a fleet restarted with the same flags re-registers
// the same machines.
import { seededRandom, type Random } from '../../scheduler/random.ts';
import type { DriverHealth, NodeFingerprint } from '../fingerprint.ts';

/** What shapes a simulated fleet. */
export interface FleetShape {
  datacenter: string;
  /** Node names are `<prefix><index>`, the index zero-padded to five digits. */
  namePrefix: string;
  /** Seed of the variation (default: the prefix). */
  seed?: string;
  /** Racks the nodes are spread over (default 10), exported as `meta.rack` (part of the computed class, as in Nomad). */
  racks?: number;
  agentVersion?: string;
}

/**
 * The machine types of the fleet, as a cloud or a rack of servers offers them: real fleets are a handful of
 * shapes, not every node unique (which matters: the scheduler caches feasibility per computed class).
 * Weights make the small and medium shapes common and the big ones rare.
 */
const MACHINE_TYPES: Array<{ cores: number; mhz: number; gib: number; diskGiB: number; arch: 'amd64' | 'arm64'; model: string; weight: number }> = [
  { cores: 2, mhz: 2500, gib: 4, diskGiB: 50, arch: 'amd64', model: 'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz', weight: 6 },
  { cores: 2, mhz: 3000, gib: 8, diskGiB: 100, arch: 'arm64', model: 'Neoverse-N1', weight: 4 },
  { cores: 4, mhz: 3100, gib: 16, diskGiB: 100, arch: 'amd64', model: 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz', weight: 10 },
  { cores: 4, mhz: 2600, gib: 8, diskGiB: 100, arch: 'amd64', model: 'AMD EPYC 7R13 Processor', weight: 8 },
  { cores: 8, mhz: 3500, gib: 16, diskGiB: 200, arch: 'amd64', model: 'Intel(R) Xeon(R) Platinum 8488C CPU @ 3.50GHz', weight: 10 },
  { cores: 8, mhz: 2600, gib: 32, diskGiB: 200, arch: 'arm64', model: 'Neoverse-V1', weight: 6 },
  { cores: 8, mhz: 2000, gib: 64, diskGiB: 400, arch: 'amd64', model: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', weight: 5 },
  { cores: 16, mhz: 3600, gib: 32, diskGiB: 400, arch: 'amd64', model: 'AMD EPYC 9R14 Processor', weight: 6 },
  { cores: 16, mhz: 2450, gib: 128, diskGiB: 800, arch: 'amd64', model: 'AMD EPYC 7763 64-Core Processor', weight: 3 },
  { cores: 24, mhz: 2900, gib: 96, diskGiB: 900, arch: 'amd64', model: 'Intel(R) Xeon(R) Platinum 8275CL CPU @ 3.00GHz', weight: 2 },
  { cores: 32, mhz: 2200, gib: 256, diskGiB: 1800, arch: 'amd64', model: 'AMD EPYC 7571', weight: 2 },
  { cores: 32, mhz: 2600, gib: 128, diskGiB: 1800, arch: 'arm64', model: 'Neoverse-V1', weight: 2 },
];
const TOTAL_WEIGHT = MACHINE_TYPES.reduce((n, t) => n + t.weight, 0);
const DISTROS: Array<{ os: string; version: string; kernel: string; weight: number }> = [
  { os: 'ubuntu', version: '22.04', kernel: '5.15.0-91-generic', weight: 5 },
  { os: 'ubuntu', version: '24.04', kernel: '6.8.0-45-generic', weight: 3 },
  { os: 'debian', version: '12', kernel: '6.1.0-18-amd64', weight: 2 },
];
const DISTRO_WEIGHT = DISTROS.reduce((n, d) => n + d.weight, 0);

/** The every-driver-healthy set a hollow node advertises. */
export function simulatedDrivers(): Record<string, DriverHealth> {
  return {
    mock: { detected: true, healthy: true, description: 'Healthy' },
    raw_exec: { detected: true, healthy: true, description: 'Healthy' },
    exec: { detected: true, healthy: true, description: 'Healthy' },
    docker: { detected: true, healthy: true, description: 'Healthy', attributes: { version: '24.0.7', runtimes: 'runc' } },
  };
}

/** The name of the index-th hollow node. */
export function hollowNodeName(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(5, '0')}`;
}

/** The fingerprint of the index-th node of a fleet. */
export function simulatedFingerprint(shape: FleetShape, index: number): NodeFingerprint {
  const rng = seededRandom(`${shape.seed ?? shape.namePrefix}/${index}`);
  const name = hollowNodeName(shape.namePrefix, index);
  const type = weighted(rng, MACHINE_TYPES, TOTAL_WEIGHT);
  const distro = weighted(rng, DISTROS, DISTRO_WEIGHT);
  const kernel = type.arch === 'arm64' ? distro.kernel.replace(/amd64$/, 'arm64') : distro.kernel;
  return {
    name,
    datacenter: shape.datacenter,
    nodeClass: `${type.arch === 'arm64' ? 'arm-' : ''}${sizeClass(type.cores)}`,
    meta: { rack: `r${String(index % (shape.racks ?? 10)).padStart(2, '0')}`, simulated: 'true' },
    facts: {
      hostname: name,
      cpuMHz: type.mhz,
      cores: type.cores,
      cpuModel: type.model,
      memoryMB: type.gib * 1024,
      diskMB: type.diskGiB * 1024,
      arch: type.arch,
      kernelName: 'linux',
      kernelVersion: kernel,
      osName: distro.os,
      osVersion: distro.version,
      address: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
    },
    drivers: simulatedDrivers(),
    agentVersion: shape.agentVersion,
  };
}

function sizeClass(cores: number): string {
  if (cores <= 4) return 'small';
  if (cores <= 8) return 'medium';
  if (cores <= 16) return 'large';
  return 'xlarge';
}

function weighted<T extends { weight: number }>(rng: Random, items: readonly T[], total: number): T {
  let r = rng.next() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}
