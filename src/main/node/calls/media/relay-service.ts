/**
 * /wgt/call-relay/1.0.0 (DESIGN.md §8), on `--relay-server` nodes only: a
 * caller whose callee is reachable only through this relay sends the call's
 * MediaHello here; the relay opens /wgt/call-media/1.0.0 to the callee, passes
 * the hello on and the reply back, then forwards datagrams both ways.
 *
 * Unlike the circuit relay, it carries a call past 2 minutes and 128 KiB: it
 * runs on the relay's direct connections to caller and callee, and what bounds
 * it is the operator's cap instead. It forwards only to peers connected to it
 * now (it never dials on anyone's behalf), holds at most `maxCircuits` at
 * once (`maxCircuitsPerPeer` for one caller), and meters bytes through two
 * token buckets: the operator's total, and each circuit's share of it (the
 * smaller of `perCircuitKbps` and the total split between open circuits).
 * Over either, a datagram is dropped, never queued: media adapts to loss.
 * It cannot read the media (DTLS-SRTP between the renderers) nor check a
 * hello's proof (it has no key); the callee checks it.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { parsePeerId } from '../../net/peer-id.js'
import { closeStream, isWireViolation, ProtocolService, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../../wire/index.js'
import { TokenBucket } from './bucket.js'
import { DEFAULT_MAX_QUEUE_BYTES, Link, type LinkEnd } from './link.js'
import { decodeHello, decodeReply, HANDSHAKE_TIMEOUT_MS, MAX_DATAGRAM, MAX_HELLO_BYTES, MAX_REPLY_BYTES, MEDIA_PROTOCOL, MediaHello, MediaReply, RELAY_PROTOCOL } from './wire.js'

export interface CallRelayComponents extends ProtocolComponents {
  peerId: PeerId
}

export interface CallRelayInit extends ProtocolServiceInit {
  /** the operator's cap on all call traffic through this relay, both directions, kbit/s */
  maxKbps: number
  /** one circuit's most, both directions; default 5000 (Chromium's video sends up to about 2.5 Mbit/s each way) */
  perCircuitKbps?: number
  /** circuits open at once; default 32 */
  maxCircuits?: number
  /** circuits one caller may hold at once; default 4 */
  maxCircuitsPerPeer?: number
  /** how much a bucket holds, as time at its rate: a video keyframe arrives as a burst; default 500 ms */
  burstMs?: number
  /** the buckets' clock (tests stop it) */
  now?: () => number
  /** close a circuit that carried nothing for this long (default RELAY_IDLE_MS) */
  idleMs?: number
  maxQueueBytes?: number
}

export interface CallRelayStats {
  circuits: number
  forwardedBytes: number
  forwardedDatagrams: number
  /** datagrams dropped over the cap or at a slow leg */
  dropped: number
  /** circuits refused: full, callee not connected here, or refused by the callee */
  refused: number
}

const REPLY_BUFFER_BYTES = 64 * 1024
/** circuit streams per connection: a caller's few circuits, or a callee's share of circuits from several callers */
const MAX_STREAMS = 16

interface Circuit {
  caller: string
  callee: string
  bucket: TokenBucket
  legs: Link[]
  /** this.now() of the last datagram either way */
  lastAt: number
}

/**
 * A circuit that carries nothing for this long is closed (cleanly: the call's
 * tunnel ends, the call goes on over whatever path ICE chose). Without it, a
 * caller and callee working together with fresh PeerIds could hold every slot
 * idle. Chromium checks an unselected candidate pair at most every ~25 s and
 * consent on the selected one every ~5 s, so a tunnel in use is never idle this long.
 */
export const RELAY_IDLE_MS = 60_000

