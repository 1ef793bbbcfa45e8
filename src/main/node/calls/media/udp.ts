/**
 * The tunnel's UDP side: a socket on 127.0.0.1 that the renderer's WebRTC
 * reaches as a remote ICE candidate. It "latches" the renderer: replies go to
 * the source of the last valid datagram. Valid means from this machine (a
 * loopback address or one of its own interface addresses: Chromium may send
 * from a socket bound to the LAN address, and the kernel keeps that source on
 * the way to 127.0.0.1) and no larger than a datagram the tunnel carries.
 * Anything else is dropped and counted, so another host cannot inject into a
 * call or steer its replies.
 *
 * Once the node knows the other side's ICE credentials (expectIce, from the
 * peer's SDP), a source counts only after it sent a connectivity check signed
 * with them (stun.ts): another process on this machine can no longer take
 * the latch or feed the tunnel. Before that, the renderer has no remote
 * description and sends nothing here; whatever came earlier is forgotten.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { networkInterfaces } from 'node:os'
import { WgtError } from '../../../../shared/errors.js'
import { isCheckFor, type IceCredentials } from './stun.js'
import { MAX_DATAGRAM } from './wire.js'

/** sources a renderer may use at once (its host candidates: IPv4 LAN, loopback, …) */
const MAX_SOURCES = 4

/** how often the list of this machine's addresses may be read again when an unknown source shows up */
const INTERFACES_REFRESH_MS = 2000

let ownAddresses: Set<string> = new Set()
let ownAddressesAt = -Infinity

function isOwnAddress (address: string): boolean {
  if (address.startsWith('127.')) return true
  if (ownAddresses.has(address)) return true
  const now = Date.now()
  if (now - ownAddressesAt < INTERFACES_REFRESH_MS) return false
  ownAddressesAt = now
  ownAddresses = new Set(Object.values(networkInterfaces()).flatMap(list => (list ?? []).map(i => i.address)))
  return ownAddresses.has(address)
}

export interface RendererSocketEvents {
  /** a valid datagram from the renderer */
  datagram: (datagram: Uint8Array) => void
  /** a datagram refused (foreign source or too large) */
  refused: () => void
}

export class RendererSocket {
  readonly port: number
  private readonly socket: Socket
  private latched: { address: string, port: number } | null = null
  private closed = false
  private ice: IceCredentials | null = null
  /** with ice set: the sources that proved they are the renderer, oldest first */
  private proven: string[] = []

  /** Bound before the constructor returns (the lookup answers synchronously for a literal address). */
  constructor (events: RendererSocketEvents) {
    this.socket = createSocket({
      type: 'udp4',
      lookup: (address: string, _family: unknown, cb?: (err: Error | null, address: string, family: number) => void) => {
        // dgram calls lookup(address, 4, cb); the literal needs no resolving
        const callback = (typeof _family === 'function' ? _family : cb) as (err: Error | null, address: string, family: number) => void
        callback(null, address, 4)
      }
    })
    let failure: Error | null = null
    // a bind failure lands here during bind(); later ones (a send the kernel refused) are lost
    // datagrams, as UDP loses them, and WebRTC copes
    this.socket.on('error', err => { failure = err })
    this.socket.bind({ address: '127.0.0.1', port: 0, exclusive: true })
    let port = 0
    try { port = this.socket.address().port } catch (err) { failure ??= err as Error }
    if (failure != null || port === 0) {
      this.socket.close()
      throw new WgtError('UNAVAILABLE', `cannot open a UDP port on 127.0.0.1 for the call: ${(failure as Error | null)?.message ?? 'no port'}`)
    }
    this.port = port
    this.socket.on('message', (msg: Buffer, from: RemoteInfo) => {
      if (msg.byteLength === 0 || msg.byteLength > MAX_DATAGRAM || !isOwnAddress(from.address)) {
        events.refused()
        return
      }
      if (this.ice != null && !this.isProven(msg, `${from.address}:${from.port}`)) {
        events.refused()
        return
      }
      this.latched = { address: from.address, port: from.port }
      events.datagram(msg)
    })
  }

  /** From now on only sources that send checks signed with `ice` count (an ICE restart brings new ones). */
  expectIce (ice: IceCredentials): void {
    if (this.ice != null && this.ice.ufrag === ice.ufrag && this.ice.pwd === ice.pwd) return
    this.ice = ice
    this.proven = []
    this.latched = null
  }

  private isProven (msg: Uint8Array, source: string): boolean {
    if (this.proven.includes(source)) return true
    if (!isCheckFor(msg, this.ice!)) return false
    this.proven.push(source)
    if (this.proven.length > MAX_SOURCES) this.proven.shift()
    return true
  }

  /** Whether a renderer has sent anything yet: until then there is nobody to deliver to. */
  get hasRenderer (): boolean { return this.latched != null }

  /** To the latched renderer; false when there is none yet or the socket is closed. */
  send (datagram: Uint8Array): boolean {
    if (this.closed || this.latched == null) return false
    this.socket.send(datagram, this.latched.port, this.latched.address)
    return true
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.socket.close()
  }
}
