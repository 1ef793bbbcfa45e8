/**
 * compute: jobs that run on live peers (DESIGN.md §9), as BOINC and Golem
 * run them but with no project server. A job names a kernel — the built-in
 * block matrix multiply, or a user WASM module with the ABI in the README —
 * and its input; the node splits it into tasks and picks a worker for each
 * task when it is dispatched (this node is a worker too). Every result
 * carries a SHA-256; with redundancy, distinct workers run a task and only a
 * majority result is accepted; proven workers get single runs with random
 * spot checks (BOINC's adaptive replication); a matrix product is also
 * checked on this node with Freivalds' algorithm.
 *
 * A job is an operation (operations.ts): submitting answers `{ operation }`
 * at once, that id is the job's id, 'compute:job' events carry its progress,
 * and cancelOperation or cancelComputeJob stops it.
 *
 * The worker side: what this node runs for others, under the contributor
 * settings and guard's 'compute' policy (who may submit).
 */
import { carries, method, returns, type Z } from './define.js'
import type { PeerIdString } from './net.js'
import type { OperationRef } from './operations.js'
import { localPathSchema, opaqueIdSchema } from './schemas.js'

/** Largest matmul size n (n×n times n×n): 4096² float64 is 128 MiB per matrix. */
export const MAX_MATMUL_N = 4096
/** Largest matrix in elements (rows × cols), checked before anything is allocated. */
export const MAX_MATRIX_ELEMENTS = MAX_MATMUL_N * MAX_MATMUL_N
/** Largest user WASM module. */
export const MAX_MODULE_BYTES = 8 * 1024 * 1024
/** Largest input of a WASM job, and of one of its tasks (the input is split at newlines into tasks of at most this). */
export const MAX_WASM_INPUT_BYTES = 256 * 1024 * 1024
export const MAX_TASK_INPUT_BYTES = 4 * 1024 * 1024
/**
 * A user module's memory cap per task, MiB (default). It is part of the task,
 * so "over its memory cap" is the same verdict on every worker; a worker
 * whose contributor setting allows less refuses the task.
 */
export const DEFAULT_TASK_MEMORY_MB = 256
/** Largest output of one task. */
export const MAX_TASK_OUTPUT_BYTES = 16 * 1024 * 1024
/** Redundancy: 1 = adaptive (proven workers run a task alone, with spot checks); r > 1 = r distinct workers, majority wins. */
export const MAX_REDUNDANCY = 5
/** A user module's instruction budget per task (the metering the node injects); the default, and the most a job may ask. */
export const DEFAULT_TASK_BUDGET = 10_000_000_000
export const MAX_TASK_BUDGET = 1_000_000_000_000

export type ComputeKernel = 'matmul' | 'wasm'
export type JobState = 'running' | 'done' | 'failed' | 'cancelled'

export interface JobOptions {
  /** see MAX_REDUNDANCY; default 1 (adaptive) */
  redundancy?: number
  /** per-task wall-clock limit on the worker, seconds; default 120 */
  timeoutS?: number
  /** how often a task that failed on a worker (timeout, crash, refusal, lost peer) goes to another; default 3 */
  retries?: number
}

/** What to compute. A matmul is of two random n×n matrices (made on this node), or of two files in the WGT matrix format (README). */
export type ComputeSubmit =
  | (JobOptions & { kernel: 'matmul', n: number })
  | (JobOptions & { kernel: 'matmul', a: string, b: string })
  | (JobOptions & { kernel: 'wasm', module: string, input: string, budget?: number, memoryMb?: number })

/** One worker's share of a job. */
export interface JobWorker {
  peerId: PeerIdString
  /** this node itself */
  self: boolean
  /**
   * task runs it answered (accepted or not), counted when each answer arrives, so it can lead
   * tasks.done (a task is done only once its votes accept a result); of those, `rejected`:
   * results outvoted or failing this node's check
   */
  runs: number
  rejected: number
  /** CPU time it reported for this job: the worker's own report, each run's bounded by the wall time this node measured for it */
  cpuMs: number
}

export interface JobVerification {
  /**
   * task runs beyond one per task (replicas, spot checks, reruns after a mismatch): the price of
   * verification. Counted when an answer arrives that is not its task's first, like workers' runs.
   */
  extraRuns: number
  /** tasks whose results disagreed */
  mismatches: number
  /**
   * matmul: blocks checked with Freivalds' algorithm (each distinct result once, when it arrives: it
   * can lead tasks.done), rounds per check, and failures; null for other kernels
   */
  freivalds: { checked: number, rounds: number, failed: number } | null
}

export interface ComputeJob {
  /** the operation id */
  id: string
  kernel: ComputeKernel
  /** "matmul 1024×1024", or the module's file name */
  label: string
  state: JobState
  redundancy: number
  /** done: tasks whose result is accepted (verified); running: tasks with a run in flight */
  tasks: { total: number, done: number, running: number }
  /** 0..1, never decreases */
  fraction: number
  workers: JobWorker[]
  verification: JobVerification
  /** CPU time all workers reported, ms (each run's report bounded by its wall time measured here) */
  cpuMs: number
  createdAt: number
  endedAt: number | null
  /** when done: the result's size and SHA-256 (hex); a matmul's result is a matrix in the WGT format */
  result: { bytes: number, sha256: string, rows: number | null, cols: number | null } | null
  error: { code: string, message: string } | null
}

