/**
 * Measuring this machine's capacity, and checking a peer's claimed one.
 *
 * - cores: os.cpus().length, the logical CPUs the OS schedules on (what
 *   worker threads can use); systeminformation's si.cpu() reports the same
 *   number but costs ~0.5 s on first call (it reads dmidecode and cpuinfo).
 * - cpuLoad: si.currentLoad().currentLoad, the busy share of all cores since
 *   the previous call, i.e. over the last refresh interval.
 * - memFree: si.mem().available, the kernel's MemAvailable: free memory plus
 *   caches it can drop without swapping. "free" alone understates what a job
 *   can allocate on any Linux that has run a while (the page cache fills it).
 * - disk: statfs() on the data directory itself. The kernel answers for the
 *   filesystem that holds that path, which is exact with bind mounts,
 *   overlays and symlinks; matching si.fsSize() mount points by path prefix is
 *   a guess that fails on exactly those. diskFree is bavail (blocks available
 *   to unprivileged users, what `df` shows as Available), not bfree, which
 *   includes the root reserve the node cannot write to.
 */
import { statfs } from 'node:fs/promises'
import { cpus } from 'node:os'
import si from 'systeminformation'
import { WgtError } from '../../../shared/errors.js'
import type { Capacity } from '../../../shared/api/index.js'

export async function measureCapacity (dataDir: string, now: () => number = Date.now): Promise<Capacity> {
  const [load, mem, fs] = await Promise.all([si.currentLoad(), si.mem(), statfs(dataDir)])
  return {
    cores: cpus().length,
    cpuLoad: clamp(load.currentLoad, 0, 100),
    memTotal: mem.total,
    memFree: mem.available,
    diskTotal: fs.blocks * fs.bsize,
    diskFree: fs.bavail * fs.bsize,
    measuredAt: now()
  }
}

/** The bounds a peer's advertisement must satisfy; returns why it does not, or null. */
export function capacityProblem (c: Capacity, now: number, maxFutureSkewMs: number): string | null {
  if (!Number.isInteger(c.cores) || c.cores < 1 || c.cores > 4096) return `cores ${c.cores} is not an integer 1..4096`
  if (!Number.isFinite(c.cpuLoad) || c.cpuLoad < 0 || c.cpuLoad > 100) return `cpuLoad ${c.cpuLoad} is not within 0..100`
  for (const k of ['memTotal', 'memFree', 'diskTotal', 'diskFree', 'measuredAt'] as const) {
    if (!Number.isFinite(c[k]) || c[k] < 0) return `${k} ${c[k]} is not a finite non-negative number`
  }
  if (c.memFree > c.memTotal) return `memFree ${c.memFree} exceeds memTotal ${c.memTotal}`
  if (c.diskFree > c.diskTotal) return `diskFree ${c.diskFree} exceeds diskTotal ${c.diskTotal}`
  if (c.measuredAt > now + maxFutureSkewMs) return `measuredAt ${c.measuredAt} is ${c.measuredAt - now} ms in the future`
  return null
}

/** Same figures, ignoring when they were taken: decides whether a refresh is worth pushing. */
export function sameCapacity (a: Capacity | null, b: Capacity): boolean {
  return a != null && a.cores === b.cores && a.cpuLoad === b.cpuLoad && a.memTotal === b.memTotal &&
    a.memFree === b.memFree && a.diskTotal === b.diskTotal && a.diskFree === b.diskFree
}

/** Rounding can put a percentage a hair outside 0..100; a non-number is a failed measurement, not a zero. */
function clamp (v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) throw new WgtError('UNAVAILABLE', `CPU load could not be measured (got ${v})`)
  return Math.min(hi, Math.max(lo, v))
}
