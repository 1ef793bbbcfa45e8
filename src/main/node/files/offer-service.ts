/**
 * /wgt/offer/1.0.0: a peer hands us a link (the user dropped a file on us in
 * its UI). One small Offer and one ack per stream; the receiver validates it,
 * rate-limits per peer (offers become UI notifications, which must not be
 * floodable) and emits it. Nothing is fetched until the user decides.
 */
import type { ComponentLogger, Connection, Logger, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { lpStream } from '@libp2p/utils'
import { WgtError } from '../../../shared/errors.js'
import type { FileOffer } from '../../../shared/types.js'
import type { ViolationReporter } from '../guard/reputation.js'
import { abortStream, closeStream, isWireViolation } from '../metrics/wire.js'
import { parsePeerId } from '../net/peer-directory.js'
import { RateLimiter } from './limits.js'
import { isLink } from './link.js'
import { Offer, OfferAck } from './pb/offer.js'
import { anySignal } from './shard-service.js'

export const OFFER_PROTOCOL = '/wgt/offer/1.0.0'
/** link ≤ 256, name ≤ 255 UTF-8 bytes ×4 worst case, framing */
const MAX_OFFER = 2048
const MAX_ACK = 512
export const MAX_NAME_LENGTH = 255

export interface OfferServiceInit {
  reputation: ViolationReporter
  onOffer: (offer: FileOffer) => void
  /** offers accepted from one peer at once, and refilled per minute (default 5, 10) */
  burst?: number
  perMinute?: number
  timeoutMs?: number
}

export interface OfferServiceComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export class OfferService implements Startable {
  readonly protocol = OFFER_PROTOCOL
  private readonly log: Logger
  private readonly limiter: RateLimiter
  private readonly timeoutMs: number
  private readonly inbound = new Set<Stream>()
  private started = false

  constructor (private readonly components: OfferServiceComponents, private readonly init: OfferServiceInit) {
    this.log = components.logger.forComponent('wgt:offer')
    this.limiter = new RateLimiter(init.burst ?? 5, init.perMinute ?? 10)
    this.timeoutMs = init.timeoutMs ?? 5000
  }

  readonly [Symbol.toStringTag] = 'wgt/offer'

  isStarted (): boolean { return this.started }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, conn) => { void this.receive(stream, conn) }, {
      maxInboundStreams: 2,
      maxOutboundStreams: 4,
      runOnLimitedConnection: true
    })
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.components.registrar.unhandle(this.protocol)
    await Promise.all([...this.inbound].map(async s => { await closeStream(s) }))
    this.inbound.clear()
  }

  async send (peerId: string, offer: { link: string, name: string, size: number }, options: { signal?: AbortSignal } = {}): Promise<void> {
    const signal = anySignal(options.signal, this.timeoutMs)
    let stream: Stream
    try {
      stream = await this.components.connectionManager.openStream(parsePeerId(peerId), this.protocol, { signal, runOnLimitedConnection: true })
    } catch (err) {
      if (err instanceof WgtError) throw err
      if ((err as Error).name === 'UnsupportedProtocolError') throw new WgtError('PROTOCOL', `${peerId} does not accept file offers`, { cause: err })
      throw new WgtError('PEER_UNREACHABLE', `cannot reach ${peerId}: ${(err as Error).message}`, { cause: err })
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_ACK })
      await lp.write(Offer.encode(offer), { signal })
      const ack = OfferAck.decode(await lp.read({ signal }))
      await closeStream(stream)
      if (ack.status === OfferAck.Status.RATE_LIMITED) throw new WgtError('UNAVAILABLE', `${peerId} is not taking more offers from us right now; try later`)
      if (ack.status !== OfferAck.Status.OK) throw new WgtError('INVALID_INPUT', `${peerId} rejected the offer: ${ack.message.slice(0, 200)}`)
    } catch (err) {
      abortStream(stream, (err as Error).message)
      throw WgtError.from(err, 'PEER_UNREACHABLE')
    }
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    this.inbound.add(stream)
    const signal = AbortSignal.timeout(this.timeoutMs)
    const lp = lpStream(stream, { maxDataLength: MAX_OFFER, maxBufferSize: MAX_OFFER * 2 })
    try {
      const buf = await lp.read({ signal })
      let offer: Offer
      try {
        offer = Offer.decode(buf)
      } catch (err) {
        throw new Violation(`malformed offer: ${(err as Error).message}`)
      }
      const problem = offerProblem(offer)
      if (problem != null) {
        await lp.write(OfferAck.encode({ status: OfferAck.Status.INVALID, message: problem }), { signal })
        throw new Violation(`invalid offer: ${problem}`)
      }
      if (!this.limiter.take(from)) {
        await lp.write(OfferAck.encode({ status: OfferAck.Status.RATE_LIMITED, message: '' }), { signal })
        await closeStream(stream)
        return
      }
      await lp.write(OfferAck.encode({ status: OfferAck.Status.OK, message: '' }), { signal })
      await closeStream(stream)
      this.init.onOffer({ from, link: offer.link, name: offer.name, size: offer.size, receivedAt: Date.now() })
    } catch (err) {
      if (err instanceof Violation || isWireViolation(err)) {
        this.init.reputation.recordViolation(from, `offer: ${(err as Error).message}`)
      } else {
        this.log('offer from %s ended: %s', from, (err as Error).message)
      }
      abortStream(stream, (err as Error).message)
    } finally {
      this.inbound.delete(stream)
    }
  }
}

class Violation extends Error {}

export function offerProblem (o: Offer): string | null {
  if (!isLink(o.link)) return 'not a wgt:// link'
  if (o.name.length === 0 || o.name.length > MAX_NAME_LENGTH) return `name must be 1..${MAX_NAME_LENGTH} characters`
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(o.name)) return 'name contains control characters'
  if (!Number.isSafeInteger(o.size) || o.size < 0) return 'size must be a non-negative integer'
  return null
}

export function offerService (init: OfferServiceInit): (components: OfferServiceComponents) => OfferService {
  return (components) => new OfferService(components, init)
}
