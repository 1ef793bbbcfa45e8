/**
 * One overall figure for long work: phases each own a span of 0..1, the
 * fraction never goes backwards, and speed and time left come from what the
 * last few seconds did (a sliding window), so a stall shows as a falling
 * speed instead of a frozen estimate.
 */
import { OPERATION_PHASES, type OperationKind, type OperationPhase, type OperationProgress } from '../../../shared/api/index.js'

/**
 * Where each phase starts in the overall fraction, by kind; a phase ends where
 * the next begins. Weights follow where the time goes: placing shards is a
 * share, receiving them a fetch (hashing the assembled file runs at ~1.7 GB/s,
 * receiving at tens of MB/s), finding what is missing a third of a repair.
 */
const PHASE_START: Readonly<Record<OperationKind, readonly number[]>> = {
  share: [0, 0.01, 0.97],
  fetch: [0, 0.02, 0.93],
  repair: [0, 0.3],
  // compute: making the inputs, then the tasks, then checking and writing the result
  compute: [0, 0.05, 0.95]
}

const WINDOW_MS = 5000
const SAMPLE_SPACING_MS = 100
/** a rate measured over less than this is noise */
const MIN_SPAN_MS = 1000

export class ProgressMeter {
  private phaseIndex = 0
  private fraction = 0
  private bytesDone = 0
  private bytesTotal: number | null = null
  private readonly samples: Array<{ t: number, bytes: number, fraction: number }> = []

  constructor (private readonly kind: OperationKind, private readonly now: () => number = Date.now) {
    this.samples.push({ t: now(), bytes: 0, fraction: 0 })
  }

  get phase (): OperationPhase {
    return OPERATION_PHASES[this.kind][this.phaseIndex]
  }

  /**
   * Move to `phase` (never back: an earlier phase is ignored) with `within`
   * (0..1) of it done; bytes are the file's bytes handled so far.
   */
  update (phase: OperationPhase, within: number, bytes?: { done: number, total: number | null }): void {
    const phases = OPERATION_PHASES[this.kind] as readonly OperationPhase[]
    const index = phases.indexOf(phase)
    if (index < this.phaseIndex) return
    this.phaseIndex = index
    const starts = PHASE_START[this.kind]
    const from = starts[index]
    const to = index + 1 < starts.length ? starts[index + 1] : 1
    const f = from + (to - from) * clamp01(within)
    this.fraction = Math.max(this.fraction, f)
    if (bytes != null) {
      this.bytesDone = Math.max(this.bytesDone, bytes.done)
      this.bytesTotal = bytes.total
    }
    const t = this.now()
    const last = this.samples[this.samples.length - 1]
    // updates come per 64 KiB piece: samples closer than this are merged, so the window holds ~50
    if (this.samples.length > 1 && t - this.samples[this.samples.length - 2].t < SAMPLE_SPACING_MS) Object.assign(last, { t, bytes: this.bytesDone, fraction: this.fraction })
    else this.samples.push({ t, bytes: this.bytesDone, fraction: this.fraction })
    this.slide(t)
  }

  /** keep one sample at or before the window's start, so the window spans [t - WINDOW_MS, t] */
  private slide (t: number): void {
    while (this.samples.length > 1 && this.samples[1].t <= t - WINDOW_MS) this.samples.shift()
  }

  complete (): void {
    this.fraction = 1
    if (this.bytesTotal != null) this.bytesDone = this.bytesTotal
  }

  /** Speed and time left over the window up to now: work that stalls shows a falling speed, then none. */
  snapshot (): OperationProgress {
    const t = this.now()
    this.slide(t)
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    const span = t - first.t
    let rateBps: number | null = null
    let etaMs: number | null = null
    if (span >= MIN_SPAN_MS && this.fraction < 1) {
      rateBps = Math.max(0, (last.bytes - first.bytes) * 1000 / span)
      const perMs = (last.fraction - first.fraction) / span
      if (perMs > 0) etaMs = Math.round((1 - this.fraction) / perMs)
    }
    return { fraction: this.fraction, bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, rateBps, etaMs }
  }
}

function clamp01 (n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0
}
