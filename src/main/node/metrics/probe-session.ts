/**
 * The initiator's side of /wgt/probe/1.0.0 for one peer: one long-lived
 * stream (a stream per probe costs ~2.3 ms of negotiation on loopback, which
 * would swamp a ~0.14 ms RTT), a single reader matching echoes to probes by
 * sequence number, and a timer per probe that turns silence into loss.
 */
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { WgtError } from '../../../shared/errors.js'
import { Probe as ProbeMessage } from './pb/probe.js'
import { abortStream, closeStream, isWireViolation } from '../wire/index.js'

export interface ProbeSessionInit {
  open: (signal?: AbortSignal) => Promise<Stream>
  timeoutMs: number
  maxInFlight: number
  maxMessageSize: number
  onViolation: (reason: string) => void
}

interface Pending {
  sentAt: number
  timer: ReturnType<typeof setTimeout>
  resolve: (rtt: number | null) => void
}

/** How many timed-out sequence numbers are remembered so their late echoes are not mistaken for forgeries. */
const LATE_MEMORY = 256

export class ProbeSession {
  private stream: Stream | null = null
  private lp: LengthPrefixedStream<Stream> | null = null
  private opening: Promise<LengthPrefixedStream<Stream>> | null = null
  private readonly pending = new Map<number, Pending>()
  private readonly timedOut = new Set<number>()
  private nextSeq = 1
  private closed = false

  constructor (private readonly init: ProbeSessionInit) {}

  get inFlight (): number { return this.pending.size }

  /** Send one probe on the session's stream; resolves with the RTT in ms, or null when unanswered within timeoutMs. */
  async probe (signal?: AbortSignal): Promise<number | null> {
    if (this.closed) throw new WgtError('NOT_RUNNING', 'probe session is closed')
    if (this.pending.size >= this.init.maxInFlight) throw new WgtError('UNAVAILABLE', `${this.pending.size} probes already in flight to this peer`)
    const lp = await this.ensureStream(signal)
    const seq = this.nextSeq
    this.nextSeq = this.nextSeq >= 0xffffffff ? 1 : this.nextSeq + 1
    const result = new Promise<number | null>(resolve => {
      const timer = setTimeout(() => {
        this.pending.delete(seq)
        this.rememberTimedOut(seq)
        resolve(null)
      }, this.init.timeoutMs)
      this.pending.set(seq, { sentAt: performance.now(), timer, resolve })
    })
    try {
      await lp.write(ProbeMessage.encode({ seq }), { signal })
    } catch (err) {
      this.settle(seq, null)
      if (signal?.aborted === true) throw WgtError.from(signal.reason ?? err)
      // the stream died under the write: the probe is lost, the next one reopens
      this.dropStream()
    }
    return await result
  }

  /** Close the stream and settle everything in flight as lost. */
  async close (): Promise<void> {
    this.closed = true
    const stream = this.stream
    this.dropStream()
    if (stream != null) await closeStream(stream)
  }

  private async ensureStream (signal?: AbortSignal): Promise<LengthPrefixedStream<Stream>> {
    if (this.lp != null && this.stream?.status === 'open') return this.lp
    this.opening ??= (async () => {
      try {
        const stream = await this.init.open(signal)
        if (this.closed) {
          await closeStream(stream)
          throw new WgtError('NOT_RUNNING', 'probe session is closed')
        }
        const lp = lpStream(stream, { maxDataLength: this.init.maxMessageSize, maxBufferSize: this.init.maxMessageSize * (this.init.maxInFlight + 2) })
        this.stream = stream
        this.lp = lp
        void this.readLoop(stream, lp)
        return lp
      } finally {
        this.opening = null
      }
    })()
    return await this.opening
  }

  private async readLoop (stream: Stream, lp: LengthPrefixedStream<Stream>): Promise<void> {
    try {
      while (stream.status === 'open') {
        const buf = await lp.read()
        let msg: ProbeMessage
        try {
          msg = ProbeMessage.decode(buf)
        } catch (err) {
          throw new ProbeViolation(`malformed probe echo: ${(err as Error).message}`)
        }
        if (!this.settle(msg.seq, performance.now()) && !this.timedOut.delete(msg.seq)) {
          throw new ProbeViolation(`echo for probe ${msg.seq}, which was never sent`)
        }
      }
    } catch (err) {
      if (err instanceof ProbeViolation || isWireViolation(err)) {
        this.init.onViolation(err.message)
        abortStream(stream, err.message)
      }
      // any other end (EOF, reset, connection closed) is not the peer's fault
    } finally {
      if (this.stream === stream) this.dropStream()
    }
  }

  /** Resolve a probe with its RTT (receivedAt given) or as lost (null); false if seq was not in flight. */
  private settle (seq: number, receivedAt: number | null): boolean {
    const p = this.pending.get(seq)
    if (p == null) return false
    this.pending.delete(seq)
    clearTimeout(p.timer)
    p.resolve(receivedAt === null ? null : receivedAt - p.sentAt)
    return true
  }

  private rememberTimedOut (seq: number): void {
    this.timedOut.add(seq)
    if (this.timedOut.size > LATE_MEMORY) this.timedOut.delete(this.timedOut.values().next().value as number)
  }

  private dropStream (): void {
    const stream = this.stream
    this.stream = null
    this.lp = null
    for (const seq of [...this.pending.keys()]) this.settle(seq, null)
    if (stream != null && stream.status === 'open') void closeStream(stream)
  }
}

class ProbeViolation extends Error {}
