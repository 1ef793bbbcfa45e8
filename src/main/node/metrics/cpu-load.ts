/**
 * The busy share of all cores between two readings, from the kernel's CPU time
 * counters: /proc/stat on Linux, os.cpus() elsewhere.
 *
 * Hand-written rather than systeminformation's currentLoad(), which on Linux
 * runs `execSync('cat /proc/stat | grep cpu')` on every call: a shell spawned
 * synchronously, the event loop blocked until it exits. With the capacity
 * refresh every 5 s, that was 10 % of all CPU samples of 20 daemons sharing
 * this 2-core machine (--cpu-prof, while their swarm formed), and each call
 * stalled the node's pings and streams behind it. An asynchronous read of the
 * same file gives the same figures.
 */
import { readFile } from 'node:fs/promises'
import { cpus } from 'node:os'

export interface CpuTimes {
  /** time spent on anything but idling, summed over all cores */
  busy: number
  /** busy plus idle */
  total: number
}

/** Counters since boot. Steal (time a hypervisor gave to others) counts as busy, as in top. */
export async function cpuTimes (): Promise<CpuTimes> {
  if (process.platform === 'linux') {
    const stat = await readFile('/proc/stat', 'utf8').catch(() => null)
    const line = stat?.split('\n').find(l => l.startsWith('cpu '))
    if (line != null) {
      // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
      const busy = user + nice + system + irq + softirq + (steal ?? 0)
      const times = { busy, total: busy + idle + (iowait ?? 0) }
      if (Number.isFinite(times.busy) && Number.isFinite(times.total)) return times
    }
  }
  let busy = 0
  let total = 0
  for (const { times } of cpus()) {
    const b = times.user + times.nice + times.sys + times.irq
    busy += b
    total += b + times.idle
  }
  return { busy, total }
}

/** Load in percent since the previous read() (since boot on the first). */
export class CpuLoad {
  private last: CpuTimes = { busy: 0, total: 0 }
  private lastLoad = 0

  constructor (private readonly times: () => Promise<CpuTimes> = cpuTimes) {}

  async read (): Promise<number> {
    const now = await this.times()
    const total = now.total - this.last.total
    const busy = now.busy - this.last.busy
    this.last = now
    // two reads within one clock tick: nothing new to say
    if (total > 0) this.lastLoad = Math.min(100, Math.max(0, 100 * busy / total))
    return this.lastLoad
  }
}
