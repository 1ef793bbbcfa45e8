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
 * - Trust (review H1): a result is accepted only when its agreeing votes
 *   include a trusted one (`requireTrusted`): this node, or a worker proven
 *   at the time it voted. Agreement between unproven peers proves nothing: a
 *   second identity costs an attacker nothing. job-run.ts sends the
 *   confirming run to a trusted worker. In adaptive mode this node's own vote
 *   decides alone (`decisive`) once no other run of the task is in flight: it
 *   is the party the requester trusts; the wait lets a peer that agrees
 *   build its record, and a peer that disagrees be outvoted.
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
  /** this node or a proven worker when it voted */
  trusted?: boolean
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
  private readonly votesIn: Vote[] = []
  private needs: number
  private readonly rejected: string[] = []
  /** runs asked for so far, excluding rejected ones (they are replaced) */
  private asked: number
  /** a result needs a trusted vote among those agreeing (see the header) */
  requireTrusted = false
  /** a worker whose vote alone decides once nothing is in flight (this node, in adaptive mode) */
  decisive: string | null = null

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
    return [...this.votesIn.map(v => v.worker), ...this.rejected]
  }

  /** the votes counted, in the order they came */
  get votes (): readonly Vote[] { return this.votesIn }

  /** votes counted, and whether the task has disagreed (two different hashes) */
  get counted (): number { return this.votesIn.length }
  get disagreed (): boolean { return new Set(this.votesIn.map(v => v.sha256)).size > 1 }
  /** whether a trusted worker has voted */
  get trustedVoted (): boolean { return this.votesIn.some(v => v.trusted === true) }

  add (vote: Vote): void {
    if (this.workers.includes(vote.worker)) throw new RangeError(`worker ${vote.worker} already ran this task`)
    this.votesIn.push(vote)
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
    // the decisive vote waits for the runs in flight: an agreeing peer's vote builds its record, a liar's is outvoted
    const decisive = inFlight === 0 ? this.votesIn.find(v => v.worker === this.decisive) : undefined
    if (decisive != null) {
      const agreed = tally.get(decisive.sha256) ?? []
      return { state: 'accepted', sha256: decisive.sha256, agreed, outvoted: this.votesIn.filter(v => v.sha256 !== decisive.sha256).map(v => v.worker) }
    }
    for (const [sha256, agreed] of tally) {
      const trusted = !this.requireTrusted || this.votesIn.some(v => v.sha256 === sha256 && v.trusted === true)
      if (agreed.length >= this.needs && trusted) {
        return { state: 'accepted', sha256, agreed, outvoted: this.votesIn.filter(v => v.sha256 !== sha256).map(v => v.worker) }
      }
    }
    // every asked run answered without a majority: ask one more (a disagreement or a rejected vote)
    if (this.votesIn.length + inFlight >= this.asked && inFlight === 0) this.asked = this.votesIn.length + 1
    // the most agreeing votes any result has; the rest must come from new runs
    // (a result short of a trusted vote counts one short: its next agreeing vote must be trusted)
    const best = Math.max(0, ...[...tally].map(([sha256, a]) => this.requireTrusted && !this.votesIn.some(v => v.sha256 === sha256 && v.trusted === true) ? Math.min(a.length, this.needs - 1) : a.length))
    const stillNeeded = Math.max(this.asked - this.votesIn.length - inFlight, this.needs - best - inFlight, 0)
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
