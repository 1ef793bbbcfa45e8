/**
 * One job's tasks, from dispatch to acceptance: the loop that keeps enough
 * tasks in flight to keep the chosen workers busy (the scheduler picks each
 * worker at the moment a task goes out, at most MAX_PER_WORKER of this job's
 * tasks on one worker, and at most MAX_IN_FLIGHT_BYTES of task input in
 * flight so a big job's memory stays bounded), the votes of each task
 * (verify.ts), and what a failure costs:
 *
 * - a refusal (UNAVAILABLE, POLICY_DENIED) puts the worker in the
 *   scheduler's cool-off and the task goes elsewhere; it is not the task's
 *   fault, so it does not use up a retry;
 * - any other failure of the worker (time limit, lost peer, malformed answer)
 *   uses up one of the task's retries, and the task goes to a worker that has
 *   not run it yet;
 * - a result rejected on this node (Freivalds) or outvoted is a lie: the
 *   worker's record is reset and guard charges it a violation; the task is
 *   rerun (a rejected result also uses up a retry, so a swarm of liars ends
 *   the job rather than running it forever).
 *
 * Past its retries a task fails the job, naming the task and its last errors
 * — but first it runs once on this node, if it has not (review H2), so a few
 * workers failing on purpose cannot fail a job this node can compute.
 *
 * Trust (review H1): a result is accepted only with a trusted vote among
 * those agreeing (this node, or a worker proven when it voted); the run that
 * confirms an unproven worker goes to a trusted worker, never to the next in
 * rank. In adaptive mode (redundancy 1) this node's vote decides alone. With
 * redundancy r > 1 one of the r runs goes to a trusted worker; if none can
 * take it (this node refuses, no proven peer), the majority of untrusted peers
 * is accepted: the residual risk the user took by asking for r peers while
 * this node runs nothing. Contacts are not trusted votes: guard's contacts
 * are people the user trusts to talk to, not machines known to compute
 * right, and a contact's node can be compromised like any other.
 *
 * Bounds (review M3): a task runs on at most redundancy + retries workers,
 * plus this node once; outvoted runs count. Only the outputs of two results
 * are held per task (the latest and the best other); the rest are hashes.
 */
import type { ComputeJob, JobWorker } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { ViolationReporter } from '../guard/reputation.js'
import type { JobKernel } from './job-kernels.js'
import type { Pick, Scheduler } from './scheduler.js'
import type { TaskDispatch, TaskOutcome } from './types.js'
import { isProven, SPOT_CHECK_P, TaskQuorum } from './verify.js'
import type { WorkerRecords } from './worker-records.js'

/** task input in flight at most, per job (a 4096² matmul's blocks are 16 MiB each) */
export const MAX_IN_FLIGHT_BYTES = 128 * 1024 * 1024
/** tasks in flight at most, per job */
export const MAX_IN_FLIGHT = 32
/** past the task's time limit, how long the answer may take to come back before the run counts as lost */
const ANSWER_SLACK_MS = 30_000
/** refusals of one task (a worker full or unwilling) before the job gives up on it */
const MAX_REFUSALS = 30
/** errors named per task when it fails the job */
const KEEP_ERRORS = 4
/** distinct results whose output a task holds at most (review M3) */
const KEEP_OUTPUTS = 2

/**
 * The text shown for a failure verdict this node did not see itself (review
 * L5): a peer's message is unhashed text, and may be anything.
 */
const VERDICT_TEXT: Record<string, string> = {
  budget: 'the instruction budget ran out (as reported by the workers; this node did not run it)',
  memory: 'memory.grow past the cap (as reported by the workers; this node did not run it)',
  trap: 'a trap (as reported by the workers; this node did not run it)',
  invalid: 'the module or input breaks the ABI (as reported by the workers; this node did not run it)'
}

export interface JobRunInit {
  selfId: string
  kernel: JobKernel
  job: ComputeJob
  signal: AbortSignal
  dispatch: TaskDispatch
  scheduler: Scheduler
  records: WorkerRecords
  reputation: ViolationReporter
  redundancy: number
  retries: number
  timeoutMs: number
  /** how long the job waits with nothing in flight and no worker to take a task, before it fails */
  waitForWorkerMs: number
  /** after every change of the job's figures */
  onChange: () => void
  random?: () => number
  now?: () => number
}

