/**
 * Watching a live daemon while it is attacked: its resident memory (VmRSS
 * from /proc, sampled; VmHWM at the end), and what an honest peer sees of it
 * meanwhile (RTT of the probe, `wgt ping`, tagged by phase), summarised as
 * median and p95 per phase and their ratio to the phase before the attack.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WGT = `${ROOT}bin/wgt`

/** `wgt ARGS --data-dir DIR --json`: the parsed output, or an error with its stderr. */
export async function wgtJsonIn (dataDir, args, timeoutMs = 60_000) {
  const child = spawn(WGT, [...args, '--data-dir', dataDir, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', s => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', s => { stderr += s })
  const [code] = await once(child, 'close')
  if (code !== 0) throw new Error(`wgt ${args.join(' ')} exited ${code}: ${stderr.trim()}`)
  return JSON.parse(stdout)
}

/** The victim's view of each peer's reputation, from `wgt peers`. */
export async function reputations (dataDir) {
  const peers = await wgtJsonIn(dataDir, ['peers'])
  return new Map(peers.map(p => [p.peerId, p.reputation]))
}

export async function statusKiB (pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  if (m == null) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(m[1])
}

/** VmRSS sampled every everyMs; peak and last in bytes. Stops by itself when the process is gone. */
export function watchRss (pid, everyMs = 200) {
  const w = { peak: 0, last: 0, samples: 0, gone: false }
  const timer = setInterval(() => {
    statusKiB(pid, 'VmRSS').then(kib => {
      w.last = kib * 1024
      w.peak = Math.max(w.peak, w.last)
      w.samples++
    }, () => { w.gone = true; clearInterval(timer) })
  }, everyMs)
  timer.unref()
  return { state: w, reset: () => { w.peak = w.last }, stop: () => { clearInterval(timer); return w } }
}

export function percentile (values, p) {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]
}

const round = (x, d = 3) => x == null ? null : Math.round(x * 10 ** d) / 10 ** d

/**
 * An honest peer measuring the victim in a loop: measure() answers an array of
 * times in ms (null for a lost probe) and throws when the peer is not answered
 * at all. Samples go to the current phase (setPhase; the first is `first`).
 * stop() answers, per phase, samples, answered, median and p95 ms, and their
 * ratio to those of phase `base`.
 */
export function honestLoop (measure, { first = 'before', base = first, pauseMs = 0 } = {}) {
  const phases = new Map([[first, { rtts: [], lost: 0, failedCalls: 0, calls: 0 }]])
  let phase = first
  let running = true
  const loop = (async () => {
    while (running) {
      const p = phases.get(phase)
      p.calls++
      try {
        for (const r of await measure()) {
          if (r == null) p.lost++
          else p.rtts.push(r)
        }
      } catch {
        p.failedCalls++
      }
      await new Promise(resolve => setTimeout(resolve, pauseMs))
    }
  })()
  return {
    setPhase (name) {
      if (!phases.has(name)) phases.set(name, { rtts: [], lost: 0, failedCalls: 0, calls: 0 })
      phase = name
    },
    /** the figures so far, the loop still running */
    summary,
    async stop () {
      running = false
      await loop
      return summary()
    }
  }

  function summary () {
    const ref = phases.get(base) ?? phases.get(first)
    const baseMedian = percentile(ref.rtts, 50)
    const baseP95 = percentile(ref.rtts, 95)
    const out = {}
    for (const [name, p] of phases) {
      const median = percentile(p.rtts, 50)
      const p95 = percentile(p.rtts, 95)
      out[name] = {
        calls: p.calls,
        failedCalls: p.failedCalls,
        samples: p.rtts.length + p.lost,
        answered: p.rtts.length,
        medianMs: round(median),
        p95Ms: round(p95),
        maxMs: round(p.rtts.length > 0 ? Math.max(...p.rtts) : null),
        medianRatio: median != null && baseMedian ? round(median / baseMedian, 2) : null,
        p95Ratio: p95 != null && baseP95 ? round(p95 / baseP95, 2) : null
      }
    }
    return out
  }
}

/** `wgt ping` from the honest peer's data directory: the RTTs, null for lost probes. */
export function pingVia (honestDir, victimId, count = 5) {
  return async () => (await wgtJsonIn(honestDir, ['ping', victimId, '--count', String(count)], 30_000)).rtts
}

/**
 * `wgt fetch` of the next link not fetched yet (a fetcher keeps the shards it
 * used, so a second fetch of a link would not ask the victim): its time in ms,
 * nothing once every link was fetched. Throws when the fetch fails.
 */
export function fetchVia (honestDir, links, outDir, timeoutMs = 60_000) {
  let next = 0
  return async () => {
    if (next >= links.length) return []
    const i = next++
    const t0 = performance.now()
    await wgtJsonIn(honestDir, ['fetch', links[i], '-o', `${outDir}/fetched-${i}`], timeoutMs)
    return [performance.now() - t0]
  }
}
