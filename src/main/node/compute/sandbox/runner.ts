/**
 * The TaskRunner (types.ts) on worker_threads: a pool of at most
 * `concurrency` task threads, started when a task needs one. A task that
 * outlives its time limit, or whose signal aborts, has its thread
 * terminated (the only way to stop a busy WASM loop) and the pool starts a
 * fresh thread for the next task; so does a thread that died. Nothing a
 * task does reaches this thread but its answer: a runaway task costs its
 * own thread, never the node.
 *
 * The time limit counts from the moment a thread takes the task (not while
 * it waits in the queue for a free thread), and includes preparing it.
 */
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { WgtError } from '../../../../shared/errors.js'
import type { TaskLimits, TaskOutcome, TaskRunner } from '../types.js'
import type { RunMessage, ThreadMessage, ThreadSpec } from './execute.js'

/** WebAssembly's 32-bit memories stop at 65536 pages of 64 KiB. */
const MAX_MEMORY_BYTES = 65536 * 65536
/** Longest time limit a task may ask (setTimeout's own limit is ~24.8 days). */
const MAX_TIMEOUT_MS = 24 * 3600_000
/** How often a running task's CPU time is read for onCpu. */
const CPU_POLL_MS = 1000

export interface TaskRunnerOptions {
  /** threads running at once, ≥ 1 */
  concurrency: number
  /**
   * V8 heap of a task thread, MiB. WASM memory and the input's bytes are not
   * on this heap (they are array buffers); it bounds only our own JavaScript
   * in the thread, so a bug there costs the thread, not the node.
   */
  heapMb?: number
}

interface Pending {
  spec: ThreadSpec
  limits: TaskLimits
  signal?: AbortSignal
  onCpu?: (cpuMs: number) => void
  resolve: (o: TaskOutcome) => void
  reject: (e: WgtError) => void
  onAbort?: () => void
}

/**
 * Where the thread's entry is. tsc output (out/node/…), the daemon's bundle
 * (out/daemon/, an input of scripts/build-cli.js, the code in its chunks/)
 * and the electron-vite bundle (out/main/, a separate input in
 * electron.vite.config.ts) all have task-thread.js beside, or one directory
 * above, the code that starts it; from TypeScript
 * source (vitest) a small bootstrap registers a TypeScript loader first.
 * The file name is a variable so bundlers leave the URL alone.
 *
 * In the packaged app this code runs from inside resources/app.asar, and a
 * worker thread's ES module loader is not one Electron promises can read an
 * asar archive. So electron-builder.json (asarUnpack) puts the entry, its
 * chunks and binaryen (which the thread imports) in app.asar.unpacked/, and
 * the thread starts from there, resolving all it imports outside the archive.
 */
