/**
 * Per-peer sliding window of probe outcomes and the statistics the UI shows.
 * A probe enters the window once it is settled (answered or timed out), so
 * in-flight probes never count as lost.
 *
 * The window is the last `size` periodic probes, not a span of time: probes
 * are 1 s apart while a peer's RTT settles or moves or someone watches, and
 * up to the idle interval (15 s) apart once it is settled (probe.ts). So a
 * settled window covers up to 15 minutes, sparser but of the same link; loss
 * is the share of those probes unanswered, and jitter the mean difference
 * between consecutive probes, whatever their spacing. A moved RTT or a lost
 * probe brings the 1 s cadence back at once, so a change fills the window as
 * fast as before.
 */
import type { RttStats } from '../../../shared/api/index.js'
import { RingBuffer } from './history.js'

export class RttWindow {
  private readonly outcomes: RingBuffer<number | null>

  constructor (size: number) {
    this.outcomes = new RingBuffer(size)
  }

  /** rtt in ms, or null for a lost probe */
  record (rtt: number | null): void {
    this.outcomes.push(rtt)
  }

  /** The last n answered RTTs in the window, oldest first (fewer if it holds fewer). */
  lastAnswered (n: number): number[] {
    const out: number[] = []
    const all = this.outcomes.toArray()
    for (let i = all.length - 1; i >= 0 && out.length < n; i--) {
      const r = all[i]
      if (r !== null) out.unshift(r)
    }
    return out
  }

  /** The answered RTTs' quantiles (each q in 0..1, as percentile() interpolates them); null when none was answered. */
  quantiles (qs: number[]): number[] | null {
    const sorted = this.outcomes.toArray().filter((r): r is number => r !== null).sort((a, b) => a - b)
    return sorted.length === 0 ? null : qs.map(q => percentile(sorted, q))
  }

  /** null until at least one probe in the window was answered: RttStats has no way to say "no samples" */
  stats (): RttStats | null {
    const all = this.outcomes.toArray()
    const answered = all.filter((r): r is number => r !== null)
    if (answered.length === 0) return null
    const sorted = [...answered].sort((a, b) => a - b)
    let sum = 0
    for (const r of answered) sum += r
    let jitterSum = 0
    for (let i = 1; i < answered.length; i++) jitterSum += Math.abs(answered[i] - answered[i - 1])
    return {
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      mean: sum / answered.length,
      min: sorted[0],
      max: sorted[sorted.length - 1],
      jitter: answered.length > 1 ? jitterSum / (answered.length - 1) : 0,
      loss: (all.length - answered.length) / all.length,
      samples: answered.length,
      sent: all.length,
      last: answered[answered.length - 1]
    }
  }
}

/** Linear interpolation between closest ranks (the "R-7" definition numpy and spreadsheets use). */
export function percentile (sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}