interface TaskState {
  index: number
  quorum: TaskQuorum | null
  /** every worker the task was sent to: it never goes there again */
  tried: Set<string>
  inFlight: Map<string, AbortController>
  /** runs that answered (counted or rejected) */
  runs: number
  failures: number
  /** refusals (not counted as failures, but bounded) */
  refusals: number
  errors: string[]
  /** this node's check of each distinct result (matmul: Freivalds) */
  checks: Map<string, 'valid' | 'invalid'>
  /** the output of at most KEEP_OUTPUTS distinct results, until the task is accepted */
  outcomes: Map<string, TaskOutcome>
  /** what each distinct result is: 'ok' or its failure verdict (kept for every hash) */
  kinds: Map<string, string>
  /** runs started (refusals excluded): bounded by redundancy + retries + this node once */
  launched: number
  /** runs answered and being checked on this node (they count as in flight) */
  checking: Set<string>
  /** its retries ran out on peers: its last run goes to this node */
  lastChance: boolean
  accepted: boolean
}

export class JobRun {
  private readonly tasks: TaskState[]
  private readonly perWorker = new Map<string, number>()
  private readonly flights = new Set<Promise<void>>()
  private readonly workers = new Map<string, JobWorker>()
  private failure: WgtError | null = null
  private accepted = 0
  /** input bytes of accepted tasks */
  acceptedBytes = 0
  readonly totalBytes: number
  private readonly random: () => number
  private readonly now: () => number
  private readonly maxInFlight: number

  constructor (private readonly d: JobRunInit) {
    this.random = d.random ?? Math.random
    this.now = d.now ?? Date.now
    this.tasks = Array.from({ length: d.kernel.tasks }, (_, index) => ({
      index, quorum: null, tried: new Set(), inFlight: new Map(), runs: 0, failures: 0, refusals: 0, errors: [], checks: new Map(), outcomes: new Map(), kinds: new Map(), launched: 0, checking: new Set(), lastChance: false, accepted: false
    }))
    let total = 0
    for (let i = 0; i < d.kernel.tasks; i++) total += d.kernel.inputBytes(i)
    this.totalBytes = total
    this.maxInFlight = Math.max(1, Math.min(MAX_IN_FLIGHT, Math.floor(MAX_IN_FLIGHT_BYTES / Math.max(1, d.kernel.inputBytes(0)))))
  }

  /** Resolves when every task is accepted; rejects with the job's error (or the signal's reason). */
  async run (): Promise<void> {
    const { signal } = this.d
    const aborted = new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
    let idleSince: number | null = null
    try {
      while (this.accepted < this.tasks.length) {
        if (signal.aborted) throw WgtError.from(signal.reason, 'CANCELLED')
        if (this.failure != null) throw this.failure
        const starved = await this.fill()
        this.update()
        if (this.flights.size === 0) {
          idleSince ??= this.now()
          if (this.now() - idleSince >= this.d.waitForWorkerMs) {
            if (await this.dropSpotChecks()) { idleSince = null; continue }
            throw await this.noWorker(starved)
          }
          await Promise.race([sleep(500), aborted])
          continue
        }
        idleSince = null
        await Promise.race([...this.flights, aborted])
      }
    } catch (err) {
      for (const t of this.tasks) for (const c of t.inFlight.values()) c.abort(err)
      await Promise.allSettled([...this.flights])
      throw err
    } finally {
      this.update()
    }
  }

  /** Start runs while tasks need them and workers take them; returns a task that found no worker, if any. */
  private async fill (): Promise<TaskState | null> {
    let starved: TaskState | null = null
    for (const t of this.tasks) {
      if (this.failure != null) return starved
      if (t.accepted) continue
      while (this.failure == null && this.flights.size < this.maxInFlight && this.runsNeeded(t) > 0) {
        const opts = this.pickOptions(t)
        if (opts == null) {
          // every run it may have was spent (outvoted runs included): it fails the job
          if (this.pending(t) === 0) this.failure ??= this.exhausted(t)
          break
        }
        let pick = await this.d.scheduler.pick(t.tried, this.perWorker, opts)
        if (pick == null && opts.trusted === true && this.d.redundancy > 1 && t.quorum != null &&
          await this.d.scheduler.pick(t.tried, new Map(), opts) == null) {
          // no trusted worker for this task even when idle (not merely busy): r untrusted peers it is (the residual risk, see the header)
          t.quorum.requireTrusted = false
          pick = await this.d.scheduler.pick(t.tried, this.perWorker)
        }
        if (this.failure != null || t.accepted) break
        if (pick == null) {
          starved ??= t
          // no worker at all (not only none new for this task): the others will find none either
          if (t.tried.size === 0) return starved
          break
        }
        this.launch(t, pick)
      }
      if (this.flights.size >= this.maxInFlight) break
    }
    return starved
  }

