/**
 * This node's compute jobs (DESIGN.md §9): each runs as an operation of kind
 * 'compute' (its id is the job's id), through the phases preparing (reading
 * or making the inputs), computing (tasks dispatched, verified, accepted;
 * progress bytes are the input bytes of accepted tasks) and verifying
 * (hashing the assembled result). The ComputeJob goes out as 'compute:job'
 * at most every 250 ms while it runs and at once when it ends, and is kept in
 * the datastore (job-store.ts). Cancel aborts the tasks in flight.
 *
 * What a submitter may choose is bounded by the API's schema; sizes of tasks
 * and where they run are this node's choice (split.ts, scheduler.ts).
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { ComputeJob, ComputeSubmit, OperationRef } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { ViolationReporter } from '../guard/reputation.js'
import type { OperationHandle, OperationRegistry } from '../operations/registry.js'
import { FREIVALDS_ROUNDS, MatmulKernel, WasmKernel, type JobKernel } from './job-kernels.js'
import { JobRun } from './job-run.js'
import type { JobStore } from './job-store.js'
import { productShape, readMatrixHeader } from './matrix.js'
import type { Scheduler } from './scheduler.js'
import { checkWasmInput, randomMatrix, readMatmulInputs, readModule, readWasmInput } from './split.js'
import type { TaskDispatch } from './types.js'
import type { WorkerRecords } from './worker-records.js'

export const DEFAULT_TIMEOUT_S = 120
export const DEFAULT_RETRIES = 3
const EMIT_INTERVAL_MS = 250
/** how long a job with nothing in flight waits for a worker to appear (peers connect, cool-offs end) */
const WAIT_FOR_WORKER_MS = 30_000

export interface JobsInit {
  selfId: string
  dataDir: string
  downloadDir: string
  dispatch: TaskDispatch
  scheduler: Scheduler
  records: WorkerRecords
  store: JobStore
  operations: Pick<OperationRegistry, 'start' | 'cancel' | 'isRunning'>
  emit: (job: ComputeJob) => void
  reputation: ViolationReporter
  /** check a user module against the ABI before any task goes out (throws INVALID_INPUT) */
  checkModule?: (module: Uint8Array) => void | Promise<void>
  waitForWorkerMs?: number
  random?: () => number
  now?: () => number
}

interface Live {
  job: ComputeJob
  lastEmit: number
  timer: ReturnType<typeof setTimeout> | undefined
  /** the node stops: the job ends before the worker it runs on goes */
  stop: AbortController
  ended: Promise<void>
}

export class Jobs {
  private readonly live = new Map<string, Live>()
  private readonly now: () => number

  constructor (private readonly d: JobsInit) {
    this.now = d.now ?? Date.now
  }

  get resultsDir (): string {
    return join(this.d.dataDir, 'compute', 'results')
  }

  /**
   * Start a job. What can be checked without reading the data is checked
   * before the operation starts, so the call itself refuses it: matrix file
   * headers (limits, exact size, A's columns = B's rows), file sizes.
   */
  async submit (spec: ComputeSubmit): Promise<OperationRef> {
    let label: string
    if (spec.kernel === 'matmul' && 'n' in spec) {
      label = `matmul ${spec.n}×${spec.n}`
    } else if (spec.kernel === 'matmul') {
      const a = await readMatrixHeader(spec.a)
      const b = await readMatrixHeader(spec.b)
      const c = productShape(a, b)
      label = `matmul ${basename(spec.a)} · ${basename(spec.b)} (${c.rows}×${c.cols})`
    } else {
      // the module is small (MAX_MODULE_BYTES): checked against the ABI here, so a bad one is refused by the call
      await this.d.checkModule?.(await readModule(spec.module))
      await checkWasmInput(spec.input)
      label = basename(spec.module)
    }
    return this.d.operations.start('compute', { label }, async op => await this.run(op, spec, label))
  }

  list (): ComputeJob[] {
    const running = [...this.live.values()].map(l => structuredClone(l.job))
    const ended = this.d.store.list().map(s => s.job).filter(j => !this.live.has(j.id))
    return [...running, ...ended].sort((a, b) => b.createdAt - a.createdAt)
  }

