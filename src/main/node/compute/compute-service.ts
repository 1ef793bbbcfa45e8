/**
 * /wgt/compute/1.0.0 (DESIGN.md §9), both sides. One stream per task: the
 * requester writes a TaskRequest and reads a TaskReply; a WASM task's module
 * goes by its SHA-256, and a worker that does not hold it answers
 * NEED_MODULE and reads the request again with the module on the same stream.
 *
 * Serving, everything that can refuse without the request is asked before a
 * byte of it is read (guard's 'compute' policy, the per-peer rate, whether
 * the worker takes tasks at all), so a refused peer costs us one short
 * reply, not 28 MiB of buffer; the requester reads its reply while it writes
 * for that reason. A task slot is taken only once the request's length
 * prefix is in (within HEADER_MS), one peer holds at most half the slots
 * while others want one (share.ts), the rest of the request must keep a
 * floor pace, and the reply's write and close are bounded by its size: a
 * permitted peer cannot hold the slots by sending nothing or reading
 * nothing (review M4). Such a timeout counts against the peer when it kept
 * someone else out. The task's own time limit bounds the run, and a
 * requester that goes away cancels its task.
 *
 * Requesting, the result's SHA-256 is computed here from the bytes the
 * worker sent, never taken from it, and a reply that does not parse is a
 * violation by the worker (PROTOCOL to the caller); so is a TIMEOUT before
 * the task's time limit has passed since it had the request (review H2: a
 * worker never runs a task under a shorter limit, it refuses it), and a
 * second NEED_MODULE for one task.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { WgtError } from '../../../shared/errors.js'
import { abortStream, anySignal, cleanReason, closeStream, isAbort, isWireViolation, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import type { TaskLimits, TaskOutcome, TaskRef, TaskResult, TaskSpec } from './types.js'
import { FrameReader, ReadTimeout } from './request-reader.js'
import { checkRequest, checkResult, MAX_REPLY_BYTES, MAX_REQUEST_BYTES, refusal, requestOf, resultReply, sameTask, toSpec, TaskReply, TaskRequest, type CheckedRequest } from './wire.js'

export const COMPUTE_PROTOCOL = '/wgt/compute/1.0.0'
const STATUSES = new Set(Object.values(TaskReply.Status))
/** for a request's length prefix to arrive, before any slot is taken */
export const HEADER_MS = 10_000
/** the pace the rest of a request must keep (a 20 MiB block gets the whole transfer bound) */
const REQUEST_FLOOR_BYTES_PER_S = 64 * 1024
/** a reply: a few seconds, and more for a big output at no less than this pace */
const REPLY_BASE_MS = 5000
const REPLY_FLOOR_BYTES_PER_S = 256 * 1024
/** a refusal or NEED_MODULE: a few bytes */
const SHORT_WRITE_MS = 5000
/** closing after the reply went out: the peer has it, or did not want it */
const CLOSE_MS = 2000

/** How early a TIMEOUT may come, for clocks and timers (a timer may fire a millisecond early). */
export function timeoutSlackMs (timeoutMs: number): number {
  return Math.max(250, timeoutMs / 50)
}

/** A slot the worker holds for one task of a peer, from when its request starts to arrive until release(). */
export interface TaskTicket {
  /** the request read: the limits the task runs under on this worker, or why it does not take it */
  limits: (request: CheckedRequest) => TaskLimits | string
  run: (spec: TaskSpec, limits: TaskLimits, inputBytes: number, signal: AbortSignal) => Promise<TaskOutcome>
  release: () => void
  /** did another peer (or an own task) want a slot while this one was held? */
  contended: () => boolean
}

/** The worker behind the service (worker.ts). */
export interface TaskHost {
  /** why others' tasks are not taken now (off, stopping, the computer busy), or null: asked before a byte is read */
  paused: () => string | null
  /** a slot for a task of this peer, or why not (full, its share taken): asked once its request starts to arrive */
  admit: (peer: string) => TaskTicket | string
  /** a module this peer sent before, by SHA-256 (hex), or null */
  module: (peer: string, sha256: string) => Uint8Array | null
  /** keep a module this peer sent, whose SHA-256 was checked */
  keepModule: (peer: string, sha256: string, module: Uint8Array) => void
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
  /** for a request's length prefix (default HEADER_MS) */
  headerTimeoutMs?: number
}

export class ComputeService extends ProtocolService {
  readonly protocol = COMPUTE_PROTOCOL
  /** set by the compute module once the worker runs; until then tasks are refused */
  host: TaskHost | null = null
  private readonly limiter: RateLimiter
  private readonly transferMs: number
  private readonly headerMs: number