export function taskThreadUrl (here: string = import.meta.url): URL {
  const name = here.endsWith('.ts') ? 'task-thread-dev.mjs' : 'task-thread.js'
  const unpacked = here.replace(/\.asar\//, '.asar.unpacked/')
  for (const base of unpacked === here ? [here] : [unpacked, here]) {
    for (const rel of ['./', '../']) {
      const url = new URL(rel + name, base)
      if (existsSync(url)) return url
    }
  }
  throw new WgtError('INTERNAL', `the task thread's entry ${name} is missing beside ${here}`)
}

/** What checkModule found: the module's declared memory, pages of 64 KiB (max null: none declared). */
export interface ModuleCheck { memoryMin: number, memoryMax: number | null }

/** Time allowed a submit-time check: loading binaryen and metering the largest module allowed take ~3 s here. */
export const CHECK_TIMEOUT_MS = 60_000

/** The runner, and how many threads it has alive (idle or busy): tests and figures. */
export interface PooledTaskRunner extends TaskRunner {
  threads: () => number
  /** the threadId metering a module now, 0 for none (meter.ts's lock): tests */
  meteringThread: () => number
  /**
   * The requester's submit-time check of a user module (review L3): exactly
   * what a worker runs before a task (abi.ts, module-limits.ts, meter.ts:
   * size, validity, imports and exports, signatures, features, start
   * function, memories, the metering bounds), in a pool thread like a task
   * (binaryen never loads on the calling thread), queued with the tasks.
   * Resolves with the declared memory (compare memoryMin with the task's
   * cap); rejects INVALID_INPUT saying what is wrong, TIMEOUT / CANCELLED
   * like a task.
   */
  checkModule: (module: Uint8Array, signal?: AbortSignal) => Promise<ModuleCheck>
}

export function createTaskRunner (options: TaskRunnerOptions): PooledTaskRunner {
  const { concurrency, heapMb = 256 } = options
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new WgtError('INVALID_INPUT', `concurrency ${concurrency}: expected an integer ≥ 1`)
  const entry = taskThreadUrl()
  const idle: Worker[] = []
  const live = new Set<Worker>()
  const queue: Pending[] = []
  let stopped = false
  // one module metered at a time in this pool (meter.ts): 0 or the holder's threadId
  const meterLock = new Int32Array(new SharedArrayBuffer(4))

  function spawn (): Worker {
    const w = new Worker(entry, { resourceLimits: { maxOldGenerationSizeMb: heapMb }, workerData: { meterLock } })
    const id = w.threadId
    // an idle pool must not keep a process alive; a running task's timer does
    w.unref()
    live.add(w)
    // an idle thread that dies (it should not) is just forgotten
    w.on('exit', () => {
      // a thread stopped while metering leaves the lock to the others
      if (Atomics.compareExchange(meterLock, 0, id, 0) === id) Atomics.notify(meterLock, 0, 1)
      live.delete(w)
      const i = idle.indexOf(w)
      if (i >= 0) idle.splice(i, 1)
    })
    w.on('error', () => {})
    return w
  }

  function discard (w: Worker): void {
    live.delete(w)
    void w.terminate()
  }

  function pump (): void {
    while (queue.length > 0 && !stopped && (idle.length > 0 || live.size < concurrency)) {
      const task = queue.shift() as Pending
      if (task.onAbort !== undefined) task.signal?.removeEventListener('abort', task.onAbort)
      // aborted by the same signal as the task that just ended, before its own listener ran
      if (task.signal?.aborted === true) task.reject(new WgtError('CANCELLED', 'the task was cancelled'))
      else start(idle.pop() ?? spawn(), task)
    }
  }

  function start (w: Worker, task: Pending): void {
    let settled = false
    const finish = (outcome: { ok: true, value: TaskOutcome } | { ok: false, error: WgtError }, keep: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearInterval(cpuPoll)
      task.signal?.removeEventListener('abort', onAbort)
      w.off('message', onMessage)
      w.off('error', onError)
      w.off('exit', onExit)
      if (keep && !stopped) idle.push(w)
      else discard(w)
      if (outcome.ok) task.resolve(outcome.value)
      else task.reject(outcome.error)
      pump()
    }
    const onMessage = (msg: ThreadMessage): void => {
      if (msg.type === 'started') {
        startCpu()
        return
      }
      // a retiring thread is terminated and replaced by a fresh one when needed
      if (msg.ok) finish({ ok: true, value: { result: msg.result, sha256: msg.sha256, cpuMs: msg.cpuMs } }, !msg.retire)
      else finish({ ok: false, error: WgtError.fromWire(msg.error) }, !msg.retire)
    }
    const onError = (err: Error): void => {
      finish({ ok: false, error: new WgtError('INTERNAL', `the task thread failed: ${err.message}`, { cause: err }) }, false)
    }
    const onExit = (code: number): void => {
      const error = stopped ? new WgtError('CANCELLED', 'the compute sandbox stopped') : new WgtError('INTERNAL', `the task thread exited (code ${code})`)
      finish({ ok: false, error }, false)
    }
    const onAbort = (): void => {
      finish({ ok: false, error: new WgtError('CANCELLED', 'the task was cancelled') }, false)
    }
    // the whole stay on this worker counts, preparation included (a cold
    // thread loads binaryen for its first user module, ~1.5 s here): the
    // contributor's limit is on the machine's time, and the requester's and
    // the worker's backstops wait for the same span
    const timer = setTimeout(() => {
      finish({ ok: false, error: new WgtError('TIMEOUT', `the task ran past its ${task.limits.timeoutMs} ms limit and was stopped`) }, false)
    }, task.limits.timeoutMs)
    // live CPU time of the thread (worker.cpuUsage, Node ≥ 24.6; absent elsewhere: no live figure, the outcome's still comes)
    const usage = (): Promise<number> => w.cpuUsage().then(u => (u.user + u.system) / 1000)
    let cpuPoll: ReturnType<typeof setInterval> | undefined
    // counted from the task's start, like the thread's own figure (task-thread.ts)
    let cpuBase: Promise<number> | undefined
    const liveCpu = task.onCpu !== undefined && typeof w.cpuUsage === 'function'
    const startCpu = (): void => {
      if (!liveCpu || cpuBase !== undefined) return
      const onCpu = task.onCpu as (ms: number) => void
      const base = usage()
      base.catch(() => {})
      cpuBase = base
      cpuPoll = setInterval(() => {
        void Promise.all([base, usage()]).then(([b, now]) => { if (!settled) onCpu(now - b) }, () => {})
      }, CPU_POLL_MS)
      cpuPoll.unref()
    }
    w.on('message', onMessage)
    w.on('error', onError)
    w.on('exit', onExit)
    task.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      w.postMessage({ spec: compact(task.spec), limits: task.limits } satisfies RunMessage)
    } catch (err) {
      finish({ ok: false, error: WgtError.from(err, 'INVALID_INPUT') }, true)
    }
  }

  async function enqueue (spec: ThreadSpec, limits: TaskLimits, signal?: AbortSignal, onCpu?: (cpuMs: number) => void): Promise<TaskOutcome> {
    if (stopped) throw new WgtError('NOT_RUNNING', 'the compute sandbox is stopped')
    checkLimits(limits)
    if (signal?.aborted === true) throw new WgtError('CANCELLED', 'the task was cancelled')
    return await new Promise<TaskOutcome>((resolve, reject) => {
      const task: Pending = { spec, limits, signal, onCpu, resolve, reject }
      if (signal !== undefined) {
        task.onAbort = () => {
          const i = queue.indexOf(task)
          if (i >= 0) queue.splice(i, 1)
          reject(new WgtError('CANCELLED', 'the task was cancelled'))
        }
        signal.addEventListener('abort', task.onAbort, { once: true })
      }
      queue.push(task)
      pump()
    })
  }

  return {
    async run (spec, limits, signal, onCpu) {
      return await enqueue(spec, limits, signal, onCpu)
    },

    async checkModule (module, signal) {
      if (!(module instanceof Uint8Array)) throw new WgtError('INVALID_INPUT', 'WASM module: expected bytes')
      // the memory cap is not used by a check (nothing runs); the smallest valid one
      const { result } = await enqueue({ kernel: 'check', module }, { timeoutMs: CHECK_TIMEOUT_MS, memoryBytes: 65536 }, signal)
      if (!result.ok) throw new WgtError('INVALID_INPUT', result.message)
      const view = new DataView(result.output.buffer, result.output.byteOffset, result.output.byteLength)
      const max = view.getUint32(4, true)
      return { memoryMin: view.getUint32(0, true), memoryMax: max === 0xffffffff ? null : max }
    },

    threads: () => live.size,

    meteringThread: () => Atomics.load(meterLock, 0),

    async stop () {
      stopped = true
      for (const task of queue.splice(0)) {
        if (task.onAbort !== undefined) task.signal?.removeEventListener('abort', task.onAbort)
        task.reject(new WgtError('CANCELLED', 'the compute sandbox stopped'))
      }
      const all = [...live]
      live.clear()
      idle.length = 0
      // terminating a busy thread fires its 'exit', which rejects its task
      await Promise.all(all.map(async w => await w.terminate()))
    }
  }
}

/**
 * postMessage clones a typed array's whole underlying buffer, so a view into
 * a large one (a block of a matrix, a part of a network frame) is copied
 * out first: the thread gets the task's bytes, not its neighbours'.
 */
function compact (spec: ThreadSpec): ThreadSpec {
  const own = (b: Uint8Array): Uint8Array => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice())
  if (spec.kernel === 'matmul') return { kernel: 'matmul', input: own(spec.input) }
  if (spec.kernel === 'check') return { kernel: 'check', module: own(spec.module) }
  if (spec.kernel === 'wasm') return { kernel: 'wasm', module: own(spec.module), input: own(spec.input), budget: spec.budget }
  return spec
}

function checkLimits (limits: TaskLimits): void {
  const { timeoutMs, memoryBytes } = limits
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new WgtError('INVALID_INPUT', `time limit ${timeoutMs} ms: expected 1..${MAX_TIMEOUT_MS}`)
  }
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 65536 || memoryBytes > MAX_MEMORY_BYTES) {
    throw new WgtError('INVALID_INPUT', `memory cap ${memoryBytes} bytes: expected 64 KiB..4 GiB`)
  }
}
