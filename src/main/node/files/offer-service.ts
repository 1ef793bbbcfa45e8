/**
 * /wgt/offer/1.0.0: a peer hands us a link (the user dropped a file on us in
 * its UI). One small Offer and one ack per stream; the receiver validates it,
 * rate-limits per peer (offers become inbox entries and notifications, which
 * must not be floodable) and hands it on. Nothing is fetched until the user
 * decides.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import type { FileOffer } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { closeStream, ProtocolService, RateLimiter, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import type { Verdict } from '../guard/guard.js'
import type { Inbox } from './inbox.js'
import { offerProblem } from './offer-check.js'
import { Offer, OfferAck } from './pb/offer.js'

export const OFFER_PROTOCOL = '/wgt/offer/1.0.0'
/** link ≤ 256, name ≤ 255 UTF-8 bytes ×4 worst case, framing */
const MAX_OFFER = 2048
const MAX_ACK = 512

export interface ReceivedOffer { from: string, link: string, name: string, size: number, request: boolean }

export interface OfferEvents {
  /** a valid offer is in the inbox; `removed` are the inbox entries it replaced or pushed out */
  received: CustomEvent<{ offer: FileOffer, removed: string[] }>
}

export interface OfferServiceInit extends ProtocolServiceInit {
  /** where offers are kept; an offer is acknowledged once it is stored there */
  inbox: Inbox
  /** guard's verdict on the sender under the 'offers' policy: 'request' keeps it apart as a request */
  verdict: (peerId: string) => Verdict
  /** offers accepted from one peer at once, and refilled per minute (default 5, 10) */
  burst?: number
  perMinute?: number
  timeoutMs?: number
}

export class OfferService extends ProtocolService {
  readonly protocol = OFFER_PROTOCOL
  readonly events = new TypedEventEmitter<OfferEvents>()
  /** the persisted inbox this service fills */
  readonly inbox: Inbox
  private readonly limiter: RateLimiter
  private readonly timeoutMs: number

  constructor (components: ProtocolComponents, private readonly init: OfferServiceInit) {
    super(components, init.reputation, 'offer', { maxInboundStreams: 2, maxOutboundStreams: 4, runOnLimitedConnection: true })
    this.inbox = init.inbox
    this.limiter = new RateLimiter(init.burst ?? 5, init.perMinute ?? 10)
    this.timeoutMs = init.timeoutMs ?? 5000
  }

  readonly [Symbol.toStringTag] = 'wgt/offer'

  async send (peerId: string, offer: { link: string, name: string, size: number }, options: { signal?: AbortSignal } = {}): Promise<void> {
    const ack = await this.exchange(peerId, Offer.encode(offer), { maxResponse: MAX_ACK, decode: b => OfferAck.decode(b), timeoutMs: this.timeoutMs, signal: options.signal })
    if (ack.status === OfferAck.Status.RATE_LIMITED) throw new WgtError('UNAVAILABLE', `${peerId} is not taking more offers from us right now; try later`)
    if (ack.status === OfferAck.Status.DENIED) throw new WgtError('POLICY_DENIED', `${peerId} does not take file offers from this node (its policy); ask them to add you as a contact`)
    if (ack.status !== OfferAck.Status.OK) throw new WgtError('INVALID_INPUT', `${peerId} rejected the offer: ${ack.message.slice(0, 200)}`)
  }

  protected async serve (stream: Stream, from: string, _connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const lp = lpStream(stream, { maxDataLength: MAX_OFFER, maxBufferSize: MAX_OFFER * 2 })
    const bytes = await lp.read({ signal })
    let offer: Offer
    try {
      offer = Offer.decode(bytes)
    } catch (err) {
      throw new Violation(`malformed offer: ${(err as Error).message}`)
    }
    const problem = offerProblem(offer)
    if (problem != null) {
      await lp.write(OfferAck.encode({ status: OfferAck.Status.INVALID, message: problem }), { signal })
      throw new Violation(`invalid offer: ${problem}`)
    }
    const verdict = this.init.verdict(from)
    if (verdict === 'deny' || !this.limiter.take(from)) {
      await lp.write(OfferAck.encode({ status: verdict === 'deny' ? OfferAck.Status.DENIED : OfferAck.Status.RATE_LIMITED, message: '' }), { signal })
      await closeStream(stream)
      return
    }
    await this.store({ from, link: offer.link, name: offer.name, size: offer.size, request: verdict === 'request' })
    await lp.write(OfferAck.encode({ status: OfferAck.Status.OK, message: '' }), { signal })
    await closeStream(stream)
  }

  /** Keep an offer in the inbox and tell listeners (also for an offer put back after a failed fetch). */
  async store (offer: ReceivedOffer): Promise<FileOffer> {
    const { offer: stored, removed } = await this.inbox.add(offer)
    this.events.dispatchEvent(new CustomEvent('received', { detail: { offer: stored, removed } }))
    return stored
  }
}

export function offerService (init: OfferServiceInit): (components: ProtocolComponents) => OfferService {
  return (components) => new OfferService(components, init)
}
