/**
 * The worker: what this node runs, for others (through the compute service)
 * and for its own jobs (TaskDispatch.local), under the contributor settings
 * (DESIGN.md §9). Others' tasks are admitted when contributing is on, a slot
 * is free and, with idleOnly, the rest of the computer is quiet; a task that
 * asks for more memory than the user allows per task is refused with why,
 * and its time limit is held to the user's. Own tasks share the slots (the
 * user's maxTasks is what the computer gives to compute, whoever asks) but
 * not the on/off switch or the idle rule: those are about giving.
 *
 * Tasks run through the sandbox's TaskRunner; whatever a task does, the
 * worker records it and goes on.
 */
import { COMPUTE_LIMITS, type ComputeContribution, type ComputeKernel, type ComputeSettings } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { EventHub } from '../../../shared/rpc.js'
import type { TaskHost, TaskTicket } from './compute-service.js'
import { Contribution } from './contribution.js'
import { IdleMeter } from './idle.js'
import { ModuleCache } from './module-cache.js'
import { Slots } from './slots.js'
import type { ComputeStore } from './store.js'
import type { TaskLimits, TaskOutcome, TaskResult, TaskRunner, TaskSpec } from './types.js'
import { boundResult, type CheckedRequest } from './wire.js'

const MIB = 1024 * 1024
/** past a task's time limit, how long the sandbox has to stop it before the worker gives its slot back anyway */
const BACKSTOP_GRACE_MS = 5000

export interface ComputeWorkerInit {
  /** this node's PeerId: the requester of its own tasks */
  selfId: string
  store: ComputeStore
  runner: TaskRunner
  events: EventHub
  /** the canonical hash of a result (sandbox/result-hash.ts) */
  hashResult: (result: TaskResult) => string
  /** bytes of user modules kept by SHA-256 (default 64 MiB) */
  moduleCacheBytes?: number
  idle?: IdleMeter
  now?: () => number
  log?: (format: string, ...args: unknown[]) => void
}

/** Figures for the metrics. */
export interface ComputeFigures {
  running: number
  /** CPU ms of tasks run for others, since the data directory was made */
  cpuMsTotal: number
  tasksTotal: number
}

export class ComputeWorker implements TaskHost {
  private readonly slots: Slots
  private readonly cache: ModuleCache
  private readonly contribution: Contribution
  private readonly idle: IdleMeter
  /** every task running, so stop() can end them */
  private readonly running = new Set<AbortController>()
  private stopped = false

  constructor (private readonly init: ComputeWorkerInit) {
    this.slots = new Slots(init.store.getSettings().maxTasks)
    this.cache = new ModuleCache(init.moduleCacheBytes ?? 64 * MIB)
    this.contribution = new Contribution({ store: init.store, events: init.events, now: init.now, log: init.log })
    this.idle = init.idle ?? new IdleMeter()
  }

  start (): void {
    this.apply(this.init.store.getSettings())
  }

  getSettings (): ComputeSettings { return this.init.store.getSettings() }

  async updateSettings (patch: Partial<ComputeSettings>): Promise<ComputeSettings> {
    const next = await this.init.store.updateSettings(patch)
    this.apply(next)
    this.init.events.emit('compute:settings', next)
    return next
  }

  getContribution (): ComputeContribution {
    return this.contribution.snapshot(this.paused())
  }

  figures (): ComputeFigures {
    const totals = this.contribution.snapshot(null).totals
    return { running: this.contribution.runningCount(), cpuMsTotal: totals.cpuMs, tasksTotal: totals.tasks }
  }

  /** Why others' tasks are not taken right now, or null. */
  paused (): string | null {
    if (this.stopped) return 'this node is stopping'
    const s = this.init.store.getSettings()
    if (!s.enabled) return 'contributing is turned off on this computer'
    if (!s.idleOnly) return null
    const load = this.idle.otherLoad()
    if (load === null) return 'paused: measuring how busy this computer is'
    if (load >= s.idleLoadPercent) return `paused: this computer is busy (${Math.round(load)}% CPU by other programs)`
    return null
  }

