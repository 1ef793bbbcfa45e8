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
 * Past its retries a task fails the job, naming the task and its last errors.
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
/** errors named per task when it fails the job */
const KEEP_ERRORS = 4

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
  errors: string[]
  /** this node's check of each distinct result (matmul: Freivalds) */
  checks: Map<string, 'valid' | 'invalid'>
  /** one outcome per distinct result, until the task is accepted */
  outcomes: Map<string, TaskOutcome>
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
      index, quorum: null, tried: new Set(), inFlight: new Map(), runs: 0, failures: 0, errors: [], checks: new Map(), outcomes: new Map(), accepted: false
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
          if (this.now() - idleSince >= this.d.waitForWorkerMs) throw await this.noWorker(starved)
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
      if (t.accepted) continue
      while (this.flights.size < this.maxInFlight && this.runsNeeded(t) > 0) {
        const pick = await this.d.scheduler.pick(t.tried, this.perWorker)
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

  private runsNeeded (t: TaskState): number {
    if (t.accepted) return 0
    if (t.quorum == null) return t.inFlight.size > 0 ? 0 : 1
    const d = t.quorum.decide(t.inFlight.size)
    return d.state === 'pending' ? d.runs : 0
  }

  private launch (t: TaskState, pick: Pick): void {
    if (t.quorum == null) {
      // the first run's worker decides adaptive replication (BOINC): proven alone (with spot checks), new replicated
      t.quorum = this.d.redundancy > 1
        ? TaskQuorum.forRedundancy(this.d.redundancy)
        : TaskQuorum.adaptive(pick.self || isProven(this.d.records.get(pick.peerId)), this.random() < SPOT_CHECK_P)
    }
    const ctrl = new AbortController()
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
        if (!ctrl.signal.aborted && !this.d.signal.aborted) this.onError(t, pick, WgtError.from(err))
        return
      }
      release()
      if (!ctrl.signal.aborted && !t.accepted) await this.onOutcome(t, pick, outcome)
    })().catch((err: unknown) => { this.failure ??= WgtError.from(err) }).finally(() => {
      this.flights.delete(flight)
      this.update()
    })
    this.flights.add(flight)
  }

  private onError (t: TaskState, pick: Pick, e: WgtError): void {
    const who = pick.self ? 'this node' : pick.peerId
    this.note(t, `${who}: ${e.code} ${e.message}`)
    if (e.code === 'UNAVAILABLE' || e.code === 'POLICY_DENIED') {
      if (!pick.self) this.d.scheduler.refused(pick.peerId)
      return
    }
    t.failures++
    if (t.failures > this.d.retries) this.failure ??= this.taskFailed(t, e.code)
  }

  private async onOutcome (t: TaskState, pick: Pick, outcome: TaskOutcome): Promise<void> {
    const { kernel, job } = this.d
    // null after a liar's result was rejected (see below): this worker decides, with no spot check drawn again
    const quorum = t.quorum ??= TaskQuorum.adaptive(pick.self || isProven(this.d.records.get(pick.peerId)), false)
    const w = this.worker(pick)
    w.runs++
    w.cpuMs += outcome.cpuMs
    job.cpuMs += outcome.cpuMs
    t.runs++
    if (t.runs > 1) job.verification.extraRuns++
    let verdict = t.checks.get(outcome.sha256)
    if (verdict == null && kernel.checks) {
      verdict = await kernel.check(t.index, outcome)
      t.checks.set(outcome.sha256, verdict)
    }
    if (verdict === 'invalid') {
      quorum.reject(pick.peerId)
      // a liar's standing must not decide how the task is replicated: the next worker decides afresh
      // (a run still in flight then decides it when it answers)
      if (this.d.redundancy === 1 && quorum.counted === 0) t.quorum = null
      this.liar(pick.peerId, `task ${t.index + 1} of job ${job.id}: its result failed this node's check (Freivalds)`)
      this.note(t, `${pick.self ? 'this node' : pick.peerId}: a wrong result (failed Freivalds' check)`)
      t.failures++
      if (t.failures > this.d.retries) this.failure ??= this.taskFailed(t, 'INTEGRITY')
      return
    }
    quorum.add({ worker: pick.peerId, sha256: outcome.sha256 })
    if (!t.outcomes.has(outcome.sha256)) t.outcomes.set(outcome.sha256, outcome)
    let d = quorum.decide(t.inFlight.size)
    // a failure verdict fails the whole job: a peer's word for it alone is not enough
    if (d.state === 'accepted' && !outcome.result.ok && d.agreed.length < 2 && !(d.agreed.length === 1 && d.agreed[0] === this.d.selfId)) {
      quorum.require(2)
      d = quorum.decide(t.inFlight.size)
    }
    if (d.state !== 'accepted') return
    t.accepted = true
    for (const c of t.inFlight.values()) c.abort(new WgtError('CANCELLED', 'the task was accepted'))
    if (quorum.disagreed) job.verification.mismatches++
    const validated = d.agreed.length >= 2 || verdict === 'valid'
    if (validated) for (const id of d.agreed) if (id !== this.d.selfId) this.d.records.record(id, 'valid')
    for (const id of d.outvoted) {
      this.liar(id, `task ${t.index + 1} of job ${job.id}: its result was outvoted ${d.agreed.length} to 1`)
    }
    const chosen = t.outcomes.get(d.sha256) as TaskOutcome
    t.outcomes.clear()
    await kernel.accept(t.index, chosen)
    this.accepted++
    this.acceptedBytes += kernel.inputBytes(t.index)
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