export class CallRelayService extends ProtocolService<CallRelayComponents> {
  readonly protocol = RELAY_PROTOCOL
  private readonly circuits = new Set<Circuit>()
  /** circuits being set up or open, per caller (slots are taken before the first await) */
  private readonly perPeer = new Map<string, number>()
  private slots = 0
  private readonly total: TokenBucket
  private readonly totalRate: number
  private readonly circuitRate: number
  private readonly burstMs: number
  private readonly now: () => number
  private readonly counts = { forwardedBytes: 0, forwardedDatagrams: 0, dropped: 0, refused: 0 }

  constructor (components: CallRelayComponents, private readonly init: CallRelayInit) {
    super(components, init.reputation, 'call-relay', { maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS, runOnLimitedConnection: false })
    if (!Number.isFinite(init.maxKbps) || init.maxKbps <= 0) throw new Error('the call relay needs a positive maxKbps')
    this.now = init.now ?? (() => performance.now())
    this.burstMs = init.burstMs ?? 500
    this.totalRate = init.maxKbps * 1000 / 8
    this.circuitRate = Math.min(init.perCircuitKbps ?? 5000, init.maxKbps) * 1000 / 8
    this.total = new TokenBucket(this.now, this.capacity(this.totalRate))
  }

  readonly [Symbol.toStringTag] = 'wgt/call-relay'

  stats (): CallRelayStats {
    return { circuits: this.circuits.size, ...this.counts }
  }

  protected override async onStop (): Promise<void> {
    for (const c of [...this.circuits]) for (const leg of c.legs) leg.close()
  }

  protected async serve (stream: Stream, caller: string, _connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS)
    // the caller waits for our reply before it sends a frame: only the hello may arrive
    const lp = lpStream(stream, { maxDataLength: MAX_HELLO_BYTES, maxBufferSize: MAX_HELLO_BYTES + 16 })
    const hello = decodeHello(await lp.read({ signal }))
    if (hello.from !== caller) throw new Violation('asked to relay a media hello in another peer\'s name')
    if (hello.to === this.components.peerId.toString()) throw new Violation('asked to relay media to the relay itself')
    const refuse = async (status: MediaReply.Status): Promise<void> => {
      this.counts.refused++
      await lp.write(MediaReply.encode({ status }), { signal })
      await closeStream(stream)
    }

