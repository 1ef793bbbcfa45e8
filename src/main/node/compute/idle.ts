/**
 * "Contribute only while the computer is idle" (BOINC's most requested
 * control) needs the CPU load of the rest of the computer: all cores' busy
 * time (os.cpus(), ms per core) minus this process's own CPU time
 * (process.cpuUsage(), which on every platform Node supports counts all of
 * the process's threads, task threads included), over a window of a few
 * seconds. Our own tasks must not count, or a node would pause itself the
 * moment it starts a task and resume when it ends, in a loop.
 *
 * Excluding the whole process rather than only the task threads leaves the
 * node's own networking out as well: the question is whether the user's
 * other programs are busy, and they are the rest of the computer.
 */
import { cpuTimes } from '../metrics/cpu-load.js'

export interface CpuSample {
  /** busy ms summed over all cores, and busy plus idle */
  busyMs: number
  totalMs: number
  /** this process's CPU ms (user + system, all threads) */
  ownMs: number
}

/** The kernel's counters as the capacity figures read them (/proc/stat on Linux, read asynchronously), with this process's own time. */
export async function sampleCpu (): Promise<CpuSample> {
  const { busy, total } = await cpuTimes()
  const own = process.cpuUsage()
  return { busyMs: busy, totalMs: total, ownMs: (own.user + own.system) / 1000 }
}

/** The other programs' share of all cores between two samples, percent 0..100; null when the window is too short to say. */
export function otherLoad (a: CpuSample, b: CpuSample): number | null {
  const total = b.totalMs - a.totalMs
  if (!(total > 0)) return null
  const other = (b.busyMs - a.busyMs) - (b.ownMs - a.ownMs)
  return Math.min(100, Math.max(0, 100 * other / total))
}

/**
 * Samples every intervalMs while started and keeps the load over the last
 * window. Started only while a setting needs it (idleOnly).
 */
export class IdleMeter {
  private timer: ReturnType<typeof setInterval> | null = null
  private last: CpuSample | null = null
  private load: number | null = null
  private generation = 0

  constructor (private readonly intervalMs = 3000, private readonly sample: () => CpuSample | Promise<CpuSample> = sampleCpu) {}

  start (): void {
    if (this.timer != null) return
    void this.tick()
    this.timer = setInterval(() => { void this.tick() }, this.intervalMs)
    this.timer.unref()
  }

  stop (): void {
    if (this.timer != null) clearInterval(this.timer)
    this.timer = null
    this.generation++
    this.last = null
    this.load = null
  }

  /** the other programs' CPU load over the last window, percent; null before the first window ends */
  otherLoad (): number | null { return this.load }

  async tick (): Promise<void> {
    const generation = this.generation
    const now = await this.sample()
    // stopped (and maybe started again) while the sample was read: it belongs to an old window
    if (generation !== this.generation) return
    if (this.last != null) this.load = otherLoad(this.last, now) ?? this.load
    this.last = now
  }
}