  /** the most runs a task gets from peers; this node may add one */
  private get peerRuns (): number {
    return Math.max(1, this.d.redundancy) + this.d.retries
  }

  /** Which workers the task's next run may go to; null when it may have no more runs. */
  private pickOptions (t: TaskState): { trusted?: boolean, selfOnly?: boolean } | null {
    const selfTried = t.tried.has(this.d.selfId)
    if (t.lastChance || t.launched >= this.peerRuns) return selfTried || t.launched >= this.peerRuns + 1 ? null : { selfOnly: true }
    const q = t.quorum
    if (q != null && q.requireTrusted && !q.trustedVoted && ![...t.inFlight.keys()].some(id => this.d.scheduler.trusted(id))) return { trusted: true }
    return {}
  }

  private exhausted (t: TaskState): WgtError {
    const distinct = t.kinds.size
    if (distinct > 1) {
      return new WgtError('INTEGRITY', `task ${t.index + 1} of ${this.tasks.length} gave ${distinct} different results in ${t.runs} runs on distinct workers, and no ${t.quorum?.needed ?? 1} agreed (retries: ${this.d.retries}); a module whose output is not deterministic cannot be verified`)
    }
    return this.taskFailed(t, 'UNAVAILABLE')
  }

  /** The task used up its retries: one run on this node first, if it has not run there (H2). */
  private outOfRetries (t: TaskState, code: WgtError['code']): void {
    // this node is running it: its answer decides
    if (t.inFlight.has(this.d.selfId) || t.checking.has(this.d.selfId)) return
    if (!t.tried.has(this.d.selfId)) { t.lastChance = true; return }
    this.failure ??= this.taskFailed(t, code)
  }

  /** runs not yet counted: in flight, or answered and being checked */
  private pending (t: TaskState): number {
    return t.inFlight.size + t.checking.size
  }

  private runsNeeded (t: TaskState): number {
    if (t.accepted) return 0
    if (t.quorum == null) return this.pending(t) > 0 ? 0 : 1
    const d = t.quorum.decide(this.pending(t))
    return d.state === 'pending' ? d.runs : 0
  }

  private launch (t: TaskState, pick: Pick): void {
    if (t.quorum == null) {
      // the first run's worker decides adaptive replication (BOINC): proven alone (with spot checks), new replicated;
      // this node is trusted, so its own runs are never spot-checked
      t.quorum = this.d.redundancy > 1
        ? TaskQuorum.forRedundancy(this.d.redundancy)
        : TaskQuorum.adaptive(pick.self || isProven(this.d.records.get(pick.peerId)), !pick.self && this.random() < SPOT_CHECK_P)
      this.trust(t.quorum)
    }
    t.launched++
    const startedAt = this.now()
    const ctrl = new AbortController()
    this.worker(pick)
    t.tried.add(pick.peerId)
    t.inFlight.set(pick.peerId, ctrl)
    this.perWorker.set(pick.peerId, (this.perWorker.get(pick.peerId) ?? 0) + 1)
    const signal = AbortSignal.any([this.d.signal, ctrl.signal, AbortSignal.timeout(this.d.timeoutMs + ANSWER_SLACK_MS)])
    const limits = { timeoutMs: this.d.timeoutMs, memoryBytes: this.d.kernel.memoryBytes }
    const release = (): void => {
      t.inFlight.delete(pick.peerId)
      const n = (this.perWorker.get(pick.peerId) ?? 1) - 1
      if (n <= 0) this.perWorker.delete(pick.peerId)
      else this.perWorker.set(pick.peerId, n)
    }
    const flight = (async () => {
      const spec = this.d.kernel.spec(t.index)
      const ref = { job: new TextEncoder().encode(this.d.job.id).subarray(0, 32), task: t.index }
      const started = pick.self ? this.d.dispatch.local(spec, limits, signal) : this.d.dispatch.remote(pick.peerId, spec, limits, signal, ref)
      let outcome: TaskOutcome
      try {
        // a dispatch that did not stop at its signal must not hold the job: the signal ends the wait
        outcome = await untilAborted(started, signal)
      } catch (err) {
        release()
        if (!ctrl.signal.aborted && !this.d.signal.aborted) await this.onError(t, pick, WgtError.from(err), this.now() - startedAt)
        return
      }
      release()
      // the CPU time is the worker's claim: at most the wall time this node saw (review L1)
      const wall = Math.max(0, this.now() - startedAt)
      const cpuMs = Number.isFinite(outcome.cpuMs) ? Math.min(Math.max(0, outcome.cpuMs), wall) : 0
      if (!ctrl.signal.aborted && !t.accepted) await this.onOutcome(t, pick, { ...outcome, cpuMs })
    })().catch((err: unknown) => { this.failure ??= WgtError.from(err) }).finally(() => {
      this.flights.delete(flight)
      this.update()
    })
    this.flights.add(flight)
  }

