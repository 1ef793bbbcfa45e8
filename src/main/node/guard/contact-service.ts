/**
 * /wgt/contact/1.0.0: the contact handshake. Both sides must agree (Jami,
 * Briar): A's REQUEST makes A 'request-received' at B; B's ACCEPT makes them
 * contacts on both sides; DECLINE and REMOVE take the relation back. One
 * message and one reply per stream. Requests are rate-limited per peer and
 * the book bounds how many wait for an answer, so strangers cannot flood it.
 * A request or acceptance that cannot be delivered stays marked undelivered
 * in the book and is sent when the peer is next connected (contacts.ts).
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { closeStream, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import type { ContactBook } from './contact-book.js'
import { ContactMessage, ContactReply } from './pb/contact.js'

export const CONTACT_PROTOCOL = '/wgt/contact/1.0.0'
const MAX_MESSAGE = 16
const MAX_REPLY = 16
const KINDS = new Set(Object.values(ContactMessage.Kind))
const STATUSES = new Set(Object.values(ContactReply.Status))

export { ContactMessage, ContactReply }

export interface ContactServiceInit extends ProtocolServiceInit {
  book: ContactBook
  /** requests taken from one peer at once, refilled per minute (default 3, 6) */
  burst?: number
  perMinute?: number
  timeoutMs?: number
}

export class ContactService extends ProtocolService {
  readonly protocol = CONTACT_PROTOCOL
  private readonly book: ContactBook
  private readonly limiter: RateLimiter
  private readonly timeoutMs: number

  constructor (components: ProtocolComponents, init: ContactServiceInit) {
    super(components, init.reputation, 'contact', { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true })
    this.book = init.book
    this.limiter = new RateLimiter(init.burst ?? 3, init.perMinute ?? 6)
    this.timeoutMs = init.timeoutMs ?? 10_000
  }

  readonly [Symbol.toStringTag] = 'wgt/contact'

  /** Send one message; answers the peer's reply status. */
  async send (peerId: string, kind: ContactMessage.Kind, signal?: AbortSignal): Promise<ContactReply.Status> {
    const reply = await this.exchange(peerId, ContactMessage.encode({ kind }), {
      maxResponse: MAX_REPLY,
      decode: b => {
        const r = ContactReply.decode(b)
        if (!STATUSES.has(r.status)) throw new Error('unknown reply status')
        return r
      },
      timeoutMs: this.timeoutMs,
      signal
    })
    return reply.status
  }

  protected async serve (stream: Stream, from: string, _connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE, maxBufferSize: MAX_MESSAGE * 2 })
    const bytes = await lp.read({ signal })
    let msg: ContactMessage
    try {
      msg = ContactMessage.decode(bytes)
    } catch (err) {
      throw new Violation(`malformed contact message: ${(err as Error).message}`)
    }
    if (!KINDS.has(msg.kind)) throw new Violation('unknown contact message kind')
    const status = await this.receive(from, msg.kind)
    await lp.write(ContactReply.encode({ status }), { signal })
    await closeStream(stream)
  }

  /** What a message from `from` does to the book (we are its recipient). */
  async receive (from: string, kind: ContactMessage.Kind): Promise<ContactReply.Status> {
    if (kind === ContactMessage.Kind.REQUEST && !this.limiter.take(from)) return ContactReply.Status.BUSY
    return await this.book.exclusive(from, async () => await this.apply(from, kind))
  }

  private async apply (from: string, kind: ContactMessage.Kind): Promise<ContactReply.Status> {
    const { Status } = ContactReply
    const trust = this.book.trust(from)
    if (trust === 'blocked') return Status.OK // the gater refuses blocked peers; a racing stream learns nothing
    switch (kind) {
      case ContactMessage.Kind.REQUEST:
        if (trust === 'contact') return Status.ACCEPTED
        if (trust === 'request-sent') {
          // both asked: that is both agreeing
          await this.book.set(from, { trust: 'contact', undelivered: false })
          return Status.ACCEPTED
        }
        if (trust === 'request-received') return Status.OK
        await this.book.set(from, { trust: 'request-received', undelivered: false })
        return Status.OK
      case ContactMessage.Kind.ACCEPT:
        if (trust === 'request-sent') {
          await this.book.set(from, { trust: 'contact', undelivered: false })
          return Status.ACCEPTED
        }
        return trust === 'contact' ? Status.ACCEPTED : Status.NOT_REQUESTED
      case ContactMessage.Kind.DECLINE:
        if (trust === 'request-sent') await this.book.delete(from)
        return Status.OK
      case ContactMessage.Kind.REMOVE:
        if (trust !== 'stranger') await this.book.delete(from)
        return Status.OK
    }
    return Status.OK
  }
}

export function contactService (init: ContactServiceInit): (components: ProtocolComponents) => ContactService {
  return (components) => new ContactService(components, init)
}
