/**
 * /wgt/compute/1.0.0 (DESIGN.md §9), both sides. One stream per task: the
 * requester writes a TaskRequest and reads a TaskReply; a WASM task's module
 * goes by its SHA-256, and a worker that does not hold it answers
 * NEED_MODULE and reads the request again with the module on the same stream.
 *
 * Serving, everything that can refuse without the request is asked before a
 * byte of it is read (guard's 'compute' policy, the per-peer rate, the
 * worker's admission, which holds a slot), so a refused peer costs us a
 * reply, not 28 MiB of buffer; the requester reads its reply while it writes
 * for that reason. Every read has a deadline, the task's own time limit
 * bounds the run, and a requester that goes away cancels its task.
 *
 * Requesting, the result's SHA-256 is computed here from the bytes the
 * worker sent, never taken from it, and a reply that does not parse is a
 * violation by the worker (PROTOCOL to the caller).
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { WgtError } from '../../../shared/errors.js'
import { cleanReason } from '../calls/call-service.js'
import { abortStream, anySignal, closeStream, isWireViolation, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import type { TaskLimits, TaskOutcome, TaskRef, TaskResult, TaskSpec } from './types.js'
import { checkRequest, checkResult, MAX_REPLY_BYTES, MAX_REQUEST_BYTES, refusal, requestOf, resultReply, sameTask, toSpec, TaskReply, TaskRequest, type CheckedRequest } from './wire.js'

export const COMPUTE_PROTOCOL = '/wgt/compute/1.0.0'
const STATUSES = new Set(Object.values(TaskReply.Status))

/** A slot the worker holds for one task of a peer, from before its request is read until release(). */
export interface TaskTicket {
  /** the request read: the limits the task runs under on this worker, or why it does not take it */
  limits: (request: CheckedRequest) => TaskLimits | string
  run: (spec: TaskSpec, limits: TaskLimits, inputBytes: number, signal: AbortSignal) => Promise<TaskOutcome>
  release: () => void
}

/** The worker behind the service (worker.ts). */
export interface TaskHost {
  /** a slot for a task of this peer, or why not (disabled, full, busy) */
  admit: (peer: string) => TaskTicket | string
  /** a module held by SHA-256 (hex), or null */
  module: (sha256: string) => Uint8Array | null
  /** keep a module whose SHA-256 was checked */
  keepModule: (sha256: string, module: Uint8Array) => void
}

export interface ComputeServiceInit extends ProtocolServiceInit {
  /** guard's answer for running this peer's tasks, asked on every task so a policy change applies at once */
  mayCompute: (peerId: string) => boolean
  /** the canonical hash of a result (sandbox/result-hash.ts) */
  hashResult: (result: TaskResult) => string
  /**
   * tasks one peer may send at once, and refilled per minute (default 500,
   * 30000): a job of tiny tasks is normal work, the slots bound what runs, and
   * a refusal costs a reply; this bounds the streams one peer makes us open
   */
  burst?: number
  perMinute?: number
  /** bound on reading a request, or writing one and reading its reply (default 60 s), besides the task's run */
  transferTimeoutMs?: number
}

export class ComputeService extends ProtocolService {
  readonly protocol = COMPUTE_PROTOCOL
  /** set by the compute module once the worker runs; until then tasks are refused */
  host: TaskHost | null = null
  private readonly limiter: RateLimiter
  private readonly transferMs: number

  constructor (components: ProtocolComponents, private readonly init: ComputeServiceInit) {
    // tasks are megabytes and minutes: not for a relay's data and time budget
    super(components, init.reputation, 'compute', { maxInboundStreams: 64, maxOutboundStreams: 64, runOnLimitedConnection: false })
    this.limiter = new RateLimiter(init.burst ?? 500, init.perMinute ?? 30_000)
    this.transferMs = init.transferTimeoutMs ?? 60_000
  }

  readonly [Symbol.toStringTag] = 'wgt/compute'

  /** Run a task on a peer (TaskDispatch.remote). */
  async run (peerId: string, spec: TaskSpec, limits: TaskLimits, signal?: AbortSignal, ref: TaskRef = { job: new Uint8Array(0), task: 0 }): Promise<TaskOutcome> {
    // writing the request, the run, reading the reply (and once more for the module)
    const deadline = anySignal(signal, 3 * this.transferMs + limits.timeoutMs)
    let stream: Stream
    try {
      stream = await this.open(peerId, deadline, signal)
    } catch (err) {
      if (signal?.aborted === true) throw cancelled(signal)
      throw err
    }
    const lp = lpStream(stream, { maxDataLength: MAX_REPLY_BYTES, maxBufferSize: MAX_REPLY_BYTES + 1024 })
    try {
      let reply = await this.send(lp, requestOf(spec, limits, ref, false), deadline)
      if (reply.status === TaskReply.Status.NEED_MODULE) {
        if (spec.kernel !== 'wasm') throw new Violation('asked for the module of a matmul task')
        reply = await this.send(lp, requestOf(spec, limits, ref, true), deadline)
        if (reply.status === TaskReply.Status.NEED_MODULE) throw new Violation('asked for the module twice')
      }
      const reason = cleanReason(reply.reason)
      switch (reply.status) {
        case TaskReply.Status.OK: {
          const { result, cpuMs } = checkResult(reply)
          await closeStream(stream)
          return { result, sha256: this.init.hashResult(result), cpuMs }
        }
        case TaskReply.Status.DENIED: throw new WgtError('POLICY_DENIED', `${peerId} does not run compute for this node: ${reason}`)
        case TaskReply.Status.TIMEOUT: throw new WgtError('TIMEOUT', `${peerId} stopped the task: ${reason}`)
        default: throw new WgtError('UNAVAILABLE', `${peerId} cannot take the task: ${reason}`)
      }
    } catch (err) {
      abortStream(stream, (err as Error).message)
      if (err instanceof WgtError) throw err
      if (err instanceof Violation || isWireViolation(err)) {
        this.violation(peerId, err.message)
        throw new WgtError('PROTOCOL', `${peerId} answered ${this.protocol} with ${err.message}`)
      }
      if (signal?.aborted === true) throw cancelled(signal)
      if (deadline.aborted) throw new WgtError('TIMEOUT', `${peerId} did not answer the task in time`, { cause: err })
      throw WgtError.from(err, 'PEER_UNREACHABLE')
    }
  }

