/**
 * Where the next task runs, decided when it is dispatched (never from a list
 * captured at job start): the peers PeerSelection finds connected, speaking
 * /wgt/compute/1.0.0 and in good standing at this moment, plus this node.
 *
 * Ranked by, in order:
 *   1. free cores per task already running there for this job:
 *      cores × (1 − cpuLoad/100) ÷ (1 + in-flight). A peer that has not
 *      advertised its capacity yet counts as one free core: it is ranked,
 *      not shown, so the guess only orders it behind measured spare capacity;
 *   2. a proven record (verify.ts) first: its results need no replica;
 *   3. lower RTT.
 * Skipped: workers that refused us (UNAVAILABLE, POLICY_DENIED) within the
 * cool-off, those that already ran the task, and those with MAX_PER_WORKER of
 * this job's tasks in flight. The cool-off is node-wide: a worker that is
 * full or does not take our tasks says so to every job.
 */
import type { Candidate } from '../net/selection.js'
import { isProven } from './verify.js'

/** tasks of one job in flight on one worker at most: one computing, one on the wire */
export const MAX_PER_WORKER = 2
/** how long a worker that refused us is left alone */
export const REFUSAL_COOL_OFF_MS = 60_000

export interface SchedulerInit {
  selfId: string
  /** the peers to consider now (PeerSelection.candidates(COMPUTE_PROTOCOL)) */
  candidates: () => Promise<Candidate[]>
  /** this node's cores and load (the capacity it measures), null before its first reading */
  selfCapacity: () => { cores: number, cpuLoad: number } | null
  /** a worker's consecutive valid results */
  record: (peerId: string) => number
  now?: () => number
}

export interface Pick {
  peerId: string
  self: boolean
}

interface Ranked extends Pick {
  free: number
  proven: boolean
  rttMs: number
}

export class Scheduler {
  private readonly refusedUntil = new Map<string, number>()
  private readonly now: () => number

  constructor (private readonly init: SchedulerInit) {
    this.now = init.now ?? Date.now
  }

  /**
   * The best worker for a task, or null when none may take it now.
   * `ran`: workers that already ran this task; `inFlight`: this job's tasks
   * in flight per worker.
   */
  async pick (ran: ReadonlySet<string>, inFlight: ReadonlyMap<string, number>): Promise<Pick | null> {
    const best = (await this.rank(ran, inFlight))[0]
    return best == null ? null : { peerId: best.peerId, self: best.self }
  }

  /** How many workers could take a task of this job now (ignoring what each task already ran on). */
  async available (): Promise<number> {
    return (await this.rank(new Set(), new Map())).length
  }

  /** `peerId` refused a task: leave it alone for the cool-off. */
  refused (peerId: string): void {
    this.refusedUntil.set(peerId, this.now() + REFUSAL_COOL_OFF_MS)
  }

  private coolingOff (peerId: string): boolean {
    const until = this.refusedUntil.get(peerId)
    if (until == null) return false
    if (until > this.now()) return true
    this.refusedUntil.delete(peerId)
    return false
  }

  private async rank (ran: ReadonlySet<string>, inFlight: ReadonlyMap<string, number>): Promise<Ranked[]> {
    const self = this.init.selfCapacity()
    const all: Array<Candidate & { self: boolean }> = [
      { peerId: this.init.selfId, self: true, diskFree: 0, cores: self?.cores ?? null, cpuLoad: self?.cpuLoad ?? null, rttMs: 0 },
      ...(await this.init.candidates()).filter(c => c.peerId !== this.init.selfId).map(c => ({ ...c, self: false }))
    ]
    const out: Ranked[] = []
    for (const c of all) {
      const busy = inFlight.get(c.peerId) ?? 0
      if (ran.has(c.peerId) || busy >= MAX_PER_WORKER || this.coolingOff(c.peerId)) continue
      out.push({
        peerId: c.peerId,
        self: c.self,
        free: freeCores(c.cores, c.cpuLoad) / (1 + busy),
        proven: c.self || isProven(this.init.record(c.peerId)),
        rttMs: Number.isFinite(c.rttMs) ? c.rttMs : Number.MAX_SAFE_INTEGER
      })
    }
    return out.sort((a, b) => b.free - a.free || Number(b.proven) - Number(a.proven) || a.rttMs - b.rttMs)
  }
}

/** Spare cores: cores × (1 − load); unknown figures count as one free core (see the header). */
export function freeCores (cores: number | null, cpuLoad: number | null): number {
  if (cores == null || !Number.isFinite(cores) || cores < 1) return 1
  const load = cpuLoad == null || !Number.isFinite(cpuLoad) ? 0 : Math.min(100, Math.max(0, cpuLoad))
  // a fully loaded machine still gets a sliver, so it ranks last rather than never
  return Math.max(cores * (1 - load / 100), 0.05)
}
