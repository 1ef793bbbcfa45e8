/**
 * One task, run in the calling thread (the task thread, task-thread.ts): the
 * kernel's own failures (input it rejects) become a TaskResult; anything
 * else is thrown and is not a result.
 */
import { MAX_TASK_OUTPUT_BYTES } from '../../../../shared/api/compute.js'
import { WgtError } from '../../../../shared/errors.js'
import { multiplyMatmulTask } from '../kernels/matmul.js'
import type { TaskLimits, TaskResult, TaskSpec } from '../types.js'
import { runWasmTask } from './wasm-task.js'

/** parent → thread */
export interface RunMessage { spec: TaskSpec, limits: TaskLimits }
/** thread → parent: 'started' when the task's own code begins (runner.ts starts its clock), then the end */
export type ThreadMessage =
  | { type: 'started' }
  | { type: 'done', ok: true, result: TaskResult, sha256: string, cpuMs: number }
  | { type: 'done', ok: false, error: { code: string, message: string } }

/**
 * `onStart` marks the end of this node's preparation (for a user module:
 * loading binaryen, metering, compiling) and the start of the task's own work.
 */
export async function executeTask (spec: TaskSpec, limits: TaskLimits, onStart: () => void): Promise<TaskResult> {
  if (spec.kernel === 'matmul') {
    onStart()
    let output: Uint8Array
    try {
      output = multiplyMatmulTask(spec.input)
    } catch (err) {
      if (err instanceof WgtError && err.code === 'INVALID_INPUT') return { ok: false, verdict: 'invalid', message: err.message }
      throw err
    }
    if (output.length > MAX_TASK_OUTPUT_BYTES) {
      return { ok: false, verdict: 'invalid', message: `the product is ${output.length} bytes, over the ${MAX_TASK_OUTPUT_BYTES}-byte limit of a task's output` }
    }
    return { ok: true, output }
  }
  if (spec.kernel === 'wasm') return await runWasmTask(spec.module, spec.input, spec.budget, limits.memoryBytes, onStart)
  throw new WgtError('INVALID_INPUT', `unknown kernel ${JSON.stringify((spec as { kernel: unknown }).kernel)}`)
}
