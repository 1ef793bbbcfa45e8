/**
 * /wgt/call-media/1.0.0 (DESIGN.md §8): the libp2p service behind the call
 * media tunnels. The caller's node opens a stream that starts with a
 * MediaHello {callId, from, to, proof}; the callee's node answers OK only for
 * an open tunnel of that call, and only when the stream comes straight from
 * the call's peer or from a relay carrying a hello whose proof checks with
 * the call's key. Then datagrams flow as u16-length frames both ways.
 *
 * Routes, in the caller's order of preference:
 *   - a stream on a connection to the peer that carries no relay limits:
 *     'libp2p' when direct, 'relay' when it passes through an unlimited
 *     circuit relay;
 *   - /wgt/call-relay/1.0.0 to a relay the peer is reachable through (the
 *     relay of a limited connection to it, or of a circuit address the peer
 *     store knows), over our own direct connection to that relay: 'relay'.
 * Media never rides a limited (circuit relay v2) connection: its 2 min /
 * 128 KiB budget is for signalling.
 */
import type { Connection, PeerId, PeerStore, Startable, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { WgtError } from '../../../../shared/errors.js'
import { parsePeerId } from '../../net/peer-id.js'
import { abortStream, anySignal, closeStream, isWireViolation, ProtocolService, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../../wire/index.js'
import type { CallMedia, MediaTunnel, TunnelOptions } from '../tunnel-types.js'
import { DEFAULT_MAX_QUEUE_BYTES } from './link.js'
import { Tunnel, type Route, type TunnelTiming } from './tunnel.js'
import { decodeHello, decodeReply, HANDSHAKE_TIMEOUT_MS, KEY_BYTES, MAX_HELLO_BYTES, MAX_REPLY_BYTES, MEDIA_PROTOCOL, MediaHello, mediaProof, MediaReply, proofMatches, RELAY_PROTOCOL } from './wire.js'

export interface CallMediaComponents extends ProtocolComponents {
  peerId: PeerId
  peerStore: PeerStore
}

export interface CallMediaInit extends ProtocolServiceInit, Partial<TunnelTiming> {}

/** media streams one connection may carry at once: a call or two, and a relay's few circuits to us */
const MAX_STREAMS = 8
/** the dialer's read buffer while it waits for the reply: the callee may start sending right after it */
const REPLY_BUFFER_BYTES = 64 * 1024
const CALL_ID = /^[0-9a-f]{32}$/

const REPLY_TEXT: Partial<Record<MediaReply.Status, string>> = {
  [MediaReply.Status.UNKNOWN_CALL]: 'has no open tunnel for this call',
  [MediaReply.Status.REFUSED]: 'refused the media stream',
  [MediaReply.Status.UNREACHABLE]: 'is not connected to the peer',
  [MediaReply.Status.BUSY]: 'has no free circuit'
}

export function isCircuit (conn: Connection): boolean {
  return conn.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
}

/** The relay in a circuit address: the /p2p/<R> just before /p2p-circuit. */
export function relayOf (addr: Multiaddr): string | null {
  const parts = addr.getComponents()
  const at = parts.findIndex(c => c.name === 'p2p-circuit')
  if (at < 1 || parts[at - 1].name !== 'p2p') return null
  return parts[at - 1].value ?? null
}

/**
 * The service registered as 'callMedia': it opens tunnels and runs the
 * protocol behind them. (The protocol is a ProtocolService of its own: the
 * base's `open` opens a stream, and this service's `open` is the tunnel's.)
 */
export class CallMediaService implements CallMedia, Startable {
  private readonly tunnels = new Map<string, Tunnel>()
  private readonly streams: MediaStreams
  private readonly timing: TunnelTiming

  constructor (private readonly components: CallMediaComponents, init: CallMediaInit) {
    this.timing = {
      retryDelaysMs: init.retryDelaysMs ?? [0, 250, 500, 1000, 2000, 4000],
      reattachEveryMs: init.reattachEveryMs ?? 5000,
      attachTimeoutMs: init.attachTimeoutMs ?? 30_000,
      maxQueueBytes: init.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES
    }
    this.streams = new MediaStreams(components, init, callId => this.tunnels.get(callId))
  }

  readonly [Symbol.toStringTag] = 'wgt/call-media'

  isStarted (): boolean { return this.streams.isStarted() }

  async start (): Promise<void> { await this.streams.start() }

  async stop (): Promise<void> {
    for (const t of [...this.tunnels.values()]) t.close()
    await this.streams.stop()
  }

  open (opts: TunnelOptions): MediaTunnel {
    if (!this.isStarted()) throw new WgtError('NOT_RUNNING', 'the call media service is not running')
    if (!CALL_ID.test(opts.callId)) throw new WgtError('INVALID_INPUT', 'a call id is 32 lowercase hex characters')
    parsePeerId(opts.peerId)
    if (opts.peerId === this.components.peerId.toString()) throw new WgtError('INVALID_INPUT', 'a call needs another peer')
    if (!(opts.key instanceof Uint8Array) || opts.key.byteLength !== KEY_BYTES) throw new WgtError('INVALID_INPUT', `a call key is ${KEY_BYTES} bytes`)
    if (this.tunnels.has(opts.callId)) throw new WgtError('INVALID_INPUT', `call ${opts.callId} already has a media tunnel`)
    const tunnel = new Tunnel({ ...opts, key: Uint8Array.from(opts.key) }, {
      connect: async (t, signal) => await this.streams.connect(t, signal),
      forget: t => { if (this.tunnels.get(t.callId) === t) this.tunnels.delete(t.callId) },
      violation: (peer, reason) => { this.streams.countViolation(peer, reason) },
      log: (format, ...args) => { this.streams.logLine(format, ...args) }
    }, this.timing)
    this.tunnels.set(opts.callId, tunnel)
    return tunnel
  }

  /** open tunnels, for tests and metrics */
  get openTunnels (): number { return this.tunnels.size }
}

/** /wgt/call-media/1.0.0 itself: the callee's handler and the caller's route choice and handshake. */
class MediaStreams extends ProtocolService<CallMediaComponents> {
  readonly protocol = MEDIA_PROTOCOL

  constructor (components: CallMediaComponents, init: CallMediaInit, private readonly tunnelFor: (callId: string) => Tunnel | undefined) {
    super(components, init.reputation, 'call-media', { maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS, runOnLimitedConnection: false })
  }

  countViolation (peer: string, reason: string): void { this.violation(peer, reason) }
  logLine (format: string, ...args: unknown[]): void { this.log(format, ...args) }

  private get self (): string { return this.components.peerId.toString() }

  protected async serve (stream: Stream, peer: string, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS)
    // the caller waits for our reply before it sends a frame: only the hello may arrive
    const lp = lpStream(stream, { maxDataLength: MAX_HELLO_BYTES, maxBufferSize: MAX_HELLO_BYTES + 16 })
    const hello = decodeHello(await lp.read({ signal }))
    const reply = async (status: MediaReply.Status): Promise<void> => { await lp.write(MediaReply.encode({ status }), { signal }) }
    // an honest relay forwards a hello only to its `to`, an honest caller sends it only to its callee
    if (hello.to !== this.self) throw new Violation('media hello addressed to another peer')
    const direct = peer === hello.from
    const tunnel = this.tunnelFor(hello.callId)
    if (tunnel == null || tunnel.dial || tunnel.isClosed) {
      // not counted: the caller re-dialling just as the call ended is honest
      await reply(MediaReply.Status.UNKNOWN_CALL)
      await closeStream(stream)
      return
    }
    const proofOk = hello.from === tunnel.peerId && proofMatches(hello.proof, mediaProof(tunnel.key, hello.callId, hello.from, hello.to, direct ? '' : peer))
    if (!proofOk) {
      await reply(MediaReply.Status.REFUSED)
      // A peer speaking for itself knows whether it is in the call and what its proof is. A relay
      // cannot check a proof (it has no key): a refused hello it carried is not its fault.
      if (direct) throw new Violation(hello.from === tunnel.peerId ? 'media hello with a bad proof' : 'media stream for a call with another peer')
      this.log('refused a relayed media stream for call %s from %s via %s', hello.callId, hello.from, peer)
      await closeStream(stream)
      return
    }
    await reply(MediaReply.Status.OK)
    const route: Route = direct && !isCircuit(connection) ? 'libp2p' : 'relay'
    await tunnel.attach(lp.unwrap(), route, peer)
  }

  /** The caller's side: the first route that attaches. */
  async connect (tunnel: Tunnel, signal: AbortSignal): Promise<{ stream: Stream, route: Route, remote: string }> {
    const peer = parsePeerId(tunnel.peerId)
    const cm = this.components.connectionManager
    // one hello per route: a relay's names that relay (see mediaProof)
    const helloVia = (via: string): MediaHello => ({
      callId: tunnel.callId,
      from: this.self,
      to: tunnel.peerId,
      proof: Uint8Array.from(mediaProof(tunnel.key, tunnel.callId, this.self, tunnel.peerId, via))
    })
    const failures: string[] = []
    let conns = cm.getConnections(peer).filter(c => c.status === 'open')
    if (conns.length === 0) {
      // signalling reached the peer a moment ago; a connection may have closed since
      try {
        await cm.openConnection(peer, { signal: anySignal(signal, HANDSHAKE_TIMEOUT_MS) })
      } catch (err) {
        failures.push(`cannot connect: ${(err as Error).message}`)
      }
      conns = cm.getConnections(peer).filter(c => c.status === 'open')
    }
    const unlimited = conns.filter(c => c.limits == null).sort((a, b) => Number(isCircuit(a)) - Number(isCircuit(b)))
    for (const conn of unlimited) {
      try {
        const stream = await this.handshake(conn, MEDIA_PROTOCOL, helloVia(''), signal)
        return { stream, route: isCircuit(conn) ? 'relay' : 'libp2p', remote: tunnel.peerId }
      } catch (err) {
        if (signal.aborted) throw err
        failures.push((err as Error).message)
      }
    }
    for (const [relay, via] of await this.relaysOf(peer, conns)) {
      try {
        const conn = await this.connectionTo(relay, via, signal)
        const stream = await this.handshake(conn, RELAY_PROTOCOL, helloVia(relay), signal)
        return { stream, route: 'relay', remote: relay }
      } catch (err) {
        if (signal.aborted) throw err
        failures.push(`relay ${relay}: ${(err as Error).message}`)
      }
    }
    throw new WgtError('PEER_UNREACHABLE', failures.length > 0
      ? `no media route to ${tunnel.peerId}: ${failures.join('; ')}`
      : `no connection to ${tunnel.peerId} that can carry media, and no relay it is reachable through`)
  }

  /**
   * Relays the peer is reachable through: those of our limited connections to
   * it, then circuit addresses the peer store knows; each with the addresses
   * the circuits name for it (what comes before /p2p-circuit).
   */
  private async relaysOf (peer: PeerId, conns: Connection[]): Promise<Map<string, Multiaddr[]>> {
    const found = new Map<string, Multiaddr[]>()
    const add = (addr: Multiaddr): void => {
      const r = relayOf(addr)
      if (r == null || r === this.self || r === peer.toString()) return
      const list = found.get(r) ?? []
      const at = addr.toString().indexOf('/p2p-circuit')
      // '/p2p/<R>' alone names no transport: the peer store's addresses for R serve then
      const via = addr.toString().slice(0, at)
      if (!via.startsWith('/p2p/') && list.length < 4) list.push(multiaddr(via))
      found.set(r, list)
    }
    for (const c of conns) add(c.remoteAddr)
    try {
      const known = await this.components.peerStore.get(peer)
      for (const a of known.addresses) add(a.multiaddr)
    } catch {
      // not in the peer store: only the connections tell
    }
    return found
  }

  /** Our own connection to a relay, one that carries no limits (dialled if need be: the dial is ours). */
  private async connectionTo (relay: string, via: Multiaddr[], signal: AbortSignal): Promise<Connection> {
    const id = parsePeerId(relay)
    const cm = this.components.connectionManager
    const have = cm.getConnections(id).find(c => c.status === 'open' && c.limits == null)
    if (have != null) return have
    const conn = await cm.openConnection(via.length > 0 ? via : id, { signal: anySignal(signal, HANDSHAKE_TIMEOUT_MS) })
    if (conn.limits != null) throw new WgtError('PEER_UNREACHABLE', 'reachable only through another relay')
    return conn
  }

  /** Open `protocol` on `conn`, send the hello, and answer the stream once the reply is OK. */
  private async handshake (conn: Connection, protocol: string, hello: MediaHello, tunnelSignal: AbortSignal): Promise<Stream> {
    const signal = anySignal(tunnelSignal, HANDSHAKE_TIMEOUT_MS)
    const remote = conn.remotePeer.toString()
    const stream = await conn.newStream(protocol, { signal, runOnLimitedConnection: false, maxOutboundStreams: MAX_STREAMS })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_REPLY_BYTES, maxBufferSize: REPLY_BUFFER_BYTES })
      await lp.write(MediaHello.encode(hello), { signal })
      const status = decodeReply(await lp.read({ signal }))
      if (status !== MediaReply.Status.OK) throw new WgtError('PEER_UNREACHABLE', `${remote} ${REPLY_TEXT[status] ?? 'refused'}`)
      return lp.unwrap()
    } catch (err) {
      abortStream(stream, (err as Error).message)
      if (err instanceof Violation || isWireViolation(err)) this.violation(remote, err.message)
      throw err
    }
  }
}

export function callMedia (init: CallMediaInit): (components: CallMediaComponents) => CallMediaService {
  return (components) => new CallMediaService(components, init)
}