  admit (peer: string): TaskTicket | string {
    const paused = this.paused()
    if (paused != null) return paused
    const release = this.slots.tryTake()
    if (release == null) return `full: ${this.slots.inUse} of ${this.slots.capacity} task slots are taken`
    return {
      limits: request => this.limitsFor(request),
      run: async (spec, limits, inputBytes, signal) => await this.execute(peer, false, spec, limits, inputBytes, signal),
      release
    }
  }

  module (sha256: string): Uint8Array | null { return this.cache.get(sha256) }

  keepModule (sha256: string, module: Uint8Array): void { this.cache.put(sha256, module) }

  /** TaskDispatch.local: an own job's task, waiting for a slot. */
  async local (spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal): Promise<TaskOutcome> {
    if (this.stopped) throw new WgtError('NOT_RUNNING', 'the compute worker has stopped')
    const release = await this.slots.take(signal)
    try {
      return await this.execute(this.init.selfId, true, spec, limits, spec.input.byteLength, signal)
    } finally {
      release()
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const c of this.running) c.abort(new WgtError('CANCELLED', 'the node is stopping'))
    this.idle.stop()
    await this.contribution.stop()
  }

  /** The limits a peer's task runs under here, or why it is refused. */
  private limitsFor (request: CheckedRequest): TaskLimits | string {
    const s = this.init.store.getSettings()
    if (request.memoryBytes > s.memoryMb * MIB) {
      return `this task needs ${Math.ceil(request.memoryBytes / MIB)} MiB of memory and this computer allows ${s.memoryMb} MiB per task`
    }
    return { memoryBytes: request.memoryBytes, timeoutMs: Math.min(request.timeoutMs, s.timeoutS * 1000) }
  }

  private async execute (requester: string, own: boolean, spec: TaskSpec, limits: TaskLimits, inputBytes: number, signal?: AbortSignal): Promise<TaskOutcome> {
    const controller = new AbortController()
    const onAbort = (): void => { controller.abort(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted === true) onAbort()
    this.running.add(controller)
    const entry = this.contribution.begin(requester, spec.kernel as ComputeKernel, inputBytes, own)
    // the sandbox stops a task at its limit; should it ever not, the slot still comes back
    let backstop: ReturnType<typeof setTimeout> | undefined
    const overdue = new Promise<never>((_resolve, reject) => {
      backstop = setTimeout(() => {
        const err = new WgtError('TIMEOUT', `the task ran past its ${limits.timeoutMs} ms limit and the sandbox did not stop it`)
        controller.abort(err)
        reject(err)
      }, limits.timeoutMs + BACKSTOP_GRACE_MS)
    })
    try {
      // a runner that throws synchronously, or anything but a WgtError, is the sandbox failing, not the node
      const running = Promise.resolve().then(async () => await this.init.runner.run(spec, limits, controller.signal, cpuMs => { entry.progress(cpuMs) }))
      running.catch(() => {})
      const outcome = await Promise.race([running, overdue])
      const result = boundResult(outcome.result)
      const bounded = result === outcome.result ? outcome : { ...outcome, result, sha256: this.init.hashResult(result) }
      entry.end({ cpuMs: bounded.cpuMs, outputBytes: result.ok ? result.output.byteLength : 0, error: result.ok ? null : `${result.verdict}: ${result.message}` })
      return bounded
    } catch (err) {
      // cancelled: say why (the requester went away, the node is stopping), not just that the sandbox was told
      const why: unknown = controller.signal.aborted ? controller.signal.reason : undefined
      const e = why instanceof WgtError
        ? why
        : err instanceof WgtError ? err : new WgtError('INTERNAL', `the task's thread failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
      entry.end({ cpuMs: 0, outputBytes: 0, error: e.code === 'TIMEOUT' ? `time limit of ${Math.round(limits.timeoutMs / 1000)} s: ${e.message}` : e.message })
      throw e
    } finally {
      clearTimeout(backstop)
      signal?.removeEventListener('abort', onAbort)
      this.running.delete(controller)
    }
  }

  private apply (s: ComputeSettings): void {
    this.slots.resize(Math.min(s.maxTasks, COMPUTE_LIMITS.maxTasks.max))
    if (s.idleOnly && !this.stopped) this.idle.start()
    else this.idle.stop()
  }
}
