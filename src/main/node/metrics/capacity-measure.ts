/**
 * Measuring this machine's capacity, and checking a peer's claimed one.
 *
 * - cores: os.cpus().length, the logical CPUs the OS schedules on (what
 *   worker threads can use); systeminformation's si.cpu() reports the same
 *   number but costs ~0.5 s on first call (it reads dmidecode and cpuinfo).
 * - cpuLoad: the busy share of all cores since the previous measurement,
 *   i.e. over the last refresh interval (cpu-load.ts; not si.currentLoad(),
 *   which blocks the event loop on a shell).
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
import type { CpuLoad } from './cpu-load.js'
import { WgtError } from '../../../shared/errors.js'
import type { Capacity } from '../../../shared/api/index.js'

/** `load` is the caller's own reading, so the figure is over the caller's interval. */
export async function measureCapacity (dataDir: string, load: CpuLoad, now: () => number = Date.now): Promise<Capacity> {
  const [cpuLoad, mem, fs] = await Promise.all([load.read(), si.mem(), statfs(dataDir)])
  return {
    cores: cpus().length,
    cpuLoad: clamp(cpuLoad, 0, 100),
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

/**
 * Whether a new measurement is news enough to push to every peer. Each push is
 * a stream, and libp2p writes the peer store on both ends of every stream: with
 * a push whenever any figure moved (the load always does), capacity was the
 * most frequent stream of an idle 20-daemon mesh. Peers keep what they had
 * otherwise, and a measurement older than resendAfterMs is always renewed.
 */
export function worthPushing (last: Capacity | null, c: Capacity, resendAfterMs: number): boolean {
  if (last == null) return true
  if (c.cores !== last.cores || c.memTotal !== last.memTotal || c.diskTotal !== last.diskTotal) return true
  if (Math.abs(c.cpuLoad - last.cpuLoad) >= 10) return true
  if (Math.abs(c.memFree - last.memFree) >= c.memTotal / 100) return true
  if (Math.abs(c.diskFree - last.diskFree) >= c.diskTotal / 100) return true
  return c.measuredAt - last.measuredAt >= resendAfterMs
}

/** Rounding can put a percentage a hair outside 0..100; a non-number is a failed measurement, not a zero. */
function clamp (v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) throw new WgtError('UNAVAILABLE', `CPU load could not be measured (got ${v})`)
  return Math.min(hi, Math.max(lo, v))
}