  get (id: string): ComputeJob {
    const live = this.live.get(id)
    if (live != null) return structuredClone(live.job)
    const stored = this.d.store.get(id)
    if (stored == null) throw new WgtError('NOT_FOUND', `no compute job ${id} on this node`)
    return stored.job
  }

  cancel (id: string): void {
    this.get(id)
    if (this.d.operations.isRunning(id)) this.d.operations.cancel(id)
  }

  /**
   * Copy a done job's result to `path` (a file, or a directory to put it in;
   * default the download folder), re-hashing it on the way: a result file
   * damaged on disk is INTEGRITY, never handed out.
   */
  async save (id: string, path?: string): Promise<{ path: string, bytes: number, sha256: string }> {
    const job = this.get(id)
    const stored = this.d.store.get(id)
    if (job.state !== 'done' || job.result == null || stored?.resultPath == null) {
      throw new WgtError('UNAVAILABLE', `compute job ${id} is ${job.state}: only a done job has a result`)
    }
    const name = basename(stored.resultPath)
    let dest = path ?? join(this.d.downloadDir, name)
    const existing = await stat(dest).catch(() => null)
    if (existing?.isDirectory() === true) dest = join(dest, name)
    await mkdir(join(dest, '..'), { recursive: true })
    const partial = dest + '.wgt-partial'
    const h = createHash('sha256')
    let bytes = 0
    const out = await open(partial, 'w', 0o644)
    try {
      for await (const chunk of createReadStream(stored.resultPath, { highWaterMark: 1 << 20 })) {
        h.update(chunk as Buffer)
        bytes += (chunk as Buffer).byteLength
        await out.write(chunk as Buffer)
      }
    } catch (err) {
      await out.close()
      await rm(partial, { force: true })
      throw WgtError.from(err, 'UNAVAILABLE')
    }
    await out.close()
    const sha256 = h.digest('hex')
    if (sha256 !== job.result.sha256 || bytes !== job.result.bytes) {
      await rm(partial, { force: true })
      throw new WgtError('INTEGRITY', `the result of job ${id} on disk is ${bytes} bytes hashing to ${sha256}; the job produced ${job.result.bytes} bytes hashing to ${job.result.sha256}: it was damaged, nothing was written`)
    }
    await rename(partial, dest)
    return { path: dest, bytes, sha256 }
  }

  /**
   * The node stops: running jobs end now (as the operations registry would
   * end them, NOT_RUNNING), before the worker their local tasks run on stops.
   */
  async stop (): Promise<void> {
    const live = [...this.live.values()]
    for (const l of live) l.stop.abort(new WgtError('NOT_RUNNING', 'the node is stopping'))
    await Promise.all(live.map(async l => { await l.ended }))
  }

  private async run (op: OperationHandle, spec: ComputeSubmit, label: string): Promise<ComputeJob['result']> {
    const job: ComputeJob = {
      id: op.id,
      kernel: spec.kernel,
      label,
      state: 'running',
      redundancy: spec.redundancy ?? 1,
      tasks: { total: 0, done: 0, running: 0 },
      fraction: 0,
      workers: [],
      verification: { extraRuns: 0, mismatches: 0, freivalds: spec.kernel === 'matmul' ? { checked: 0, rounds: FREIVALDS_ROUNDS, failed: 0 } : null },
      cpuMs: 0,
      createdAt: this.now(),
      endedAt: null,
      result: null,
      error: null
    }
    let ended = (): void => {}
    const live: Live = { job, lastEmit: 0, timer: undefined, stop: new AbortController(), ended: new Promise(resolve => { ended = resolve }) }
    const signal = AbortSignal.any([op.signal, live.stop.signal])
    this.live.set(job.id, live)
    try {
      return await this.work(op, spec, live, signal)
    } finally {
      ended()
    }
  }

