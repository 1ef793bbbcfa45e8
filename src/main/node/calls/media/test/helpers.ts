/**
 * Real libp2p nodes on 127.0.0.1 with the call media services, dgram sockets
 * standing in for the renderers' WebRTC, and a raw peer that says what a test
 * wants on the media protocols.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p, Stream } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { ViolationLog } from '../../../metrics/test/nodes.js'
import { callMedia, type CallMediaInit, type CallMediaService } from '../media-service.js'
import { callRelay, type CallRelayInit, type CallRelayService } from '../relay-service.js'
import { MediaHello, MediaReply } from '../wire.js'

export interface MediaPeer {
  node: Libp2p<{ callMedia: CallMediaService, callRelay?: CallRelayService }>
  id: string
  media: CallMediaService
  relay: CallRelayService | undefined
  violations: ViolationLog
}

export const running: Array<{ stop: () => Promise<void> | void }> = []

export async function stopAll (): Promise<void> {
  await Promise.all(running.splice(0).map(async r => { await r.stop() }))
}

export interface PeerOptions {
  media?: Partial<CallMediaInit>
  /** a WGT relay server: the stock circuit relay and the call relay */
  relay?: Partial<CallRelayInit> & { maxKbps: number }
  /** listen also on /p2p-circuit (reserve a slot on relays it connects to) */
  circuit?: boolean
  /** no call media service: a bare peer (a relay that is only a relay, a stranger) */
  bare?: boolean
}

export async function mediaPeer (opts: PeerOptions = {}): Promise<MediaPeer> {
  const violations = new ViolationLog()
  const services: Record<string, unknown> = { identify: identify() }
  if (opts.bare !== true) services.callMedia = callMedia({ reputation: violations, ...opts.media })
  if (opts.relay != null) {
    services.circuitRelay = circuitRelayServer()
    services.callRelay = callRelay({ reputation: violations, ...opts.relay })
  }
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', ...(opts.circuit === true ? ['/p2p-circuit'] : [])] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: services as any
  }) as unknown as MediaPeer['node']
  running.push(node)
  return { node, id: node.peerId.toString(), media: node.services.callMedia, relay: node.services.callRelay, violations }
}

export async function until (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

/** Connect directly and wait until `from` knows `to` speaks `protocol`. */
export async function connect (from: MediaPeer, to: MediaPeer, protocol = '/wgt/call-media/1.0.0'): Promise<void> {
  await from.node.dial(to.node.getMultiaddrs()[0])
  await until(`${to.id} known to speak ${protocol}`, async () =>
    await from.node.peerStore.get(to.node.peerId).then(p => p.protocols.includes(protocol), () => false))
}

/** B reserves a slot on relay R; answers B's circuit address. */
export async function reserveOn (b: MediaPeer, r: MediaPeer): Promise<string> {
  await b.node.dial(r.node.getMultiaddrs()[0])
  let addr: string | undefined
  await until('a circuit address', () => {
    addr = b.node.getMultiaddrs().map(a => a.toString()).find(a => a.includes('/p2p-circuit'))
    return addr != null
  })
  return addr as string
}

export const newCallId = (): string => randomBytes(16).toString('hex')
export const newKey = (): Uint8Array => new Uint8Array(randomBytes(32))

/** A dgram socket standing in for a renderer: what it received, in order. */
export class Renderer {
  readonly received: Buffer[] = []
  private readonly socket: Socket

  private constructor (socket: Socket) {
    this.socket = socket
    socket.on('message', msg => { this.received.push(msg) })
  }

  static async open (address = '127.0.0.1'): Promise<Renderer> {
    const socket = createSocket('udp4')
    await new Promise<void>(resolve => socket.bind(0, address, resolve))
    const r = new Renderer(socket)
    running.push({ stop: () => { r.close() } })
    return r
  }

  async send (port: number, data: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => { this.socket.send(data, port, '127.0.0.1', err => { if (err != null) reject(err); else resolve() }) })
  }

  get bytes (): number { return this.received.reduce((n, b) => n + b.byteLength, 0) }

  close (): void {
    try { this.socket.close() } catch { /* closed already */ }
  }
}

/**
 * Renderer-like start: WebRTC's ICE checks go out from both sides until each
 * hears the other; here each side sends a probe until the far renderer has
 * one (the first probes may find the far node with no renderer latched yet).
 */
export async function latch (a: Renderer, aPort: number, b: Renderer, bPort: number): Promise<void> {
  const probe = Buffer.from('probe')
  await until('both renderers hear each other', async () => {
    if (b.received.length === 0) await a.send(aPort, probe)
    if (a.received.length === 0) await b.send(bPort, probe)
    return a.received.length > 0 && b.received.length > 0
  }, 15_000, 50)
  a.received.length = 0
  b.received.length = 0
}

/** Send `count` datagrams of `size` bytes, at most `window` not yet received, so no socket buffer overflows. */
export async function pump (from: Renderer, port: number, to: Renderer, count: number, size: number, window = 16): Promise<void> {
  const start = to.received.length
  for (let i = 0; i < count; i++) {
    await until('the window to open', () => i - (to.received.length - start) < window, 15_000, 1)
    const d = Buffer.alloc(size, i & 0xff)
    d.writeUInt32BE(i, 0)
    await from.send(port, d)
  }
  await until(`${count} datagrams to arrive`, () => to.received.length - start >= count, 15_000, 5)
}

/** Until the far side has ended the stream, closed (its write end) or aborted. */
export async function untilFarEnded (stream: Stream): Promise<void> {
  await until('the far side to end the stream', () => stream.status !== 'open' || stream.remoteWriteStatus !== 'writable')
}

/** Open `protocol` to `addr` from a raw node, write `hello` (or raw bytes), and read one reply. */
export async function rawHello (node: Libp2p, addr: string, protocol: string, hello: MediaHello | Uint8Array): Promise<{ stream: Stream, status: MediaReply.Status | null }> {
  const stream = await node.dialProtocol(multiaddr(addr), protocol, { signal: AbortSignal.timeout(10_000) })
  const lp = lpStream(stream, { maxDataLength: 64 })
  await lp.write(hello instanceof Uint8Array ? hello : MediaHello.encode(hello), { signal: AbortSignal.timeout(10_000) })
  let status: MediaReply.Status | null = null
  try {
    status = MediaReply.decode(await lp.read({ signal: AbortSignal.timeout(10_000) })).status
  } catch {
    // no reply: the stream was ended
  }
  return { stream: lp.unwrap(), status }
}

/** A Binding Request as Chromium sends one: USERNAME, then MESSAGE-INTEGRITY with `pwd`. */
export function bindingRequest (username: string, pwd: string): Buffer {
  const name = Buffer.from(username)
  const padded = Buffer.alloc(Math.ceil(name.length / 4) * 4)
  name.copy(padded)
  const attr = Buffer.concat([Buffer.from([0x00, 0x06, 0, name.length]), padded])
  const header = Buffer.alloc(20)
  header.writeUInt16BE(0x0001, 0)
  header.writeUInt16BE(attr.length + 24, 2)
  header.writeUInt32BE(0x2112a442, 4)
  header.fill(7, 8)
  const signed = Buffer.concat([header, attr])
  const mac = createHmac('sha1', pwd).update(signed).digest()
  return Buffer.concat([signed, Buffer.from([0x00, 0x08, 0x00, 0x14]), mac])
}