  /**
   * Write a request and read the reply. The reply is read while the request
   * is written: a worker that refuses answers before it reads a byte, and a
   * big request would otherwise wait on flow control for a reader that never comes.
   */
  private async send (lp: ReturnType<typeof lpStream>, request: TaskRequest, signal: AbortSignal): Promise<TaskReply> {
    const reading = lp.read({ signal })
    const writing = lp.write(TaskRequest.encode(request), { signal })
    // a refusal ends the stream under a write still going: that failure is not the answer
    writing.catch(() => {})
    const bytes = await reading
    let reply: TaskReply
    try {
      reply = TaskReply.decode(bytes)
    } catch (err) {
      throw new Violation(`malformed reply: ${(err as Error).message}`)
    }
    if (!STATUSES.has(reply.status)) throw new Violation('unknown reply status')
    // the worker read the whole request before it asked for the module or ran the task
    if (reply.status === TaskReply.Status.NEED_MODULE || reply.status === TaskReply.Status.OK) await writing
    return reply
  }

  protected async serve (stream: Stream, peer: string, _connection: Connection): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES, maxBufferSize: MAX_REQUEST_BYTES + 1024 })
    const answer = async (reply: Partial<TaskReply>): Promise<void> => {
      await lp.write(TaskReply.encode(reply), { signal: AbortSignal.timeout(this.transferMs) })
      await closeStream(stream, this.transferMs)
    }
    const admitted = this.admit(peer)
    if (!('release' in admitted)) return await answer(admitted)
    const ticket = admitted
    try {
      const request = checkRequest(decodeRequest(await lp.read({ signal: AbortSignal.timeout(this.transferMs) })))
      const limits = ticket.limits(request)
      if (typeof limits === 'string') return await answer(refusal(TaskReply.Status.UNAVAILABLE, limits))
      const module = await this.moduleOf(request, lp)
      // the requester going away (a cancelled job, a lost connection) cancels its task
      const gone = new AbortController()
      const onClose = (): void => { gone.abort(new WgtError('CANCELLED', 'the requester went away')) }
      stream.addEventListener('close', onClose)
      let outcome: TaskOutcome
      try {
        outcome = await ticket.run(toSpec(request, module), limits, request.input.byteLength, gone.signal)
      } catch (err) {
        if (gone.signal.aborted) return
        const e = WgtError.from(err)
        return await answer(refusal(e.code === 'TIMEOUT' ? TaskReply.Status.TIMEOUT : TaskReply.Status.UNAVAILABLE, e.message))
      } finally {
        stream.removeEventListener('close', onClose)
      }
      await answer(resultReply(outcome.result, outcome.cpuMs))
    } finally {
      ticket.release()
    }
  }

  /** Everything that can refuse a task before its request is read. */
  private admit (peer: string): TaskTicket | Partial<TaskReply> {
    if (!this.init.mayCompute(peer)) return refusal(TaskReply.Status.DENIED, 'its compute policy does not take tasks from you')
    if (!this.limiter.take(peer)) return refusal(TaskReply.Status.UNAVAILABLE, 'too many tasks from you just now: try again in a minute')
    if (this.host == null) return refusal(TaskReply.Status.UNAVAILABLE, 'this node is not taking tasks yet: try again in a moment')
    const ticket = this.host.admit(peer)
    return typeof ticket === 'string' ? refusal(TaskReply.Status.UNAVAILABLE, ticket) : ticket
  }

  /** The module of a WASM task: held already, or asked for (NEED_MODULE) and checked against its SHA-256. */
  private async moduleOf (request: CheckedRequest, lp: ReturnType<typeof lpStream>): Promise<Uint8Array | null> {
    if (request.kernel !== 'wasm' || this.host == null) return null
    const held = this.host.module(request.moduleSha256)
    if (held != null) return held
    await lp.write(TaskReply.encode({ status: TaskReply.Status.NEED_MODULE }), { signal: AbortSignal.timeout(this.transferMs) })
    const again = checkRequest(decodeRequest(await lp.read({ signal: AbortSignal.timeout(this.transferMs) })), true)
    if (!sameTask(request, again) || again.module == null) throw new Violation('the request after NEED_MODULE is another task')
    this.host.keepModule(again.moduleSha256, again.module)
    return again.module
  }
}

/** The caller gave up: its own WgtError if it aborted with one, else CANCELLED (an AbortError would read as TIMEOUT). */
function cancelled (signal: AbortSignal): WgtError {
  const reason: unknown = signal.reason
  if (reason instanceof WgtError) return reason
  return new WgtError('CANCELLED', `the task was cancelled${reason instanceof Error && reason.message !== '' ? `: ${reason.message}` : ''}`, { cause: reason })
}

function decodeRequest (bytes: { subarray: () => Uint8Array }): TaskRequest {
  try {
    return TaskRequest.decode(bytes.subarray())
  } catch (err) {
    throw new Violation(`malformed request: ${(err as Error).message}`)
  }
}

export function computeService (init: ComputeServiceInit): (components: ProtocolComponents) => ComputeService {
  return (components) => new ComputeService(components, init)
}