  private async work (op: OperationHandle, spec: ComputeSubmit, live: Live, signal: AbortSignal): Promise<ComputeJob['result']> {
    const { job } = live
    await this.d.store.put({ job: structuredClone(job), resultPath: null })
    this.announce(live, true)
    let kernel: JobKernel | null = null
    try {
      op.progress('preparing', 0)
      await mkdir(this.resultsDir, { recursive: true })
      kernel = await this.prepare(spec, job.id, job.label)
      if (signal.aborted) throw WgtError.from(signal.reason, 'CANCELLED')
      job.tasks.total = kernel.tasks
      op.progress('computing', 0)
      const k = kernel
      const run = new JobRun({
        selfId: this.d.selfId,
        kernel: k,
        job,
        signal,
        dispatch: this.d.dispatch,
        scheduler: this.d.scheduler,
        records: this.d.records,
        reputation: this.d.reputation,
        redundancy: job.redundancy,
        retries: spec.retries ?? DEFAULT_RETRIES,
        timeoutMs: (spec.timeoutS ?? DEFAULT_TIMEOUT_S) * 1000,
        waitForWorkerMs: this.d.waitForWorkerMs ?? WAIT_FOR_WORKER_MS,
        random: this.d.random,
        now: this.d.now,
        onChange: () => {
          if (k instanceof MatmulKernel) job.verification.freivalds = { checked: k.checked, rounds: FREIVALDS_ROUNDS, failed: k.failed }
          const within = job.tasks.total === 0 ? 1 : job.tasks.done / job.tasks.total
          job.fraction = Math.max(job.fraction, 0.05 + 0.9 * within)
          op.progress('computing', within, { done: run.acceptedBytes, total: run.totalBytes })
          this.announce(live, false)
        }
      })
      await run.run()
      op.progress('verifying', 0)
      const result = await kernel.finish((done, total) => { op.progress('verifying', done / total) })
      job.result = { bytes: result.bytes, sha256: result.sha256, rows: result.rows, cols: result.cols }
      job.state = 'done'
      job.fraction = 1
      await this.end(live, result.path)
      return job.result
    } catch (err) {
      const e = WgtError.from(signal.aborted ? signal.reason ?? err : err)
      await kernel?.discard().catch(() => {})
      job.state = e.code === 'CANCELLED' ? 'cancelled' : 'failed'
      job.error = { code: e.code, message: e.message }
      await this.end(live, null)
      throw e
    }
  }

  private async prepare (spec: ComputeSubmit, id: string, label: string): Promise<JobKernel> {
    if (spec.kernel === 'matmul') {
      const path = join(this.resultsDir, `${id}.wgtm`)
      if ('n' in spec) return new MatmulKernel(randomMatrix(spec.n), randomMatrix(spec.n), path, label)
      const { a, b } = await readMatmulInputs(spec.a, spec.b)
      return new MatmulKernel(a, b, path, label)
    }
    const module = await readModule(spec.module)
    const input = await readWasmInput(spec.input)
    return new WasmKernel(module, input, join(this.resultsDir, `${id}.out`), label, { budget: spec.budget, memoryMb: spec.memoryMb })
  }

  private async end (live: Live, resultPath: string | null): Promise<void> {
    const { job } = live
    job.endedAt = this.now()
    job.tasks = { ...job.tasks, running: 0 }
    clearTimeout(live.timer)
    this.live.delete(job.id)
    await this.d.store.put({ job: structuredClone(job), resultPath }).catch(() => {})
    this.d.emit(structuredClone(job))
  }

  /** 'compute:job' at most every EMIT_INTERVAL_MS while the job runs; the last change is never held back */
  private announce (live: Live, force: boolean): void {
    const t = this.now()
    if (force || t - live.lastEmit >= EMIT_INTERVAL_MS) {
      clearTimeout(live.timer)
      live.timer = undefined
      live.lastEmit = t
      this.d.emit(structuredClone(live.job))
      return
    }
    if (live.timer != null) return
    live.timer = setTimeout(() => {
      live.timer = undefined
      if (this.live.get(live.job.id) !== live) return
      live.lastEmit = this.now()
      this.d.emit(structuredClone(live.job))
    }, EMIT_INTERVAL_MS - (t - live.lastEmit))
    live.timer.unref?.()
  }
}