    const mine = this.perPeer.get(caller) ?? 0
    if (this.slots >= (this.init.maxCircuits ?? 32) || mine >= (this.init.maxCircuitsPerPeer ?? 4)) {
      await refuse(MediaReply.Status.BUSY)
      return
    }
    // only a peer connected to us now, on a connection that carries no limits: we never dial for others
    const target = this.components.connectionManager.getConnections(parsePeerId(hello.to)).find(c => c.status === 'open' && c.limits == null)
    if (target == null) {
      await refuse(MediaReply.Status.UNREACHABLE)
      return
    }
    this.slots++
    this.perPeer.set(caller, mine + 1)
    try {
      const onward = await this.openOnward(target, hello, signal)
      if (onward.status !== MediaReply.Status.OK || onward.stream == null) {
        await refuse(onward.status)
        return
      }
      try {
        await lp.write(MediaReply.encode({ status: MediaReply.Status.OK }), { signal })
      } catch (err) {
        // the callee has already taken this stream as the call's link: leaving it open would hold
        // one of its stream slots and leave its tunnel attached to nothing
        onward.stream.abort(err as Error)
        throw err
      }
      await this.carry(lp.unwrap(), onward.stream, caller, hello.to)
    } finally {
      this.slots--
      const n = (this.perPeer.get(caller) ?? 1) - 1
      if (n > 0) this.perPeer.set(caller, n)
      else this.perPeer.delete(caller)
    }
  }

  /** The callee's stream with the hello passed on, or the status to tell the caller. */
  private async openOnward (target: Connection, hello: MediaHello, signal: AbortSignal): Promise<{ status: MediaReply.Status, stream?: Stream }> {
    const callee = target.remotePeer.toString()
    let stream: Stream
    try {
      stream = await target.newStream(MEDIA_PROTOCOL, { signal, runOnLimitedConnection: false, maxOutboundStreams: MAX_STREAMS })
    } catch (err) {
      this.log('cannot open call media to %s: %s', callee, (err as Error).message)
      return { status: MediaReply.Status.UNREACHABLE }
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_REPLY_BYTES, maxBufferSize: REPLY_BUFFER_BYTES })
      await lp.write(MediaHello.encode(hello), { signal })
      const status = decodeReply(await lp.read({ signal }))
      if (status !== MediaReply.Status.OK) {
        await closeStream(stream)
        return { status }
      }
      return { status, stream: lp.unwrap() }
    } catch (err) {
      stream.abort(err as Error)
      if (err instanceof Violation || isWireViolation(err)) this.violation(callee, (err as Error).message)
      return { status: MediaReply.Status.UNREACHABLE }
    }
  }

  /** Forward until either leg ends; rejects with the caller's Violation (the base counts it). */
  private async carry (fromCaller: Stream, toCallee: Stream, caller: string, callee: string): Promise<void> {
    const done = Promise.withResolvers<void>()
    const queue = this.init.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES
    const circuit: Circuit = { caller, callee, bucket: new TokenBucket(this.now, this.capacity(this.circuitRate)), legs: [], lastAt: this.now() }
    const idle = setInterval(() => {
      if (this.now() - circuit.lastAt < (this.init.idleMs ?? RELAY_IDLE_MS)) return
      this.log('closing idle call relay %s <-> %s', caller, callee)
      for (const leg of circuit.legs) leg.close()
    }, Math.min(10_000, this.init.idleMs ?? RELAY_IDLE_MS))
    idle.unref?.()
    void done.promise.finally(() => { clearInterval(idle) }).catch(() => {})
    const end = (peer: string, other: () => Link) => (how: LinkEnd): void => {
      // a clean end passes on cleanly (the call is over); a broken one as broken, so the
      // caller re-attaches (perhaps over a direct connection that has come up)
      if (how.clean) other().close()
      else other().abort(`the other leg of the call relay broke: ${how.reason ?? 'closed'}`)
      if (!this.circuits.delete(circuit)) return
      if (how.violation != null && peer === caller) done.reject(how.violation)
      else {
        if (how.violation != null) this.violation(peer, how.violation.message)
        done.resolve()
      }
    }
    const a: Link = new Link(fromCaller, { datagram: d => { this.forward(circuit, d, b) }, end: end(caller, () => b) }, queue)
    const b: Link = new Link(toCallee, { datagram: d => { this.forward(circuit, d, a) }, end: end(callee, () => a) }, queue)
    circuit.legs.push(a, b)
    this.circuits.add(circuit)
    this.log('relaying call media %s <-> %s', caller, callee)
    return await done.promise
  }

  private forward (circuit: Circuit, datagram: Uint8Array, to: Link): void {
    const n = datagram.byteLength
    circuit.lastAt = this.now()
    const share = Math.min(this.circuitRate, this.totalRate / Math.max(1, this.circuits.size))
    const shareCapacity = this.capacity(share)
    // both buckets must hold it before either is charged
    if (!circuit.bucket.holds(n, share, shareCapacity) || !this.total.holds(n, this.totalRate) || !to.send(datagram)) {
      this.counts.dropped++
      return
    }
    circuit.bucket.take(n, share, shareCapacity)
    this.total.take(n, this.totalRate)
    this.counts.forwardedDatagrams++
    this.counts.forwardedBytes += n
  }

  /** a bucket holds `burstMs` at its rate, and at least a few datagrams so a slow rate still passes something */
  private capacity (bytesPerSecond: number): number {
    return Math.max(4 * MAX_DATAGRAM, bytesPerSecond * this.burstMs / 1000)
  }
}

export function callRelay (init: CallRelayInit): (components: CallRelayComponents) => CallRelayService {
  return (components) => new CallRelayService(components, init)
}
