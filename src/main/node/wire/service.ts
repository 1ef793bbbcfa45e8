/**
 * The base of every WGT protocol service (DESIGN.md §2, §3), in the js-libp2p
 * style of @libp2p/ping and @libp2p/identify: limits come from init, start()
 * registers the handler and stop() unregisters it and closes every inbound
 * stream still open. A handler's Violation (or an oversized frame caught by
 * the length-prefixed reader) is counted against the sender; any other
 * failure just ends that stream. Outbound requests map dial failures to
 * WgtError codes once, here.
 */
import type { ComponentLogger, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { lpStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { WgtError } from '../../../shared/errors.js'
import type { ViolationReporter } from '../guard/reputation.js'
import { parsePeerId } from '../net/peer-id.js'
import { abortStream, closeStream, deadline, isWireViolation } from './stream.js'

/** A message that only a broken or hostile peer sends: it counts against that peer's reputation. */
export class Violation extends Error {
  override readonly name = 'Violation'
}

export interface ProtocolComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface HandlerLimits {
  maxInboundStreams: number
  maxOutboundStreams: number
  /** relayed connections carry a data and time budget: only small, rare messages belong on them */
  runOnLimitedConnection: boolean
}

export interface ProtocolServiceInit {
  reputation: ViolationReporter
}

export interface ExchangeOptions<R> {
  /** largest response accepted, checked before it is allocated */
  maxResponse: number
  decode: (bytes: Uint8Array) => R
  /** bound on the whole exchange */
  timeoutMs: number
  signal?: AbortSignal
}

export abstract class ProtocolService<C extends ProtocolComponents = ProtocolComponents> implements Startable {
  abstract readonly protocol: string
  protected readonly log: Logger
  private readonly inbound = new Set<Stream>()
  private started = false

  /** `name` is short ('shard', 'probe'): it prefixes violation reasons and names the logger */
  constructor (protected readonly components: C, protected readonly reputation: ViolationReporter, private readonly name: string, private readonly limits: HandlerLimits) {
    this.log = components.logger.forComponent(`wgt:${name}`)
  }

  /** Serve one inbound stream; throw Violation for a message no honest peer sends. */
  protected abstract serve (stream: Stream, peer: string, connection: Connection): Promise<void>

  /** After the handler is registered (topologies, timers). */
  protected async onStart (): Promise<void> {}
  /** Before the handler goes and inbound streams close. */
  protected async onStop (): Promise<void> {}

  isStarted (): boolean { return this.started }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, conn) => { void this.accept(stream, conn) }, this.limits)
    this.started = true
    await this.onStart()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.onStop()
    await this.components.registrar.unhandle(this.protocol)
    await Promise.all([...this.inbound].map(async s => { await closeStream(s) }))
    this.inbound.clear()
  }

  /** Count a violation against a peer (also for what it answered to our request). */
  protected violation (peer: string, reason: string): void {
    this.reputation.recordViolation(peer, `${this.name}: ${reason}`)
  }

  private async accept (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    this.inbound.add(stream)
    try {
      await this.serve(stream, peer, connection)
    } catch (err) {
      if (err instanceof Violation || isWireViolation(err)) this.violation(peer, err.message)
      else this.log('%s from %s ended: %s', this.protocol, peer, (err as Error).message)
      abortStream(stream, (err as Error).message)
    } finally {
      this.inbound.delete(stream)
    }
  }

  /**
   * Open a stream of this protocol; failures become PROTOCOL (it does not speak it), PEER_UNREACHABLE, or the caller's abort.
   *
   * A service that runs on limited connections opens it on a connection the two nodes already
   * have (pickConnection). libp2p's openStream reuses only unlimited connections: to a peer
   * reachable only through a relay it dialled a new circuit (TLS handshake, identify) for every
   * stream, then handed back the one already there as a duplicate of its address, or one the far
   * side had just dialled and was about to drop as such. On a loaded 2-core machine such a dial
   * took 1-2.5 s and sometimes failed its handshake timeout, and a stream on a dropped duplicate
   * was reset: call signalling and contact requests through a relay were lost that way (the
   * calls-relay e2e, 5 of 6 runs under load, seen with DEBUG=libp2p:connection-manager*).
   */
  protected async open (peerId: string | PeerId, signal: AbortSignal, callerSignal?: AbortSignal): Promise<Stream> {
    const id = typeof peerId === 'string' ? parsePeerId(peerId) : peerId
    const cm = this.components.connectionManager
    try {
      if (this.limits.runOnLimitedConnection) {
        const open = cm.getConnections(id).filter(c => c.status === 'open')
        const conn = pickConnection(open, Date.now())
        if (conn != null) {
          try {
            return await conn.newStream(this.protocol, { signal, runOnLimitedConnection: true })
          } catch (err) {
            if (signal.aborted || (err as Error).name === 'UnsupportedProtocolError') throw err
            this.log('cannot open %s on a connection to %p (%s): dialling', this.protocol, id, (err as Error).message)
          }
        }
        if (open.length > 0 && open.every(c => c.limits != null)) {
          // only limited connections near their end (or one that took no stream): a new circuit,
          // kept (without force libp2p hands back the old one as a duplicate of its address)
          const fresh = await cm.openConnection(id, { signal, force: true })
          return await fresh.newStream(this.protocol, { signal, runOnLimitedConnection: true })
        }
      }
      return await cm.openStream(id, this.protocol, { signal, runOnLimitedConnection: this.limits.runOnLimitedConnection })
    } catch (err) {
      if (callerSignal?.aborted === true) throw WgtError.from(callerSignal.reason ?? err)
      if (err instanceof WgtError) throw err
      if ((err as Error).name === 'UnsupportedProtocolError') throw new WgtError('PROTOCOL', `${id.toString()} does not speak ${this.protocol}`, { cause: err })
      throw new WgtError('PEER_UNREACHABLE', `cannot open ${this.protocol} to ${id.toString()}: ${(err as Error).message}`, { cause: err })
    }
  }

  /**
   * One request, one response, one stream. A response too large or malformed
   * is a violation by the responder and ends as PROTOCOL. request: one encoded
   * message, or its pieces in order (sent as they are, never joined).
   */
  protected async exchange<R> (peerId: string, request: Uint8Array | Uint8ArrayList, opts: ExchangeOptions<R>): Promise<R> {
    const { signal, done } = deadline(opts.signal, opts.timeoutMs)
    try {
      return await this.exchangeOn(await this.open(peerId, signal, opts.signal), peerId, request, opts, signal)
    } finally {
      done()
    }
  }

  private async exchangeOn<R> (stream: Stream, peerId: string, request: Uint8Array | Uint8ArrayList, opts: ExchangeOptions<R>, signal: AbortSignal): Promise<R> {
    try {
      const lp = lpStream(stream, { maxDataLength: opts.maxResponse, maxBufferSize: opts.maxResponse + 1024 })
      await lp.write(request, { signal })
      const bytes = await lp.read({ signal })
      let res: R
      try {
        // slice(), not subarray(): a response that came in one transport chunk would be decoded
        // from a view of that chunk; this way every response owns its memory, so a large one
        // may be freed by its receiver when done (bulk-garbage.ts releaseBuffer), and a small
        // one does not keep a transport's chunk alive. Several chunks are copied either way.
        res = opts.decode(bytes.slice())
      } catch (err) {
        throw new Violation(`malformed response: ${(err as Error).message}`)
      }
      await closeStream(stream)
      return res
    } catch (err) {
      abortStream(stream, (err as Error).message)
      if (err instanceof Violation || isWireViolation(err)) {
        this.violation(peerId, err.message)
        throw new WgtError('PROTOCOL', `${peerId} answered ${this.protocol} with ${err.message}`)
      }
      if (opts.signal?.aborted === true) throw WgtError.from(opts.signal.reason ?? err)
      throw WgtError.from(err, 'PEER_UNREACHABLE')
    }
  }
}

/**
 * A limited connection this close to its relay's time limit takes no new stream: it would
 * likely be cut with it (an exchange is bounded by about 10 s).
 */
export const EXPIRY_MARGIN_MS = 15_000

/**
 * The connection a stream of a service that runs on limited connections goes on, of the open
 * ones to its peer: an unlimited one (direct first), else the oldest limited one with more than
 * EXPIRY_MARGIN_MS left (a newer one may be a duplicate circuit its dialler is about to drop);
 * none, undefined.
 */
export function pickConnection (open: Connection[], now: number): Connection | undefined {
  const unlimited = open.filter(c => c.limits == null)
  if (unlimited.length > 0) return unlimited.find(c => c.direct) ?? unlimited[0]
  const lasting = open.filter(c => c.limits?.seconds == null || c.timeline.open + c.limits.seconds * 1000 - now > EXPIRY_MARGIN_MS)
  return lasting.sort((a, b) => a.timeline.open - b.timeline.open)[0]
}
