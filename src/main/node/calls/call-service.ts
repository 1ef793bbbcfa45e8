/**
 * /wgt/call/1.0.0 (DESIGN.md §8): call signalling between two nodes. One
 * stream per message: the sender opens a stream, writes one CallMessage and
 * reads one CallReply. Small and rare, so it runs on limited (relayed)
 * connections too, and a relayed connection that dies between messages does
 * not end the call.
 *
 * A message goes on a connection the two nodes already have, limited or not
 * (ProtocolService.open, wire/service.ts: libp2p's own openStream dialled a
 * new relay circuit per message, and under load lost messages with it). A
 * message cut on its way (its connection closed under it) goes once more:
 * every kind is safe to repeat (calls.ts answers a repeat as the call stands).
 *
 * Every field is checked here, before the call registry
 * sees it; a malformed message is a violation by its sender. Messages are
 * rate-limited per peer, rings more tightly than the rest: past the limit
 * the answer is REFUSED with a reason.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { MAX_CANDIDATE_BYTES, MAX_SDP_BYTES, type CallSignal } from '../../../shared/api/index.js'
import { cleanReason, closeStream, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import { WgtError } from '../../../shared/errors.js'
import { CallMessage, CallReply, Signal } from './pb/call.js'

export const CALL_PROTOCOL = '/wgt/call/1.0.0'
/** the largest SDP and the fields around it */
export const MAX_MESSAGE_BYTES = MAX_SDP_BYTES + 1024
const MAX_REPLY_BYTES = 512
const KINDS = new Set(Object.values(CallMessage.Kind))
const STATUSES = new Set(Object.values(CallReply.Status))
const SIGNAL_KINDS = new Set(Object.values(Signal.Kind))
const MAX_STREAMS = 32

export { CallMessage, CallReply }

/** A message as it came off the wire, checked. */
export type CheckedMessage =
  | { kind: 'ring', callId: string, video: boolean, key: Uint8Array, tunnel: boolean }
  | { kind: 'accept', callId: string, tunnel: boolean }
  | { kind: 'decline' | 'cancel' | 'hangup', callId: string }
  | { kind: 'signal', callId: string, signal: CallSignal }

export interface Reply {
  status: CallReply.Status
  /** REFUSED: why, in a sentence ('' otherwise) */
  reason: string
}

export interface CallReceiver {
  receive: (from: string, message: CheckedMessage) => Promise<Reply>
}

export interface CallServiceInit extends ProtocolServiceInit {
  /** messages taken from one peer at once, and refilled per minute (default 200, 1200: ICE trickles dozens per call) */
  burst?: number
  perMinute?: number
  /** rings taken from one peer at once, and per minute (default 10, 10: a person calling back, not a flood) */
  ringBurst?: number
  ringsPerMinute?: number
  timeoutMs?: number
}

/** Check one message from the wire; anything no honest sender makes is a Violation. */
export function checkMessage (m: CallMessage): CheckedMessage {
  if (!KINDS.has(m.kind)) throw new Violation('unknown message kind')
  if (m.callId.byteLength !== 16) throw new Violation('call id is not 16 bytes')
  const callId = Buffer.from(m.callId).toString('hex')
  switch (m.kind) {
    case CallMessage.Kind.RING:
      if (m.key.byteLength !== 32) throw new Violation('ring without a 32-byte key')
      return { kind: 'ring', callId, video: m.video, key: m.key, tunnel: m.tunnel }
    case CallMessage.Kind.ACCEPT:
      return { kind: 'accept', callId, tunnel: m.tunnel }
    case CallMessage.Kind.SIGNAL:
      if (m.signal == null) throw new Violation('signal message without a signal')
      return { kind: 'signal', callId, signal: checkSignal(m.signal) }
    case CallMessage.Kind.DECLINE: return { kind: 'decline', callId }
    case CallMessage.Kind.CANCEL: return { kind: 'cancel', callId }
    default: return { kind: 'hangup', callId }
  }
}

function checkSignal (s: Signal): CallSignal {
  if (!SIGNAL_KINDS.has(s.kind)) throw new Violation('unknown signal kind')
  if (s.kind === Signal.Kind.CANDIDATE) {
    if (Buffer.byteLength(s.candidate) > MAX_CANDIDATE_BYTES) throw new Violation('ICE candidate too long')
    if (s.sdpMid != null && s.sdpMid.length > 64) throw new Violation('sdpMid too long')
    if (s.sdpMLineIndex != null && s.sdpMLineIndex > 64) throw new Violation('sdpMLineIndex out of range')
    return { kind: 'candidate', candidate: s.candidate, sdpMid: s.sdpMid ?? null, sdpMLineIndex: s.sdpMLineIndex ?? null }
  }
  if (s.sdp.length === 0) throw new Violation('empty SDP')
  if (Buffer.byteLength(s.sdp) > MAX_SDP_BYTES) throw new Violation('SDP too long')
  return { kind: s.kind === Signal.Kind.OFFER ? 'offer' : 'answer', sdp: s.sdp }
}

