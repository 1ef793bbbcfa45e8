/**
 * One task, run in the calling thread (the task thread, task-thread.ts): the
 * kernel's own failures (input it rejects) become a TaskResult; anything
 * else is thrown and is not a result.
 */
import { MAX_TASK_OUTPUT_BYTES } from '../../../../shared/api/compute.js'
import { WgtError } from '../../../../shared/errors.js'
import { multiplyMatmulTask, planMatmulTask } from '../kernels/matmul.js'
import type { TaskLimits, TaskResult, TaskSpec } from '../types.js'
import { runWasmTask } from './wasm-task.js'

/** parent → thread */
export interface RunMessage { spec: TaskSpec, limits: TaskLimits }
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
export async function executeTask (spec: TaskSpec, limits: TaskLimits, onStart: () => void): Promise<TaskResult> {
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