  private async onError (t: TaskState, pick: Pick, e: WgtError, elapsedMs: number): Promise<void> {
    const who = pick.self ? 'this node' : pick.peerId
    this.note(t, `${who}: ${e.code} ${e.message}`)
    if (e.code === 'UNAVAILABLE' || e.code === 'POLICY_DENIED') {
      // not the task's fault: it may go there again once the worker has room or the cool-off ends
      // (this node's own refusal is not expected to pass: local runs are not gated, so it keeps the task off it)
      t.launched--
      if (!pick.self) {
        t.tried.delete(pick.peerId)
        if (e.code === 'UNAVAILABLE') this.d.scheduler.full(pick.peerId, this.perWorker.get(pick.peerId) ?? 0)
        else this.d.scheduler.refused(pick.peerId)
      }
      // bounded all the same: a task every worker keeps refusing ends the job
      if (++t.refusals > MAX_REFUSALS) this.failure ??= new WgtError(e.code, `task ${t.index + 1} of ${this.tasks.length} was refused ${t.refusals} times; last errors: ${t.errors.join('; ')}`)
    } else {
      t.failures++
      // a worker that fails runs is left alone for the cool-off, node-wide (H2): failing costs it our tasks.
      // A TIMEOUT after the time limit really elapsed is the task's own doing (a module that loops), not the worker's.
      const honestTimeout = e.code === 'TIMEOUT' && elapsedMs >= this.d.timeoutMs
      if (!pick.self && !honestTimeout) this.d.scheduler.failed(pick.peerId)
      if (t.failures > this.d.retries) this.outOfRetries(t, e.code)
    }
    await this.redecide(t)
    // a run that ended without a vote can leave the votes in hand decisive (this node's, once nothing is in flight)
    await this.settle(t)
  }

  /**
   * Adaptive replication is decided by the worker of a task's first run. If
   * that run gave no vote (it failed, was refused, or its result was
   * rejected), the decision goes to the first worker that did vote (or the
   * next to answer), so a new worker that failed cannot leave a task waiting
   * for a second agreeing vote that only this node could give.
   */
  private async redecide (t: TaskState): Promise<void> {
    const old = t.quorum
    if (this.d.redundancy !== 1 || old == null || t.accepted) return
    const votes = old.votes
    if (votes.length === 0) { t.quorum = null; return }
    const first = votes[0].worker
    const q = TaskQuorum.adaptive(first === this.d.selfId || isProven(this.d.records.get(first)), false)
    this.trust(q)
    if (q.needed >= old.needed) return
    for (const v of votes) q.add(v)
    t.quorum = q
    await this.settle(t)
  }

  /**
   * No worker for a spot check's second run, for the whole wait: a proven
   * worker's result stands alone after all (a spot check is a sample, not a
   * condition). Answers whether a task was accepted that way.
   */
  private async dropSpotChecks (): Promise<boolean> {
    const before = this.accepted
    for (const t of this.tasks) if (!t.accepted && this.pending(t) === 0) await this.redecide(t)
    return this.accepted > before
  }

