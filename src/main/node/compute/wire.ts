/**
 * The messages of /wgt/compute/1.0.0 as they come off the wire, checked:
 * every field a hostile peer can set is bounded here, in safe integer
 * arithmetic, before a task or a result is built from it. Anything no honest
 * peer sends is a Violation (counted against it by the service).
 */
import { createHash } from 'node:crypto'
import { COMPUTE_LIMITS, MAX_MODULE_BYTES, MAX_TASK_BUDGET, MAX_TASK_INPUT_BYTES, MAX_TASK_OUTPUT_BYTES } from '../../../shared/api/index.js'
import { Violation } from '../wire/index.js'
import { TaskReply, TaskRequest } from './pb/compute.js'
import type { TaskResult, TaskSpec, TaskVerdict } from './types.js'

export { TaskReply, TaskRequest }

/**
 * A matmul task's input: an A row-block and a B column-block in the WGT
 * matrix format. 20 MiB holds two 256 × 4096 float64 blocks (8 MiB each) of
 * the largest product, with room to spare; a WASM task's input is held to
 * MAX_TASK_INPUT_BYTES.
 */
export const MAX_MATMUL_TASK_INPUT_BYTES = 20 * 1024 * 1024
const FIELDS_BYTES = 4 * 1024
/** the largest request frame: the module (after NEED_MODULE) or the input, plus the fields around them */
export const MAX_REQUEST_BYTES = MAX_MODULE_BYTES + MAX_MATMUL_TASK_INPUT_BYTES + FIELDS_BYTES
export const MAX_REPLY_BYTES = MAX_TASK_OUTPUT_BYTES + FIELDS_BYTES
/** the job reference is the requester's, opaque to us: an id, not a payload */
export const MAX_JOB_REF_BYTES = 32
/** a verdict's message is part of the result (hashed as sent), so it is bounded, never rewritten */
export const MAX_VERDICT_MESSAGE_BYTES = 1024
const MAX_MEMORY_BYTES = COMPUTE_LIMITS.memoryMb.max * 1024 * 1024
const MAX_TIMEOUT_MS = COMPUTE_LIMITS.timeoutS.max * 1000

/** A task request, checked. */
export interface CheckedRequest {
  job: Uint8Array
  task: number
  kernel: 'matmul' | 'wasm'
  /** wasm: hex SHA-256 of the module; matmul: '' */
  moduleSha256: string
  /** present only in the request that follows NEED_MODULE */
  module: Uint8Array | null
  input: Uint8Array
  budget: bigint
  memoryBytes: number
  timeoutMs: number
}

export function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function toSafe (n: bigint, max: number, what: string): number {
  if (n > BigInt(max)) throw new Violation(`${what} ${n} is past ${max}`)
  return Number(n)
}

/** Check a TaskRequest; `resend`: the one after NEED_MODULE (module, no input). */
export function checkRequest (m: TaskRequest, resend = false): CheckedRequest {
  if (m.kernel !== TaskRequest.Kernel.MATMUL && m.kernel !== TaskRequest.Kernel.WASM) throw new Violation('unknown kernel')
  const kernel = m.kernel === TaskRequest.Kernel.WASM ? 'wasm' : 'matmul'
  if (m.job.byteLength > MAX_JOB_REF_BYTES) throw new Violation(`job reference of ${m.job.byteLength} bytes`)
  const memoryBytes = toSafe(m.memoryBytes, MAX_MEMORY_BYTES, 'memory')
  // a WASM memory is whole 64 KiB pages: no task runs in less than one
  if (memoryBytes < 65536) throw new Violation(`memory cap of ${memoryBytes} bytes`)
  if (m.timeoutMs < 1 || m.timeoutMs > MAX_TIMEOUT_MS) throw new Violation(`timeout of ${m.timeoutMs} ms`)
  const maxInput = kernel === 'wasm' ? MAX_TASK_INPUT_BYTES : MAX_MATMUL_TASK_INPUT_BYTES
  if (m.input.byteLength > maxInput) throw new Violation(`input of ${m.input.byteLength} bytes`)
  if (resend && m.input.byteLength > 0) throw new Violation('input sent again with the module')
  if (kernel === 'matmul') {
    if (m.moduleSha256.byteLength !== 0 || m.module.byteLength !== 0 || m.budget !== 0n) throw new Violation('a matmul task with a module or a budget')
    if (resend) throw new Violation('a matmul task sent again')
  } else {
    if (m.moduleSha256.byteLength !== 32) throw new Violation('module hash is not 32 bytes')
    if (m.budget < 1n || m.budget > BigInt(MAX_TASK_BUDGET)) throw new Violation(`budget of ${m.budget}`)
    if (m.module.byteLength > MAX_MODULE_BYTES) throw new Violation(`module of ${m.module.byteLength} bytes`)
    if (resend !== (m.module.byteLength > 0)) throw new Violation(resend ? 'no module after NEED_MODULE' : 'a module nobody asked for')
  }
  const moduleSha256 = kernel === 'wasm' ? Buffer.from(m.moduleSha256).toString('hex') : ''
  if (resend && sha256Hex(m.module) !== moduleSha256) throw new Violation('module does not match its SHA-256')
  return {
    job: m.job,
    task: m.task,
    kernel,
    moduleSha256,
    module: resend ? m.module : null,
    input: m.input,
    budget: m.budget,
    memoryBytes,
    timeoutMs: m.timeoutMs
  }
}

