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
 * Cores and load are the peer's own claims (review H1): cores are clamped to
 * MAX_CLAIMED_CORES, and pick() draws among the eligible workers with a
 * probability proportional to their free cores rather than taking the first,
 * so one identity claiming 4096 idle cores does not get every task. What a
 * Sybil can still win by claiming is a larger share of first runs; it cannot
 * win acceptance that way: job-run.ts has every unproven result confirmed by
 * a trusted worker (pick(…, { trusted: true })).
 * Workers that failed a run (time limit, lost peer, malformed answer) are put
 * in the same cool-off as those that refused (failed()), node-wide.
 * Skipped: workers that refused us (UNAVAILABLE, POLICY_DENIED) within the
 * cool-off, those that already ran the task, and those with MAX_PER_WORKER of
 * this job's tasks in flight — or fewer, once a worker said it was full with
 * n of ours running (its contributor allows fewer tasks at once): then n, for
 * the cool-off. Both are node-wide: a worker that is full or does not take
 * our tasks says so to every job.
 */
import type { Candidate } from '../net/selection.js'
import { isProven } from './verify.js'

/** tasks of one job in flight on one worker at most: one computing, one on the wire */
export const MAX_PER_WORKER = 2
/** how long a worker that refused us is left alone */
export const REFUSAL_COOL_OFF_MS = 60_000
/** the most cores a peer's advertisement counts for (a claim, not a measurement) */
export const MAX_CLAIMED_CORES = 256

export interface SchedulerInit {
  selfId: string
  /** the peers to consider now (PeerSelection.candidates(COMPUTE_PROTOCOL)) */
  candidates: () => Promise<Candidate[]>
  /** this node's cores and load (the capacity it measures), null before its first reading */
  selfCapacity: () => { cores: number, cpuLoad: number } | null
  /** a worker's consecutive valid results */
  record: (peerId: string) => number
  /**
   * this node's free task slots (the worker's, shared with others' tasks).
   * This node takes at most what is free plus ours already there (at least
   * one): a task queued behind a slot would spend its time limit waiting.
   */
  selfFreeSlots?: () => number
  now?: () => number
  /** the draw among eligible workers (tests pass () => 0: the best ranked) */
  random?: () => number
}

export interface PickOptions {
  /** only this node and proven workers (a confirming vote: job-run.ts) */
  trusted?: boolean
  /** only this node (a task's last chance before it fails the job) */
  selfOnly?: boolean
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
  private readonly caps = new Map<string, { max: number, until: number }>()
  private readonly now: () => number
  private readonly random: () => number

  constructor (private readonly init: SchedulerInit) {
    this.now = init.now ?? Date.now
    this.random = init.random ?? Math.random
  }

  /**
   * The best worker for a task, or null when none may take it now.
   * `ran`: workers that already ran this task; `inFlight`: this job's tasks
   * in flight per worker.
   */
  async pick (ran: ReadonlySet<string>, inFlight: ReadonlyMap<string, number>, opts: PickOptions = {}): Promise<Pick | null> {
    const ranked = (await this.rank(ran, inFlight)).filter(r => opts.selfOnly === true ? r.self : opts.trusted === true ? r.proven : true)
    if (ranked.length === 0) return null
    // weighted by free cores (clamped claims), in rank order so a draw of 0 is the best ranked
    const total = ranked.reduce((sum, r) => sum + r.free, 0)
    let x = Math.min(Math.max(this.random(), 0), 1) * total
    for (const r of ranked) {
      x -= r.free
      if (x < 0) return { peerId: r.peerId, self: r.self }
    }
    const last = ranked[ranked.length - 1]
    return { peerId: last.peerId, self: last.self }
  }

  /** Whether `peerId` counts as a trusted vote: this node or a proven worker. */
  trusted (peerId: string): boolean {
    return peerId === this.init.selfId || isProven(this.init.record(peerId))
  }

  /** How many workers could take a task of this job now (ignoring what each task already ran on). */
  async available (): Promise<number> {
    return (await this.rank(new Set(), new Map())).length
  }

  /** `peerId` failed a run (TIMEOUT, PEER_UNREACHABLE, PROTOCOL…): the same cool-off as a refusal (review H2) */
  failed (peerId: string): void {
    this.refused(peerId)
  }

  /** `peerId` refused a task: leave it alone for the cool-off. */
  refused (peerId: string): void {
    this.refusedUntil.set(peerId, this.now() + REFUSAL_COOL_OFF_MS)
  }

  /**
   * `peerId` said it is full while `running` of our tasks ran there: at most
   * that many go there for the cool-off (none running: it is full with
   * others' work, a refusal).
   */
  full (peerId: string, running: number): void {
    if (running <= 0) { this.refused(peerId); return }
    this.caps.set(peerId, { max: running, until: this.now() + REFUSAL_COOL_OFF_MS })
  }

  private limit (peerId: string): number {
    const cap = this.caps.get(peerId)
    if (cap == null) return MAX_PER_WORKER
    if (cap.until > this.now()) return Math.min(cap.max, MAX_PER_WORKER)
    this.caps.delete(peerId)
    return MAX_PER_WORKER
  }

  private selfLimit (busy: number): number {
    const free = this.init.selfFreeSlots?.()
    if (free == null) return MAX_PER_WORKER
    return Math.max(1, Math.min(MAX_PER_WORKER, busy + free))
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
      const limit = c.self ? this.selfLimit(busy) : this.limit(c.peerId)
      if (ran.has(c.peerId) || busy >= limit || this.coolingOff(c.peerId)) continue
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
  cores = Math.min(cores, MAX_CLAIMED_CORES)
  const load = cpuLoad == null || !Number.isFinite(cpuLoad) ? 0 : Math.min(100, Math.max(0, cpuLoad))
  // a fully loaded machine still gets a sliver, so it ranks last rather than never
  return Math.max(cores * (1 - load / 100), 0.05)
}