  constructor (components: ProtocolComponents, private readonly init: ComputeServiceInit) {
    // tasks are megabytes and minutes: not for a relay's data and time budget
    super(components, init.reputation, 'compute', { maxInboundStreams: 64, maxOutboundStreams: 64, runOnLimitedConnection: false })
    this.limiter = new RateLimiter(init.burst ?? 500, init.perMinute ?? 30_000)
    this.transferMs = init.transferTimeoutMs ?? 60_000
    this.headerMs = init.headerTimeoutMs ?? HEADER_MS
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
      let sent = await this.send(lp, requestOf(spec, limits, ref, false), deadline)
      if (sent.reply.status === TaskReply.Status.NEED_MODULE) {
        if (spec.kernel !== 'wasm') throw new Violation('asked for the module of a matmul task')
        sent = await this.send(lp, requestOf(spec, limits, ref, true), deadline)
        // once per task: a worker asking again would have us upload the module without end
        if (sent.reply.status === TaskReply.Status.NEED_MODULE) throw new Violation('asked for the module twice')
      }
      const { reply, writtenAt } = sent
      const reason = cleanReason(reply.reason)
      switch (reply.status) {
        case TaskReply.Status.OK: {
          const { result, cpuMs } = checkResult(reply)
          await closeStream(stream)
          return { result, sha256: this.init.hashResult(result), cpuMs }
        }
        case TaskReply.Status.TIMEOUT: {
          // the worker's clock starts after ours (it reads what we wrote): an honest TIMEOUT comes after the limit here
          const ranMs = writtenAt == null ? 0 : performance.now() - writtenAt
          if (ranMs < limits.timeoutMs - timeoutSlackMs(limits.timeoutMs)) {
            throw new Violation(`answered TIMEOUT ${Math.round(ranMs)} ms into a task of ${limits.timeoutMs} ms`)
          }
          throw new WgtError('TIMEOUT', `${peerId} stopped the task: ${reason}`)
        }
        case TaskReply.Status.DENIED: throw new WgtError('POLICY_DENIED', `${peerId} does not run compute for this node: ${reason}`)
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
  private async send (lp: ReturnType<typeof lpStream>, request: TaskRequest, signal: AbortSignal): Promise<{ reply: TaskReply, writtenAt: number | null }> {
    const reading = lp.read({ signal })
    const written: { at: number | null } = { at: null }
    const writing = lp.write(TaskRequest.encode(request), { signal }).then(() => { written.at = performance.now() })
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
    return { reply, writtenAt: written.at }
  }

  protected async serve (stream: Stream, peer: string, _connection: Connection): Promise<void> {
    const reader = new FrameReader(stream, MAX_REQUEST_BYTES)
    const refuse = async (reply: Partial<TaskReply>): Promise<void> => {
      await reader.lp.write(TaskReply.encode(reply), { signal: AbortSignal.timeout(SHORT_WRITE_MS) })
      await closeStream(stream)
    }
    const early = this.refusalBeforeReading(peer)
    if (early != null) return await refuse(early)
    const host = this.host as TaskHost
    const held: { ticket: TaskTicket | null } = { ticket: null }
    try {
      let bytes: Uint8Array
      try {
        bytes = await reader.read({
          headerMs: this.headerMs,
          bodyMs: declared => this.requestMs(declared),
          atHeader: () => {
            const ticket = host.admit(peer)
            if (typeof ticket === 'string') throw new Refused(ticket)
            held.ticket = ticket
          }
        })
      } catch (err) {
        if (err instanceof Refused) return await refuse(refusal(TaskReply.Status.UNAVAILABLE, err.message))
        throw this.readFailure(err, held.ticket)
      }
      const ticket = held.ticket as TaskTicket
      const request = checkRequest(decodeRequest(bytes))
      const limits = ticket.limits(request)
      if (typeof limits === 'string') return await refuse(refusal(TaskReply.Status.UNAVAILABLE, limits))
      const module = await this.moduleOf(peer, request, reader, ticket)
      // the requester going away (a cancelled job, a lost connection) cancels its task
      const gone = new AbortController()
      const onClose = (): void => { gone.abort(new WgtError('CANCELLED', 'the requester went away')) }
      stream.addEventListener('close', onClose)
      let reply: Partial<TaskReply>
      try {
        const outcome = await ticket.run(toSpec(request, module), limits, request.input.byteLength, gone.signal)
        reply = resultReply(outcome.result, outcome.cpuMs)
      } catch (err) {
        if (gone.signal.aborted) return
        const e = WgtError.from(err)
        reply = refusal(e.code === 'TIMEOUT' ? TaskReply.Status.TIMEOUT : TaskReply.Status.UNAVAILABLE, e.message)
      } finally {
        stream.removeEventListener('close', onClose)
      }
      await this.reply(stream, reader, reply, ticket)
    } finally {
      held.ticket?.release()
    }
  }

  /** Everything that can refuse a task before a byte of its request is read. */
  private refusalBeforeReading (peer: string): Partial<TaskReply> | null {
    if (!this.init.mayCompute(peer)) return refusal(TaskReply.Status.DENIED, 'its compute policy does not take tasks from you')
    if (!this.limiter.take(peer)) return refusal(TaskReply.Status.UNAVAILABLE, 'too many tasks from you just now: try again in a minute')
    if (this.host == null) return refusal(TaskReply.Status.UNAVAILABLE, 'this node is not taking tasks yet: try again in a moment')
    const paused = this.host.paused()
    return paused == null ? null : refusal(TaskReply.Status.UNAVAILABLE, paused)
  }

  /** the rest of a request of `declared` bytes: a few seconds, more for a big one at the floor pace, never past the transfer bound */
  private requestMs (declared: number): number {
    return Math.min(this.transferMs, this.headerMs + Math.ceil(declared * 1000 / REQUEST_FLOOR_BYTES_PER_S))
  }

  /**
   * A read that failed. Running out of time while holding a slot another
   * peer wanted counts against the sender (one violation: an honest peer on
   * a slow link is rare, and is charged only when it kept someone out);
   * silence before a slot was taken costs us nothing but the stream.
   */
  private readFailure (err: unknown, ticket: TaskTicket | null): unknown {
    if (err instanceof ReadTimeout && ticket?.contended() === true) return new Violation(`held a task slot others wanted: ${err.message}`)
    return err
  }

  /** Write the reply and close, bounded by its size; a requester that does not read it while others wait is charged. */
  private async reply (stream: Stream, reader: FrameReader, reply: Partial<TaskReply>, ticket: TaskTicket): Promise<void> {
    const bytes = TaskReply.encode(reply)
    const ms = Math.min(this.transferMs, REPLY_BASE_MS + Math.ceil(bytes.byteLength * 1000 / REPLY_FLOOR_BYTES_PER_S))
    try {
      await reader.lp.write(bytes, { signal: AbortSignal.timeout(ms) })
    } catch (err) {
      if (isAbort(err) && ticket.contended()) throw new Violation(`held a task slot others wanted: did not take a reply of ${bytes.byteLength} bytes within ${ms} ms`)
      throw err
    }
    await closeStream(stream, CLOSE_MS)
  }

  /** The module of a WASM task: one this peer sent before, or asked for (NEED_MODULE) and checked against its SHA-256. */
  private async moduleOf (peer: string, request: CheckedRequest, reader: FrameReader, ticket: TaskTicket): Promise<Uint8Array | null> {
    if (request.kernel !== 'wasm' || this.host == null) return null
    const held = this.host.module(peer, request.moduleSha256)
    if (held != null) return held
    await reader.lp.write(TaskReply.encode({ status: TaskReply.Status.NEED_MODULE }), { signal: AbortSignal.timeout(SHORT_WRITE_MS) })
    let bytes: Uint8Array
    try {
      bytes = await reader.read({ headerMs: this.headerMs, bodyMs: declared => this.requestMs(declared) })
    } catch (err) {
      throw this.readFailure(err, ticket)
    }
    const again = checkRequest(decodeRequest(bytes), true)
    if (!sameTask(request, again) || again.module == null) throw new Violation('the request after NEED_MODULE is another task')
    this.host.keepModule(peer, again.moduleSha256, again.module)
    return again.module
  }
}

/** The worker would not take the task once its request began to arrive (full, the peer's share taken). */
class Refused extends Error {}

/** The caller gave up: its own WgtError if it aborted with one, else CANCELLED (an AbortError would read as TIMEOUT). */
function cancelled (signal: AbortSignal): WgtError {
  const reason: unknown = signal.reason
  if (reason instanceof WgtError) return reason
  return new WgtError('CANCELLED', `the task was cancelled${reason instanceof Error && reason.message !== '' ? `: ${reason.message}` : ''}`, { cause: reason })
}

function decodeRequest (bytes: Uint8Array): TaskRequest {
  try {
    return TaskRequest.decode(bytes)
  } catch (err) {
    throw new Violation(`malformed request: ${(err as Error).message}`)
  }
}

export function computeService (init: ComputeServiceInit): (components: ProtocolComponents) => ComputeService {
  return (components) => new ComputeService(components, init)
}
