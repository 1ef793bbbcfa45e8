/**
 * The TaskRunner (types.ts) on worker_threads: a pool of at most
 * `concurrency` task threads, started when a task needs one. A task that
 * outlives its time limit, or whose signal aborts, has its thread
 * terminated (the only way to stop a busy WASM loop) and the pool starts a
 * fresh thread for the next task; so does a thread that died. Nothing a
 * task does reaches this thread but its answer: a runaway task costs its
 * own thread, never the node.
 *
 * The time limit counts from the moment a thread takes the task, not while
 * it waits in the queue for a free thread.
 */
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { WgtError } from '../../../../shared/errors.js'
import type { TaskLimits, TaskOutcome, TaskRunner, TaskSpec } from '../types.js'
import type { RunMessage, ThreadMessage } from './execute.js'

/** WebAssembly's 32-bit memories stop at 65536 pages of 64 KiB. */
const MAX_MEMORY_BYTES = 65536 * 65536
/** Longest time limit a task may ask (setTimeout's own limit is ~24.8 days). */
const MAX_TIMEOUT_MS = 24 * 3600_000
/**
 * Time a thread may take to prepare a task before the task's own clock
 * starts: for a user module, loading binaryen (~1.5 s here, once per
 * thread), metering and compiling up to 8 MiB of WASM. This node's work,
 * not the task's, so it is not charged to the task's time limit — which then
 * means the same on a fast and a slow worker — but it is bounded.
 */
const PREPARE_MS = 120_000

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
  spec: TaskSpec
  limits: TaskLimits
  signal?: AbortSignal
  resolve: (o: TaskOutcome) => void
  reject: (e: WgtError) => void
  onAbort?: () => void
}

/**
 * Where the thread's entry is. tsc output (the daemon, out/node/…) and the
 * electron-vite bundle (out/main/, a separate input in electron.vite.config.ts)
 * both have task-thread.js beside the code that starts it; from TypeScript
 * source (vitest) a small bootstrap registers a TypeScript loader first.
 * The file name is a variable so bundlers leave the URL alone.
 */
export function taskThreadUrl (): URL {
  const here = import.meta.url
  const name = here.endsWith('.ts') ? 'task-thread-dev.mjs' : 'task-thread.js'
  for (const rel of ['./', '../']) {
    const url = new URL(rel + name, here)
    if (existsSync(url)) return url
  }
  throw new WgtError('INTERNAL', `the task thread's entry ${name} is missing beside ${here}`)
}

export function createTaskRunner (options: TaskRunnerOptions): TaskRunner {
  const { concurrency, heapMb = 256 } = options
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new WgtError('INVALID_INPUT', `concurrency ${concurrency}: expected an integer ≥ 1`)
  const entry = taskThreadUrl()
  const idle: Worker[] = []
  const live = new Set<Worker>()
  const queue: Pending[] = []
  let stopped = false

  function spawn (): Worker {
    const w = new Worker(entry, { resourceLimits: { maxOldGenerationSizeMb: heapMb } })
    // an idle pool must not keep a process alive; a running task's timer does
    w.unref()
    live.add(w)
    // an idle thread that dies (it should not) is just forgotten
    w.on('exit', () => {
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
        clearTimeout(timer)
        timer = setTimeout(onTimeout, task.limits.timeoutMs)
        return
      }
      if (msg.ok) finish({ ok: true, value: { result: msg.result, sha256: msg.sha256, cpuMs: msg.cpuMs } }, true)
      else finish({ ok: false, error: WgtError.fromWire(msg.error) }, true)
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
    const onTimeout = (): void => {
      finish({ ok: false, error: new WgtError('TIMEOUT', `the task ran past its ${task.limits.timeoutMs} ms limit and was stopped`) }, false)
    }
    let timer = setTimeout(() => {
      finish({ ok: false, error: new WgtError('TIMEOUT', `preparing the task took over ${PREPARE_MS} ms; it was stopped`) }, false)
    }, PREPARE_MS)
    w.on('message', onMessage)
    w.on('error', onError)
    w.on('exit', onExit)
    task.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      w.postMessage({ spec: task.spec, limits: task.limits } satisfies RunMessage)
    } catch (err) {
      finish({ ok: false, error: WgtError.from(err, 'INVALID_INPUT') }, true)
    }
  }

  return {
    async run (spec, limits, signal) {
      if (stopped) throw new WgtError('NOT_RUNNING', 'the compute sandbox is stopped')
      checkLimits(limits)
      if (signal?.aborted === true) throw new WgtError('CANCELLED', 'the task was cancelled')
      return await new Promise<TaskOutcome>((resolve, reject) => {
        const task: Pending = { spec, limits, signal, resolve, reject }
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
    },

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

function checkLimits (limits: TaskLimits): void {
  const { timeoutMs, memoryBytes } = limits
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new WgtError('INVALID_INPUT', `time limit ${timeoutMs} ms: expected 1..${MAX_TIMEOUT_MS}`)
  }
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 65536 || memoryBytes > MAX_MEMORY_BYTES) {
    throw new WgtError('INVALID_INPUT', `memory cap ${memoryBytes} bytes: expected 64 KiB..4 GiB`)
  }
}