/** A task this node runs (or ran) for someone. */
export interface ContributedTask {
  id: string
  /** the peer that asked; this node's own PeerId for its own jobs */
  requester: PeerIdString
  kernel: ComputeKernel
  state: 'running' | 'done' | 'failed'
  startedAt: number
  endedAt: number | null
  /** CPU time so far (measured in the worker thread), ms */
  cpuMs: number
  inputBytes: number
  /** failed: why (out of budget, time limit, memory cap, trap) */
  error: string | null
}

export interface ContributionTotals {
  tasks: number
  failed: number
  cpuMs: number
  inputBytes: number
  outputBytes: number
}

export interface ComputeContribution {
  /** why no task is taken right now (disabled, computer busy), else null */
  paused: string | null
  running: ContributedTask[]
  /** the last ended ones, newest first (at most 50) */
  recent: ContributedTask[]
  /** since this data directory was made; tasks for this node's own jobs are not counted */
  totals: ContributionTotals
  /** per-minute buckets, oldest first, the last 24 h with any activity */
  history: Array<{ at: number, tasks: number, cpuMs: number }>
}

export interface ComputeSettings {
  /** take tasks from others at all (guard's 'compute' policy says from whom) */
  enabled: boolean
  /** tasks run at once, 1..cores */
  maxTasks: number
  /** WASM memory per task, MiB */
  memoryMb: number
  /** wall-clock limit per task, s (a job may ask for less, never more) */
  timeoutS: number
  /** take tasks only while the rest of the computer uses less than idleLoadPercent of the CPU (BOINC's "while idle") */
  idleOnly: boolean
  idleLoadPercent: number
}

export const COMPUTE_LIMITS = {
  memoryMb: { min: 16, max: 4096 },
  timeoutS: { min: 1, max: 3600 },
  maxTasks: { min: 1, max: 256 },
  idleLoadPercent: { min: 1, max: 100 }
} as const

const jobOptions = (z: Z) => ({
  redundancy: z.number().int().min(1).max(MAX_REDUNDANCY).optional(),
  timeoutS: z.number().int().min(COMPUTE_LIMITS.timeoutS.min).max(COMPUTE_LIMITS.timeoutS.max).optional(),
  retries: z.number().int().min(0).max(10).optional()
})

const submitSchema = (z: Z) => z.union([
  z.object({ kernel: z.literal('matmul'), n: z.number().int().min(1).max(MAX_MATMUL_N), ...jobOptions(z) }).strict(),
  z.object({ kernel: z.literal('matmul'), a: localPathSchema(z), b: localPathSchema(z), ...jobOptions(z) }).strict(),
  z.object({ kernel: z.literal('wasm'), module: localPathSchema(z), input: localPathSchema(z), budget: z.number().int().min(1).max(MAX_TASK_BUDGET).optional(), memoryMb: z.number().int().min(COMPUTE_LIMITS.memoryMb.min).max(COMPUTE_LIMITS.memoryMb.max).optional(), ...jobOptions(z) }).strict()
])

const settingsPatch = (z: Z) => z.object({
  enabled: z.boolean(),
  maxTasks: z.number().int().min(COMPUTE_LIMITS.maxTasks.min).max(COMPUTE_LIMITS.maxTasks.max),
  memoryMb: z.number().int().min(COMPUTE_LIMITS.memoryMb.min).max(COMPUTE_LIMITS.memoryMb.max),
  timeoutS: z.number().int().min(COMPUTE_LIMITS.timeoutS.min).max(COMPUTE_LIMITS.timeoutS.max),
  idleOnly: z.boolean(),
  idleLoadPercent: z.number().int().min(COMPUTE_LIMITS.idleLoadPercent.min).max(COMPUTE_LIMITS.idleLoadPercent.max)
}).partial().strict()

export const compute = {
  name: 'compute',
  methods: {
    /** start a job; its id is the operation id */
    submitCompute: method({ args: z => z.tuple([submitSchema(z)]), result: returns<OperationRef>(), longRunning: true }),
    /** this node's jobs, newest first (running, and the last 100 ended) */
    listComputeJobs: method({ args: z => z.tuple([]), result: returns<ComputeJob[]>() }),
    getComputeJob: method({ args: z => z.tuple([opaqueIdSchema(z)]), result: returns<ComputeJob>() }),
    /** stop a running job; cancelling one that ended is not an error */
    cancelComputeJob: method({ args: z => z.tuple([opaqueIdSchema(z)]), result: returns<void>() }),
    /** write a done job's result to `path` (default: the download folder); answers where, its size and SHA-256 */
    saveComputeResult: method({
      args: z => z.tuple([opaqueIdSchema(z), localPathSchema(z).optional()]),
      result: returns<{ path: string, bytes: number, sha256: string }>(),
      timeout: 'slow'
    }),
    /** what this node runs for others, and has run */
    getComputeContribution: method({ args: z => z.tuple([]), result: returns<ComputeContribution>() }),
    getComputeSettings: method({ args: z => z.tuple([]), result: returns<ComputeSettings>() }),
    updateComputeSettings: method({ args: z => z.tuple([settingsPatch(z)]), result: returns<ComputeSettings>() })
  },
  events: {
    /** a job changed (at most every 250 ms while it runs; at once when it ends) */
    'compute:job': carries<ComputeJob>(),
    /** a task run for someone started, progressed or ended */
    'compute:task': carries<ContributedTask>(),
    'compute:settings': carries<ComputeSettings>()
  }
} as const
