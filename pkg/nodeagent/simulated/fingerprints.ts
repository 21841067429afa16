// Made-up but realistic fingerprints for hollow nodes: a fleet mixes machine sizes (2-32 cores at 2.0-3.6 GHz,
// 4-256 GiB), amd64 and arm64, a few kernels and distributions, node classes by size, racks, and every driver
// detected and healthy. Deterministic per (seed, index), so a fleet restarted with the same flags re-registers
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
  /** Racks the nodes are spread over (default 40), exported as `meta.rack`. */
  racks?: number;
  agentVersion?: string;
}

const CORES = [2, 4, 8, 8, 16, 16, 24, 32];
const KERNELS: Array<{ os: string; version: string; kernel: string }> = [
  { os: 'ubuntu', version: '22.04', kernel: '5.15.0-91-generic' },
  { os: 'ubuntu', version: '24.04', kernel: '6.8.0-45-generic' },
  { os: 'debian', version: '12', kernel: '6.1.0-18-amd64' },
  { os: 'rocky', version: '9.3', kernel: '5.14.0-362.8.1.el9_3.x86_64' },
];
const CPU_MODELS: Record<string, string[]> = {
  amd64: ['Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', 'AMD EPYC 7763 64-Core Processor', 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz'],
  arm64: ['Neoverse-N1', 'Neoverse-V1'],
};

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
  const cores = pick(rng, CORES);
  const arch = rng.next() < 0.25 ? 'arm64' : 'amd64';
  // Memory follows the core count (2-8 GiB per core), rounded to a power of two, within 4-256 GiB.
  const gib = clamp(2 ** Math.round(Math.log2(cores * (2 + rng.int(7)))), 4, 256);
  const distro = pick(rng, KERNELS);
  const kernel = arch === 'arm64' ? distro.kernel.replace('x86_64', 'aarch64').replace(/amd64$/, 'arm64') : distro.kernel;
  return {
    name,
    datacenter: shape.datacenter,
    nodeClass: `${arch === 'arm64' ? 'arm-' : ''}${sizeClass(cores)}`,
    meta: { rack: `r${String(index % (shape.racks ?? 40)).padStart(2, '0')}`, simulated: 'true' },
    facts: {
      hostname: name,
      cpuMHz: 2000 + 100 * rng.int(17),
      cores,
      cpuModel: pick(rng, CPU_MODELS[arch]!),
      memoryMB: gib * 1024,
      diskMB: (50 + 50 * rng.int(40)) * 1024,
      arch,
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

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