/** The request after NEED_MODULE must be the same task. */
export function sameTask (a: CheckedRequest, b: CheckedRequest): boolean {
  return Buffer.compare(a.job, b.job) === 0 && a.task === b.task && a.kernel === b.kernel && a.moduleSha256 === b.moduleSha256 &&
    a.budget === b.budget && a.memoryBytes === b.memoryBytes && a.timeoutMs === b.timeoutMs
}

export function toSpec (r: CheckedRequest, module: Uint8Array | null): TaskSpec {
  if (r.kernel === 'matmul') return { kernel: 'matmul', input: r.input }
  if (module == null) throw new Error('a WASM task without its module')
  return { kernel: 'wasm', module, input: r.input, budget: r.budget }
}

export function requestOf (spec: TaskSpec, limits: { timeoutMs: number, memoryBytes: number }, ref: { job: Uint8Array, task: number }, withModule: boolean): TaskRequest {
  const wasm = spec.kernel === 'wasm'
  return {
    job: Uint8Array.from(ref.job),
    task: ref.task,
    kernel: wasm ? TaskRequest.Kernel.WASM : TaskRequest.Kernel.MATMUL,
    moduleSha256: wasm ? Uint8Array.from(Buffer.from(sha256Hex(spec.module), 'hex')) : new Uint8Array(0),
    module: wasm && withModule ? asBuffer(spec.module) : new Uint8Array(0),
    input: withModule ? new Uint8Array(0) : asBuffer(spec.input),
    budget: wasm ? spec.budget : 0n,
    memoryBytes: BigInt(limits.memoryBytes),
    timeoutMs: limits.timeoutMs
  }
}

function asBuffer (b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? b as Uint8Array<ArrayBuffer> : Uint8Array.from(b)
}

const VERDICTS: Record<TaskVerdict, TaskReply.Verdict> = {
  budget: TaskReply.Verdict.BUDGET,
  memory: TaskReply.Verdict.MEMORY,
  trap: TaskReply.Verdict.TRAP,
  invalid: TaskReply.Verdict.INVALID
}
const FROM_VERDICT = new Map<TaskReply.Verdict, TaskVerdict>(Object.entries(VERDICTS).map(([k, v]) => [v, k as TaskVerdict]))

export function resultReply (result: TaskResult, cpuMs: number): Partial<TaskReply> {
  return result.ok
    ? { status: TaskReply.Status.OK, ok: true, output: asBuffer(result.output), cpuMs: BigInt(Math.max(0, Math.round(cpuMs))) }
    : { status: TaskReply.Status.OK, ok: false, verdict: VERDICTS[result.verdict], message: result.message, cpuMs: BigInt(Math.max(0, Math.round(cpuMs))) }
}

export function refusal (status: TaskReply.Status, reason: string): Partial<TaskReply> {
  return { status, reason }
}

/** A reply's result, checked (status OK). */
export function checkResult (r: TaskReply): { result: TaskResult, cpuMs: number } {
  if (r.cpuMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new Violation('CPU time out of range')
  const cpuMs = Number(r.cpuMs)
  if (r.reason !== '') throw new Violation('a result with a reason')
  if (r.output.byteLength > MAX_TASK_OUTPUT_BYTES) throw new Violation(`output of ${r.output.byteLength} bytes`)
  if (r.ok) {
    if (r.verdict !== TaskReply.Verdict.NONE || r.message !== '') throw new Violation('a result both ok and failed')
    // a plain view, not a Buffer: results compare and hash the same wherever they came from
    return { result: { ok: true, output: new Uint8Array(r.output.buffer, r.output.byteOffset, r.output.byteLength) }, cpuMs }
  }
  const verdict = FROM_VERDICT.get(r.verdict)
  if (verdict == null) throw new Violation('a failed result without a verdict')
  if (r.output.byteLength !== 0) throw new Violation('a failed result with output')
  if (Buffer.byteLength(r.message) > MAX_VERDICT_MESSAGE_BYTES) throw new Violation('verdict message too long')
  return { result: { ok: false, verdict, message: r.message }, cpuMs }
}

/**
 * A verdict's message held to MAX_VERDICT_MESSAGE_BYTES, the same way on
 * every worker and for this node's own tasks, so a long message cannot make
 * a local result and a remote one of the same task hash differently.
 */
export function boundResult (result: TaskResult): TaskResult {
  if (result.ok || Buffer.byteLength(result.message) <= MAX_VERDICT_MESSAGE_BYTES) return result
  const cut = Buffer.from(result.message).subarray(0, MAX_VERDICT_MESSAGE_BYTES - 3).toString('utf8')
  // a character cut in half decodes to U+FFFD (3 bytes): drop it so the bound holds
  return { ...result, message: cut.replace(/\uFFFD$/, '') + '…' }
}
