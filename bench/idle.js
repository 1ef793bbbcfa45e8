/**
 * Idle cost (issue 12, item 7): seven real `wgt daemon` processes on loopback,
 * each connected to the six others, doing nothing a user asked for. What each
 * one spends then is the price of being part of the network (RTT probes,
 * metrics, capacity refreshes, the DHT, libp2p's own upkeep), paid all day on
 * every desktop. Measured from the kernel's accounting of each process
 * (/proc/PID/stat utime + stime, all threads), so nothing the daemon does is
 * missed and the bench adds nothing inside it. Target: under 1 % of one core.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onInterrupt } from './lib/children.js'
import { sleep, startDaemon, stopDaemons } from './lib/daemons.js'
import { median, round } from './lib/stats.js'
import { untilMeshed } from './files.js'

const NAMES = ['A', 'B', 'C', 'D', 'E', 'F', 'G']
const TARGET_PERCENT = 1
/**
 * Once every daemon sees the six others, the mesh still has start-up work in
 * flight: identify and identify-push on each new connection, the DHT joins
 * (dht-join.ts looks up its own key as DHT peers arrive, kad-dht fills its
 * routing table), the first capacity pushes, and the RTT probes at their fast
 * start-up cadence until each peer's window is stable (metrics/probe.ts).
 * Traced per 5 s on 7 daemons (2-core machine, loaded by other work): 2 to 3 %
 * each in the first 5 s after meshing, ~1.4 % at 10 and 15 s, then the steady
 * range; 20 s leaves a margin so the figure is the steady idle state, not the
 * tail of the join.
 */
const SETTLE_MS = 20_000

/** CPU seconds (user + system, all threads) a process has used since it started. */
async function cpuSeconds (pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // the command name (field 2) is in parentheses and may hold spaces: count fields after it
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}
// USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK) is fixed by the ABI)
const CLOCK_TICKS = 100

export async function measureIdle ({ seconds = 60, log = () => {} } = {}) {
  if (process.platform !== 'linux') throw new Error('the idle figure reads /proc/PID/stat: Linux only')
  const base = await mkdtemp(join(tmpdir(), 'wgt-bench-idle-'))
  const unregister = onInterrupt(async () => { await stopDaemons(); await rm(base, { recursive: true, force: true }) })
  try {
    log(`idle: starting ${NAMES.length} daemons`)
    const ds = [await startDaemon(NAMES[0], join(base, 'a'))]
    const boot = ds[0].api.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
    ds.push(...await Promise.all(NAMES.slice(1).map(async n => await startDaemon(n, join(base, n.toLowerCase()), ['--bootstrap', boot]))))
    await untilMeshed(ds)
    log(`idle: meshed, settling ${SETTLE_MS / 1000} s, then measuring ${seconds} s`)
    await sleep(SETTLE_MS)
    const before = await Promise.all(ds.map(async d => await cpuSeconds(d.child.pid)))
    const t0 = performance.now()
    await sleep(seconds * 1000)
    const after = await Promise.all(ds.map(async d => await cpuSeconds(d.child.pid)))
    const elapsed = (performance.now() - t0) / 1000
    for (const d of ds) {
      if (d.child.exitCode != null || d.child.signalCode != null) throw new Error(`daemon ${d.name} exited during the idle measurement`)
    }
    const percent = after.map((a, i) => 100 * (a - before[i]) / elapsed)
    const med = median(percent)
    const max = Math.max(...percent)
    log(`idle: % of one core ${percent.map(p => p.toFixed(2)).join(' ')} (median ${med.toFixed(2)}, max ${max.toFixed(2)})`)
    return {
      daemons: ds.length,
      peersEach: ds.length - 1,
      settleSeconds: SETTLE_MS / 1000,
      seconds: round(elapsed, 1),
      unit: '% of one core (user + system CPU time / wall time)',
      percentPerDaemon: Object.fromEntries(ds.map((d, i) => [d.name, round(percent[i], 2)])),
      median: round(med, 2),
      max: round(max, 2),
      target: { belowPercent: TARGET_PERCENT, met: max < TARGET_PERCENT }
    }
  } finally {
    unregister()
    await stopDaemons()
    await rm(base, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 60)
  measureIdle({ seconds, log: m => process.stderr.write(m + '\n') })
    .then(r => { process.stdout.write(JSON.stringify(r, null, 2) + '\n') })
    .catch(err => { process.stderr.write(`${err.stack}\n`); process.exitCode = 1 })
}