  private async onOutcome (t: TaskState, pick: Pick, outcome: TaskOutcome): Promise<void> {
    const { kernel, job } = this.d
    const w = this.worker(pick)
    w.runs++
    w.cpuMs += outcome.cpuMs
    job.cpuMs += outcome.cpuMs
    t.runs++
    if (t.runs > 1) job.verification.extraRuns++
    let verdict = t.checks.get(outcome.sha256)
    if (verdict == null && kernel.checks) {
      // the run counts as in flight while this node checks it: the task is not without runs meanwhile
      t.checking.add(pick.peerId)
      try { verdict = await kernel.check(t.index, outcome) } finally { t.checking.delete(pick.peerId) }
      t.checks.set(outcome.sha256, verdict)
    }
    if (t.accepted) return
    // read after the check: another run's end may have replaced the quorum meanwhile (redecide), and a vote
    // added to the old one would be lost, leaving the task without votes (UI bug 1).
    // Null after the first run gave no vote (redecide): this worker decides, with no spot check drawn again.
    if (t.quorum == null) {
      t.quorum = TaskQuorum.adaptive(pick.self || isProven(this.d.records.get(pick.peerId)), false)
      this.trust(t.quorum)
    }
    const quorum = t.quorum
    if (verdict === 'invalid') {
      quorum.reject(pick.peerId)
      this.liar(pick.peerId, `task ${t.index + 1} of job ${job.id}: its result failed this node's check (Freivalds)`)
      this.note(t, `${pick.self ? 'this node' : pick.peerId}: a wrong result (failed Freivalds' check)`)
      t.failures++
      if (t.failures > this.d.retries) this.outOfRetries(t, 'INTEGRITY')
      // a liar's standing must not decide how the task is replicated either
      await this.redecide(t)
      return
    }
    quorum.add({ worker: pick.peerId, sha256: outcome.sha256, trusted: this.d.scheduler.trusted(pick.peerId) })
    t.kinds.set(outcome.sha256, outcome.result.ok ? 'ok' : outcome.result.verdict)
    // this node's own outcome replaces a peer's with the same hash: its failure message is the one to show (L5)
    if (pick.self || !t.outcomes.has(outcome.sha256)) t.outcomes.set(outcome.sha256, outcome)
    this.keepOutputs(t, outcome.sha256)
    await this.settle(t)
  }

  /** Accept the task's result if its votes now agree enough (verify.ts); the liars among them are charged. */
  private async settle (t: TaskState): Promise<void> {
    const { kernel, job } = this.d
    const quorum = t.quorum
    if (quorum == null || t.accepted) return
    let d = quorum.decide(this.pending(t))
    // a failure verdict fails the whole job: a peer's word for it alone is not enough
    if (d.state === 'accepted' && t.outcomes.get(d.sha256)?.result.ok === false && d.agreed.length < 2 && !(d.agreed.length === 1 && d.agreed[0] === this.d.selfId)) {
      quorum.require(2)
      d = quorum.decide(this.pending(t))
    }
    if (d.state !== 'accepted') {
      // disagreement asks for more runs, but not without end: fill() stops at the task's runs (pickOptions)
      if (d.runs > 0 && this.pending(t) === 0 && this.pickOptions(t) == null) this.failure ??= this.exhausted(t)
      return
    }
    const held = t.outcomes.get(d.sha256)
    if (held == null) {
      // its output was dropped (KEEP_OUTPUTS) before it led: one more agreeing run brings it back
      quorum.require(d.agreed.length + 1)
      return
    }
    t.accepted = true
    for (const c of t.inFlight.values()) c.abort(new WgtError('CANCELLED', 'the task was accepted'))
    if (quorum.disagreed) job.verification.mismatches++
    // a worker's record counts a result valid only when this node checked it, or this node or another
    // proven worker agreed (H1c): two unproven identities agreeing prove nothing of each other
    const trustedVoters = quorum.votes.filter(v => v.sha256 === d.sha256 && v.trusted === true).map(v => v.worker)
    for (const id of d.agreed) {
      if (id === this.d.selfId) continue
      if (t.checks.get(d.sha256) === 'valid' || trustedVoters.some(o => o !== id)) this.d.records.record(id, 'valid')
    }
    const acceptedKind = t.kinds.get(d.sha256)
    for (const id of d.outvoted) {
      const theirs = t.kinds.get(quorum.votes.find(v => v.worker === id)?.sha256 ?? '')
      // a trap or memory verdict against a result (either way) can be honest: V8's stack depth, the OS refusing
      // memory.grow below the cap. The vote is dropped, no violation charged; a wrong output is charged.
      const honestDisagreement = (acceptedKind === 'ok' && (theirs === 'trap' || theirs === 'memory')) ||
        (theirs === 'ok' && (acceptedKind === 'trap' || acceptedKind === 'memory'))
      if (honestDisagreement) {
        const w = this.workers.get(id)
        if (w != null) w.rejected++
        continue
      }
      this.liar(id, `task ${t.index + 1} of job ${job.id}: its result was outvoted ${d.agreed.length} to 1`)
    }
    const chosen = this.shown(held, d.agreed)
    t.outcomes.clear()
    await kernel.accept(t.index, chosen)
    this.accepted++
    this.acceptedBytes += kernel.inputBytes(t.index)
  }

