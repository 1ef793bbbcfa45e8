/**
 * The seams inside the compute capability (DESIGN.md §9), so its parts can
 * be read (and built) apart:
 *
 *   sandbox/   runs one task in a worker thread: TaskRunner
 *   kernels/   the built-in matmul (WASM SIMD, and the same sums in TypeScript), Freivalds
 *   matrix.ts  the WGT matrix format
 *   worker.ts + compute-service.ts   /wgt/compute/1.0.0: tasks others send us
 *   jobs.ts + scheduler.ts + verify.ts   our jobs: split, dispatch, verify, assemble
 *
 * A task's result is deterministic: the same task gives the same bytes on
 * every honest worker (the matmul kernels sum in the same order, WASM is
 * deterministic once metered), so results are compared by SHA-256. A failure
 * the task itself causes (out of budget, over its memory cap, a trap, input
 * it rejects) is a result too, hashed the same way, so a lying worker cannot
 * pass a made-up failure off as the answer. A failure of the worker (time
 * limit, crash, refusal, a lost connection) is not a result: the task goes to
 * another worker.
 */
import type { ComputeKernel } from '../../../shared/api/index.js'

export type TaskSpec =
  /** input: a WGT matrix A (r×k) followed by a WGT matrix B (k×c); output: the WGT matrix A·B (r×c) */
  | { kernel: 'matmul', input: Uint8Array }
  /** module: the user's module as submitted (the worker checks and meters it itself); budget: instructions */
  | { kernel: 'wasm', module: Uint8Array, input: Uint8Array, budget: bigint }

export interface TaskLimits {
  /** wall clock; past it the thread is terminated and run() throws WgtError TIMEOUT */
  timeoutMs: number
  /**
   * WASM memory cap (WebAssembly.Memory maximum), bytes. The requester sets
   * it as part of the task, so 'memory' is the same verdict everywhere; a
   * worker whose contributor setting allows less refuses the task.
   */
  memoryBytes: number
}

/** What the task itself came to, the same on every honest worker. */
export type TaskResult =
  | { ok: true, output: Uint8Array }
  | { ok: false, verdict: TaskVerdict, message: string }

/**
 * - 'budget': the instruction budget ran out;
 * - 'memory': the module asked for memory past its cap;
 * - 'trap': the module trapped (unreachable, out of bounds, division by zero);
 * - 'invalid': the module or input breaks the ABI or the kernel's format.
 */
export type TaskVerdict = 'budget' | 'memory' | 'trap' | 'invalid'

export interface TaskOutcome {
  result: TaskResult
  /** hex SHA-256 of the result's canonical bytes (sandbox/result-hash.ts) */
  sha256: string
  /** CPU time of the thread that ran it, ms */
  cpuMs: number
}

/** The sandbox: runs tasks in worker threads, at most `concurrency` at once. */
export interface TaskRunner {
  /**
   * Run one task. Resolves with its outcome (including a failure verdict);
   * rejects with WgtError TIMEOUT at the time limit, CANCELLED when `signal`
   * aborts, INTERNAL if the thread died for another reason. The node never
   * goes down with a task. `onCpu`, if given, hears the thread's CPU time
   * so far while it runs (the contributor's live view), ms.
   */
  run: (spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal, onCpu?: (cpuMs: number) => void) => Promise<TaskOutcome>
  /** terminate every thread */
  stop: () => Promise<void>
}

/**
 * How the scheduler reaches workers: this node, or a peer over
 * /wgt/compute/1.0.0. Both reject with WgtError when the worker did not
 * produce a result: UNAVAILABLE (disabled, full, paused while the computer
 * is busy, or the task needs more memory than it allows), POLICY_DENIED
 * (its guard does not take compute from us), TIMEOUT, PEER_UNREACHABLE,
 * PROTOCOL (a malformed answer: counted against the peer), CANCELLED.
 * A remote outcome's sha256 is computed here from the bytes the peer sent,
 * never taken from the peer.
 */
export interface TaskDispatch {
  local: (spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal) => Promise<TaskOutcome>
  /** `ref` tells the worker which job and task this is (informational: a worker decides nothing by it) */
  remote: (peerId: string, spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal, ref?: TaskRef) => Promise<TaskOutcome>
}

export interface TaskRef {
  /** the job's id as bytes (at most 32), opaque to the worker */
  job: Uint8Array
  /** the task's index in the job */
  task: number
}

export type { ComputeKernel }
