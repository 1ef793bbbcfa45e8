/**
 * /wgt/chat/1.0.0 (DESIGN.md §3, §7): the sender opens a stream, writes one
 * ChatFrame (up to 32 messages and its receipt for ours), and reads one
 * ChatReply (a status and our receipt for its messages). Every field is
 * bounded and checked here, before the chat core sees it; a malformed frame
 * is a violation by the sender. Messages are rate-limited per peer (a frame
 * costs one at least, so receipts alone are bounded too): past the limit the
 * answer is BUSY and the sender's outbox tries again a moment later.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { MAX_CHAT_TEXT_BYTES, type ChatFile } from '../../../shared/api/index.js'
import { LINK_PATTERN } from '../../../shared/api/schemas.js'
import { closeStream, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import { ChatFrame, ChatMessage as WireMessage, ChatReply } from './pb/chat.js'

export const CHAT_PROTOCOL = '/wgt/chat/1.0.0'
export const MAX_FRAME_MESSAGES = 32
/** 32 messages of the largest text, with ids, numbers and a file card each */
export const MAX_FRAME_BYTES = MAX_FRAME_MESSAGES * (MAX_CHAT_TEXT_BYTES + 512) + 64
const MAX_REPLY = 64
/** Lamport orders stay below this (15 digits in the store's keys); a jump beyond it is no honest clock */
export const MAX_ORDER = 1e15 - 1
/** a number (n) beyond this is no honest count of messages */
export const MAX_N = 2 ** 48
/** the latest time a Date can hold */
const MAX_TIME = 8.64e15
const STATUSES = new Set(Object.values(ChatReply.Status))

export { ChatFrame, ChatReply, WireMessage }

/** A message as it came off the wire, checked. */
export interface IncomingMessage {
  id: string
  n: number
  order: number
  sentAt: number
  text: string
  file: ChatFile | null
}

export interface Receipt { delivered: number, read: number }

export interface ChatReceiver {
  receive: (from: string, messages: IncomingMessage[], receipt: Receipt | null, acked: number, via: 'direct' | 'mailbox') => Promise<{ status: ChatReply.Status, receipt: Receipt }>
}

export interface ChatServiceInit extends ProtocolServiceInit {
  /** messages taken from one peer at once, and refilled per minute (default 1000, 30,000: 500 a second) */
  burst?: number
  perMinute?: number
  timeoutMs?: number
}

/** Check one message from the wire (or from a mailbox); anything no honest sender makes is a Violation. */
export function checkMessage (m: WireMessage): IncomingMessage {
  if (m.id.byteLength !== 16) throw new Violation('message id is not 16 bytes')
  if (!Number.isSafeInteger(m.n) || m.n < 1 || m.n > MAX_N) throw new Violation('message number out of range')
  if (!Number.isSafeInteger(m.order) || m.order < 1 || m.order > MAX_ORDER) throw new Violation('message order out of range')
  // a Date holds ±8.64e15 ms: a later time would break whatever shows it
  if (!Number.isSafeInteger(m.sentAt) || m.sentAt > MAX_TIME) throw new Violation('message time out of range')
  if (Buffer.byteLength(m.text) > MAX_CHAT_TEXT_BYTES) throw new Violation('message text too long')
  let file: ChatFile | null = null
  if (m.file != null) {
    const { link, name, size } = m.file
    if (!LINK_PATTERN.test(link)) throw new Violation('file card without a wgt:// link')
    // controls and direction marks (U+202E would show invoice\u202efdp.exe as invoiceexe.pdf) are no part of a file's name
    if (name.length === 0 || name.length > 255 || /[\p{Cc}/\\\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name)) throw new Violation('file card with a bad name')
    if (!Number.isSafeInteger(size) || size < 0) throw new Violation('file card size out of range')
    file = { link, name, size }
  }
  if (m.text.trim().length === 0 && file == null) throw new Violation('empty message')
  return { id: Buffer.from(m.id).toString('hex'), n: m.n, order: m.order, sentAt: m.sentAt, text: m.text, file }
}

/** Check a whole frame: its messages, its receipt and its acked marker. */
export function checkFrame (frame: ChatFrame): { messages: IncomingMessage[], receipt: Receipt | null, acked: number } {
  const messages = frame.messages.map(checkMessage)
  const receipt = checkReceipt(frame.receipt)
  if (!Number.isSafeInteger(frame.acked) || frame.acked > MAX_N) throw new Violation('acked out of range')
  return { messages, receipt, acked: frame.acked }
}

function checkReceipt (r: { delivered: number, read: number } | undefined): Receipt | null {
  if (r == null) return null
  if (!Number.isSafeInteger(r.delivered) || !Number.isSafeInteger(r.read) || r.delivered > MAX_N || r.read > MAX_N) throw new Violation('receipt out of range')
  return { delivered: r.delivered, read: r.read }
}

export class ChatService extends ProtocolService {
  readonly protocol = CHAT_PROTOCOL
  /** set by the chat core once it runs; until then frames are answered BUSY */
  receiver: ChatReceiver | null = null
  private readonly limiter: RateLimiter
  private readonly timeoutMs: number

  constructor (components: ProtocolComponents, init: ChatServiceInit) {
    super(components, init.reputation, 'chat', { maxInboundStreams: 32, maxOutboundStreams: 32, runOnLimitedConnection: true })
    this.limiter = new RateLimiter(init.burst ?? 1000, init.perMinute ?? 30_000)
    this.timeoutMs = init.timeoutMs ?? 20_000
  }

  readonly [Symbol.toStringTag] = 'wgt/chat'

  /** Send one frame; answers the recipient's reply. */
  async send (peerId: string, frame: ChatFrame, signal?: AbortSignal): Promise<{ status: ChatReply.Status, receipt: Receipt | null }> {
    return await this.exchange(peerId, ChatFrame.encode(frame), {
      maxResponse: MAX_REPLY,
      decode: b => {
        const r = ChatReply.decode(b)
        if (!STATUSES.has(r.status)) throw new Error('unknown reply status')
        return { status: r.status, receipt: checkReceipt(r.receipt) }
      },
      timeoutMs: this.timeoutMs,
      signal
    })
  }

  protected async serve (stream: Stream, from: string, _connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: MAX_FRAME_BYTES + 1024 })
    const bytes = await lp.read({ signal })
    let frame: ChatFrame
    try {
      frame = ChatFrame.decode(bytes, { limits: { messages: MAX_FRAME_MESSAGES } })
    } catch (err) {
      throw new Violation(`malformed chat frame: ${(err as Error).message}`)
    }
    const { messages, receipt, acked } = checkFrame(frame)
    let reply: { status: ChatReply.Status, receipt?: Receipt }
    if (this.receiver == null || !this.limiter.take(from, Math.max(1, messages.length))) reply = { status: ChatReply.Status.BUSY }
    else reply = await this.receiver.receive(from, messages, receipt, acked, 'direct')
    await lp.write(ChatReply.encode(reply), { signal })
    await closeStream(stream)
  }
}

export function chatService (init: ChatServiceInit): (components: ProtocolComponents) => ChatService {
  return (components) => new ChatService(components, init)
}