  /** the quorum's trust rules for this job (see the header) */
  private trust (q: TaskQuorum): void {
    q.requireTrusted = true
    if (this.d.redundancy <= 1) q.decisive = this.d.selfId
  }

  /** Drop the outputs of all but the latest result and the best other (by trusted vote, then votes). */
  private keepOutputs (t: TaskState, latest: string): void {
    if (t.outcomes.size <= KEEP_OUTPUTS || t.quorum == null) return
    const votes = t.quorum.votes
    const score = (sha: string): number => votes.filter(v => v.sha256 === sha).length + (votes.some(v => v.sha256 === sha && v.trusted === true) ? 1e6 : 0)
    const others = [...t.outcomes.keys()].filter(h => h !== latest).sort((a, b) => score(b) - score(a))
    for (const h of others.slice(KEEP_OUTPUTS - 1)) t.outcomes.delete(h)
  }

  /** The outcome to accept: a failure verdict keeps its message only if this node ran it (L5). */
  private shown (outcome: TaskOutcome, agreed: string[]): TaskOutcome {
    const r = outcome.result
    if (r.ok || agreed.includes(this.d.selfId)) return outcome
    return { ...outcome, result: { ...r, message: VERDICT_TEXT[r.verdict] ?? 'a failure reported by the workers' } }
  }

  /** a worker whose result was wrong: its record restarts, guard charges it (this node is not charged) */
  private liar (peerId: string, reason: string): void {
    const w = this.workers.get(peerId)
    if (w != null) w.rejected++
    if (peerId === this.d.selfId) return
    this.d.records.record(peerId, 'invalid')
    this.d.reputation.recordViolation(peerId, `compute: ${reason}`)
  }

  private worker (pick: Pick): JobWorker {
    let w = this.workers.get(pick.peerId)
    if (w == null) {
      w = { peerId: pick.peerId, self: pick.self, runs: 0, rejected: 0, cpuMs: 0 }
      this.workers.set(pick.peerId, w)
    }
    return w
  }

  private note (t: TaskState, line: string): void {
    t.errors.push(line)
    if (t.errors.length > KEEP_ERRORS) t.errors.shift()
  }

  private taskFailed (t: TaskState, code: WgtError['code']): WgtError {
    return new WgtError(code, `task ${t.index + 1} of ${this.tasks.length} failed on ${t.failures} workers (retries: ${this.d.retries}); last errors: ${t.errors.join('; ')}`)
  }

  private async noWorker (t: TaskState | null): Promise<WgtError> {
    const available = await this.d.scheduler.available()
    const which = t == null ? 'a task' : `task ${t.index + 1} of ${this.tasks.length}`
    const tried = t == null ? 0 : t.tried.size
    const last = t != null && t.errors.length > 0 ? `; last errors: ${t.errors.join('; ')}` : ''
    return new WgtError('UNAVAILABLE', `no worker could take ${which} for ${Math.round(this.d.waitForWorkerMs / 1000)} s: ${available} worker(s) take tasks now (this node included), ${tried} already ran it, and it needs distinct workers (redundancy ${this.d.redundancy})${last}`)
  }

  /** the job's figures from the tasks' state */
  private update (): void {
    const { job } = this.d
    job.tasks = { total: this.tasks.length, done: this.accepted, running: this.tasks.filter(t => t.inFlight.size > 0).length }
    job.workers = [...this.workers.values()]
    this.d.onChange()
  }
}

async function untilAborted<T> (p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw WgtError.from(signal.reason, 'CANCELLED')
  let off = (): void => {}
  const aborted = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => { reject(WgtError.from(signal.reason, 'CANCELLED')) }
    signal.addEventListener('abort', onAbort, { once: true })
    off = () => { signal.removeEventListener('abort', onAbort) }
  })
  try {
    return await Promise.race([p, aborted])
  } finally {
    off()
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise<void>(resolve => { setTimeout(resolve, ms).unref?.() })
}