/** The wire form of a message. */
export function toWire (m: CheckedMessage): CallMessage {
  const KIND = { ring: 'RING', accept: 'ACCEPT', decline: 'DECLINE', cancel: 'CANCEL', hangup: 'HANGUP', signal: 'SIGNAL' } as const
  const out: CallMessage = {
    kind: CallMessage.Kind[KIND[m.kind]],
    callId: Uint8Array.from(Buffer.from(m.callId, 'hex')),
    video: m.kind === 'ring' && m.video,
    key: m.kind === 'ring' ? Uint8Array.from(m.key) : new Uint8Array(0),
    tunnel: (m.kind === 'ring' || m.kind === 'accept') && m.tunnel
  }
  if (m.kind === 'signal') {
    const s = m.signal
    out.signal = s.kind === 'candidate'
      ? { kind: Signal.Kind.CANDIDATE, sdp: '', candidate: s.candidate, sdpMid: s.sdpMid ?? undefined, sdpMLineIndex: s.sdpMLineIndex ?? undefined }
      : { kind: s.kind === 'offer' ? Signal.Kind.OFFER : Signal.Kind.ANSWER, sdp: s.sdp, candidate: '' }
  }
  return out
}

export class CallService extends ProtocolService {
  readonly protocol = CALL_PROTOCOL
  /** set by the call registry once it runs; until then messages are refused */
  receiver: CallReceiver | null = null
  private readonly limiter: RateLimiter
  private readonly rings: RateLimiter
  private readonly timeoutMs: number

  constructor (components: ProtocolComponents, init: CallServiceInit) {
    super(components, init.reputation, 'call', { maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS, runOnLimitedConnection: true })
    this.limiter = new RateLimiter(init.burst ?? 200, init.perMinute ?? 1200)
    this.rings = new RateLimiter(init.ringBurst ?? 10, init.ringsPerMinute ?? 10)
    this.timeoutMs = init.timeoutMs ?? 10_000
  }

  readonly [Symbol.toStringTag] = 'wgt/call'

  /** Send one message; answers the peer's reply. */
  async send (peerId: string, message: CheckedMessage, signal?: AbortSignal): Promise<Reply> {
    const request = CallMessage.encode(toWire(message))
    const once = async (): Promise<Reply> => await this.exchange(peerId, request, {
      maxResponse: MAX_REPLY_BYTES,
      decode: b => {
        const r = CallReply.decode(b)
        if (!STATUSES.has(r.status)) throw new Error('unknown reply status')
        return { status: r.status, reason: cleanReason(r.reason) }
      },
      timeoutMs: this.timeoutMs,
      signal
    })
    try {
      return await once()
    } catch (err) {
      // a stream cut under the message (not a timeout, not a peer answering nonsense): once more
      if (signal?.aborted === true || !(err instanceof WgtError) || err.code !== 'PEER_UNREACHABLE' || isTimeout(err.cause)) throw err
      this.log('%s to %s was cut (%s): sending it again', message.kind, peerId, err.message)
      return await once()
    }
  }

  protected async serve (stream: Stream, from: string, _connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES, maxBufferSize: MAX_MESSAGE_BYTES + 1024 })
    const bytes = await lp.read({ signal })
    let wire: CallMessage
    try {
      wire = CallMessage.decode(bytes)
    } catch (err) {
      throw new Violation(`malformed call message: ${(err as Error).message}`)
    }
    const message = checkMessage(wire)
    const reply = await this.answer(from, message)
    await lp.write(CallReply.encode({ status: reply.status, reason: reply.reason }), { signal })
    await closeStream(stream)
  }

  private async answer (from: string, message: CheckedMessage): Promise<Reply> {
    if (this.receiver == null) return { status: CallReply.Status.REFUSED, reason: 'this node is not taking calls yet: try again in a moment' }
    if (!this.limiter.take(from) || (message.kind === 'ring' && !this.rings.take(from))) {
      return { status: CallReply.Status.REFUSED, reason: 'too many call messages from you just now: try again in a minute' }
    }
    return await this.receiver.receive(from, message)
  }
}

function isTimeout (err: unknown): boolean {
  const name = (err as Error | undefined)?.name
  return name === 'TimeoutError' || name === 'AbortError'
}

export function callService (init: CallServiceInit): (components: ProtocolComponents) => CallService {
  return (components) => new CallService(components, init)
}
