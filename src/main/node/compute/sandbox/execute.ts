/**
 * One task, run in the calling thread (the task thread, task-thread.ts): the
 * kernel's own failures (input it rejects) become a TaskResult; anything
 * else is thrown and is not a result.
 */
import { MAX_TASK_OUTPUT_BYTES } from '../../../../shared/api/compute.js'
import { WgtError } from '../../../../shared/errors.js'
import { multiplyMatmulTask, planMatmulTask } from '../kernels/matmul.js'
import type { TaskLimits, TaskResult, TaskSpec } from '../types.js'
import { meterModule } from './meter.js'
import { runWasmTask } from './wasm-task.js'

/**
 * A submit-time check of a user module (runner.ts checkModule): the same
 * checks and metering a worker runs, in a pool thread, so binaryen never
 * loads on the node's main thread. Internal to the pool, not a task kind.
 */
export interface CheckSpec { kernel: 'check', module: Uint8Array }
export type ThreadSpec = TaskSpec | CheckSpec

/** parent → thread */
export interface RunMessage { spec: ThreadSpec, limits: TaskLimits }
/**
 * thread → parent: 'started' when the task's own code begins (the live CPU
 * figure counts from there), then the end; `retire`: this thread must not
 * take another task (its binaryen failed), the pool replaces it.
 */
export type ThreadMessage =
  | { type: 'started' }
  | { type: 'done', ok: true, result: TaskResult, sha256: string, cpuMs: number, retire: boolean }
  | { type: 'done', ok: false, error: { code: string, message: string }, retire: boolean }

/**
 * `onStart` marks the end of this node's preparation (for a user module:
 * loading binaryen, metering, compiling) and the start of the task's own work.
 */
export async function executeTask (spec: ThreadSpec, limits: TaskLimits, onStart: () => void): Promise<TaskResult> {
  if (spec.kernel === 'check') return await checkUserModule(spec.module, onStart)
  if (spec.kernel === 'matmul') {
    let output: Uint8Array
    try {
      // sizes first, from the headers alone: a tiny input must not make this thread allocate hundreds of MiB
      const plan = planMatmulTask(spec.input)
      if (plan.outputBytes > MAX_TASK_OUTPUT_BYTES) {
        return { ok: false, verdict: 'invalid', message: `the product ${plan.a.rows}×${plan.b.cols} is ${plan.outputBytes} bytes, over the ${MAX_TASK_OUTPUT_BYTES}-byte limit of a task's output` }
      }
      // the built-in kernel keeps to the task's memory cap like a module: the cap is what the contributor allowed
      if (plan.memoryBytes > limits.memoryBytes) {
        return { ok: false, verdict: 'memory', message: `the product of A ${plan.a.rows}×${plan.a.cols} and B ${plan.b.rows}×${plan.b.cols} needs ${plan.memoryBytes} bytes of memory, over the task's cap of ${limits.memoryBytes}` }
      }
      onStart()
      output = multiplyMatmulTask(spec.input)
    } catch (err) {
      if (err instanceof WgtError && err.code === 'INVALID_INPUT') return { ok: false, verdict: 'invalid', message: err.message }
      throw err
    }
    return { ok: true, output }
  }
  if (spec.kernel === 'wasm') return await runWasmTask(spec.module, spec.input, spec.budget, limits.memoryBytes, onStart)
  throw new WgtError('INVALID_INPUT', `unknown kernel ${JSON.stringify((spec as { kernel: unknown }).kernel)}`)
}

/**
 * The module's check as a result: ok with 8 bytes (u32 LE: its declared
 * minimum memory in pages; its maximum, or 0xffffffff for none), or
 * 'invalid' with what is wrong.
 */
async function checkUserModule (module: Uint8Array, onStart: () => void): Promise<TaskResult> {
  onStart()
  try {
    const m = await meterModule(module)
    const out = new Uint8Array(8)
    const view = new DataView(out.buffer)
    view.setUint32(0, m.memoryMin, true)
    view.setUint32(4, m.memoryMax ?? 0xffffffff, true)
    return { ok: true, output: out }
  } catch (err) {
    if (err instanceof WgtError && err.code === 'INVALID_INPUT') return { ok: false, verdict: 'invalid', message: err.message }
    throw err
  }
}
