/**
 * Verification of one task's results (pure): BOINC's quorum and adaptive
 * replication, without a project server.
 *
 * - Redundancy r > 1: r distinct workers run the task; a result is accepted
 *   when a majority of r (⌊r/2⌋+1) agree on its SHA-256. A disagreement asks
 *   for one more run on a new worker, until a majority forms or the task's
 *   retries run out.
 * - Redundancy 1 (adaptive): a worker with a record of PROVEN_AFTER
 *   consecutive valid results runs a task alone, and with probability
 *   SPOT_CHECK_P the task is replicated anyway (a spot check; the extra runs
 *   are then ≈ p of the work, under the 10% the issue aims at). A new or
 *   unproven worker's result is replicated: two agreeing results are needed.
 *   This node itself counts as proven: it is the one party the requester
 *   trusts, and its vote counts as one like any other.
 * - A vote can be rejected before it is counted (a matmul block failing
 *   Freivalds on this node): it is a lie whatever the others say.
 *
 * A liar (outvoted, or rejected) has its record reset and is charged with a
 * violation by the caller (jobs.ts); its result is discarded.
 */

/** consecutive valid results after which a worker runs tasks alone */
export const PROVEN_AFTER = 10
/** probability that a proven worker's single run is replicated anyway */
export const SPOT_CHECK_P = 0.1

export interface Vote {
  worker: string
  sha256: string
}

export type QuorumState =
  /** a result is accepted: `sha256`, agreed by `agreed`; `outvoted` disagreed (liars) */
  | { state: 'accepted', sha256: string, agreed: string[], outvoted: string[] }
  /** `runs` more runs are needed on workers that have not run this task */
  | { state: 'pending', runs: number }

/**
 * The votes of one task. `needed` is how many agreeing votes accept a
 * result: ⌊r/2⌋+1 of r for r > 1; for adaptive replication 1 when the first
 * worker is proven and not spot-checked, else 2. Runs first asked: r (or 1
 * or 2 for adaptive); each disagreement adds one.
 */
export class TaskQuorum {
  private readonly votes: Vote[] = []
  private needs: number
  private readonly rejected: string[] = []
  /** runs asked for so far, excluding rejected ones (they are replaced) */
  private asked: number

  constructor (needed: number, initialRuns: number) {
    if (!Number.isSafeInteger(needed) || needed < 1) throw new RangeError(`needed must be ≥ 1, got ${needed}`)
    this.needs = needed
    this.asked = Math.max(needed, initialRuns)
  }

  /** agreeing votes that accept a result */
  get needed (): number { return this.needs }

  /**
   * Ask for at least `needed` agreeing votes from now on (jobs.ts confirms a
   * failure verdict that would fail the whole job with a second worker).
   */
  require (needed: number): void {
    if (needed <= this.needs) return
    this.asked += needed - this.needs
    this.needs = needed
  }

  /** Quorum for redundancy r (r > 1: majority of r; r = 1: see adaptive()). */
  static forRedundancy (r: number): TaskQuorum {
    return new TaskQuorum(Math.floor(r / 2) + 1, r)
  }

  /**
   * Adaptive replication (r = 1) once the first run's worker is known:
   * `proven` from its record, `spotCheck` a draw with probability SPOT_CHECK_P.
   */
  static adaptive (proven: boolean, spotCheck: boolean): TaskQuorum {
    return proven && !spotCheck ? new TaskQuorum(1, 1) : new TaskQuorum(2, 2)
  }

  /** workers that ran the task (counted or rejected): none of them runs it again */
  get workers (): string[] {
    return [...this.votes.map(v => v.worker), ...this.rejected]
  }

  /** votes counted, and whether the task has disagreed (two different hashes) */
  get counted (): number { return this.votes.length }
  get disagreed (): boolean { return new Set(this.votes.map(v => v.sha256)).size > 1 }

  add (vote: Vote): void {
    if (this.workers.includes(vote.worker)) throw new RangeError(`worker ${vote.worker} already ran this task`)
    this.votes.push(vote)
  }

  /** A vote that failed a check of its own (Freivalds): not counted, and another run replaces it. */
  reject (worker: string): void {
    if (this.workers.includes(worker)) throw new RangeError(`worker ${worker} already ran this task`)
    this.rejected.push(worker)
  }

  /**
   * Where the task stands with the votes so far, given `inFlight` runs not
   * yet answered. A result is accepted as soon as `needed` votes agree; with
   * every asked run answered and none agreed enough, one more run is asked.
   */
  decide (inFlight: number): QuorumState {
    const tally = new Map<string, string[]>()
    for (const v of this.votes) tally.set(v.sha256, [...(tally.get(v.sha256) ?? []), v.worker])
    for (const [sha256, agreed] of tally) {
      if (agreed.length >= this.needs) {
        return { state: 'accepted', sha256, agreed, outvoted: this.votes.filter(v => v.sha256 !== sha256).map(v => v.worker) }
      }
    }
    // every asked run answered without a majority: ask one more (a disagreement or a rejected vote)
    if (this.votes.length + inFlight >= this.asked && inFlight === 0) this.asked = this.votes.length + 1
    // the most agreeing votes any result has; the rest must come from new runs
    const best = Math.max(0, ...[...tally.values()].map(a => a.length))
    const stillNeeded = Math.max(this.asked - this.votes.length - inFlight, this.needs - best - inFlight, 0)
    return { state: 'pending', runs: stillNeeded }
  }
}

/** A worker's record for adaptive replication: consecutive valid results. */
export function nextRecord (current: number, outcome: 'valid' | 'invalid'): number {
  return outcome === 'valid' ? Math.min(current + 1, 1_000_000) : 0
}

export function isProven (record: number): boolean {
  return record >= PROVEN_AFTER
}
