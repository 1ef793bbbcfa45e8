/**
 * /wgt/call/1.0.0 between real libp2p nodes on 127.0.0.1 (in this process),
 * and what it does with a hostile peer: oversized frames, garbage, fields out
 * of bounds, floods of rings, and a responder that answers nonsense. Every
 * malformed message counts against its sender and reaches no call.
 */
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { Connection, Libp2p } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { hostilePeer, sendRaw, untilEnded } from '../../../../../test/helpers/hostile.js'
import { MAX_SDP_BYTES } from '../../../../shared/api/index.js'
import { makeNode, ViolationLog, waitFor } from '../../metrics/test/nodes.js'
import { EXPIRY_MARGIN_MS, pickConnection } from '../../wire/index.js'
import { CALL_PROTOCOL, CallMessage, CallReply, callService, MAX_MESSAGE_BYTES, toWire, type CallService, type CheckedMessage } from '../call-service.js'

interface Peer { node: Libp2p<{ call: CallService }>, id: string, violations: ViolationLog, received: Array<{ from: string, message: CheckedMessage }> }

const running: Libp2p[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => { await n.stop() })) })

/** `relayed`: with the circuit relay transport, listening on nothing but (`listenCircuit`) a slot on the relays it connects to */
async function peer (relayed: { listenCircuit?: boolean } | null = null): Promise<Peer> {
  const violations = new ViolationLog()
  const extra = relayed == null
    ? {}
    : { transports: [tcp(), circuitRelayTransport()], addresses: { listen: relayed.listenCircuit === true ? ['/p2p-circuit'] : [] } }
  const node = await makeNode({ call: callService({ reputation: violations }) }, extra) as unknown as Libp2p<{ call: CallService }>
  running.push(node)
  const received: Peer['received'] = []
  node.services.call.receiver = {
    receive: async (from, message) => {
      received.push({ from, message })
      return { status: CallReply.Status.OK, reason: '' }
    }
  }
  return { node, id: node.peerId.toString(), violations, received }
}

const CALL_ID = '0123456789abcdef0123456789abcdef'
const KEY = new Uint8Array(32).fill(7)
const frame = (m: Partial<CallMessage>): Uint8Array => CallMessage.encode({ kind: CallMessage.Kind.RING, callId: Buffer.from(CALL_ID, 'hex'), video: false, key: KEY, tunnel: false, ...m })

/** One raw message from a hostile node; answers the reply, or null when the stream was cut. */
async function raw (from: Libp2p, to: Peer, bytes: Uint8Array): Promise<CallReply | null> {
  const stream = await from.dialProtocol(multiaddr(to.node.getMultiaddrs()[0].toString()), CALL_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const lp = lpStream(stream, { maxDataLength: 1024 })
  try {
    await lp.write(bytes, { signal: AbortSignal.timeout(10_000) })
    return CallReply.decode(await lp.read({ signal: AbortSignal.timeout(10_000) }))
  } catch {
    return null
  } finally {
    await stream.close().catch(() => {})
  }
}

describe('/wgt/call/1.0.0', () => {
  it('carries every kind of message whole, and the reply back', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    await a.node.dial(b.node.getMultiaddrs()[0])
    const messages: CheckedMessage[] = [
      { kind: 'ring', callId: CALL_ID, video: true, key: KEY, tunnel: true },
      { kind: 'accept', callId: CALL_ID, tunnel: true },
      { kind: 'signal', callId: CALL_ID, signal: { kind: 'offer', sdp: 'v=0\r\n'.repeat(1000) } },
      { kind: 'signal', callId: CALL_ID, signal: { kind: 'candidate', candidate: 'candidate:1 1 udp 16777215 127.0.0.1 4000 typ relay raddr 0.0.0.0 rport 0', sdpMid: '0', sdpMLineIndex: 0 } },
      { kind: 'signal', callId: CALL_ID, signal: { kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null } },
      { kind: 'decline', callId: CALL_ID },
      { kind: 'cancel', callId: CALL_ID },
      { kind: 'hangup', callId: CALL_ID }
    ]
    for (const m of messages) expect(await a.node.services.call.send(b.id, m)).toEqual({ status: CallReply.Status.OK, reason: '' })
    expect(b.received.map(r => r.from)).toEqual(messages.map(() => a.id))
    expect(b.received.map(r => ({ ...r.message, ...('key' in r.message ? { key: [...r.message.key] } : {}) })))
      .toEqual(messages.map(m => ({ ...m, ...('key' in m ? { key: [...m.key] } : {}) })))
    expect(b.violations.entries).toEqual([])
  })

  it('sends every message on the relayed connection the two have, dialling no new circuit for it (either way)', async () => {
    // libp2p's openStream reuses only unlimited connections: to a peer reachable only through a
    // relay it dialled a new circuit per message, which under load failed or lost the message
    const relay = await makeNode({ relay: circuitRelayServer() }, { transports: [tcp()] })
    running.push(relay)
    const [a, b] = await Promise.all([peer({}), peer({ listenCircuit: true })])
    await b.node.dial(relay.getMultiaddrs()[0])
    await waitFor(() => b.node.getMultiaddrs().some(m => m.toString().includes('/p2p-circuit')), 10_000, 'a slot on the relay')
    const circuit = b.node.getMultiaddrs().find(m => m.toString().includes('/p2p-circuit'))!
    const conn = await a.node.dial(circuit)
    expect(conn.limits).toBeDefined()
    await waitFor(() => b.node.getConnections(a.node.peerId).length === 1, 10_000, 'B to see the circuit')
    const opened: Connection[] = []
    for (const p of [a, b]) p.node.addEventListener('connection:open', e => { opened.push(e.detail) })
    const ok = { status: CallReply.Status.OK, reason: '' }
    for (let i = 0; i < 5; i++) {
      expect(await a.node.services.call.send(b.id, { kind: 'signal', callId: CALL_ID, signal: { kind: 'offer', sdp: `v=${i}` } })).toEqual(ok)
      expect(await b.node.services.call.send(a.id, { kind: 'hangup', callId: CALL_ID })).toEqual(ok)
    }
    expect(b.received).toHaveLength(5)
    expect(a.received).toHaveLength(5)
    expect(opened).toEqual([])
    expect(a.node.getConnections(b.node.peerId).map(c => c.id)).toEqual([conn.id])
  })

  it('picks an unlimited connection first, else the oldest limited one with time left', () => {
    const now = 1_000_000
    const c = (id: string, open: number, limits?: { seconds?: number }, direct = false): Connection => ({ id, limits, direct, timeline: { open } }) as unknown as Connection
    const old = c('old', now - 60_000, { seconds: 120 })
    const young = c('young', now - 1000, { seconds: 120 })
    const ending = c('ending', now - 120_000 + EXPIRY_MARGIN_MS - 1, { seconds: 120 })
    expect(pickConnection([young, old], now)?.id).toBe('old')
    expect(pickConnection([ending, young], now)?.id).toBe('young')
    expect(pickConnection([ending], now)).toBeUndefined()
    expect(pickConnection([old, c('relayed', now, undefined), c('direct', now, undefined, true)], now)?.id).toBe('direct')
    expect(pickConnection([old, c('relayed', now, undefined)], now)?.id).toBe('relayed')
    expect(pickConnection([], now)).toBeUndefined()
  })

  it('cuts and counts oversized frames, garbage, and fields no honest peer sends; the registry sees none of them', async () => {
    const b = await peer()
    const hostile = await hostilePeer()
    running.push(hostile)
    const addr = b.node.getMultiaddrs()[0].toString()
    // declares more than the largest message: cut before anything is allocated
    const declared = await sendRaw(hostile, addr, CALL_PROTOCOL, Uint8Array.from([0xff, 0xff, 0xff, 0x7f]))
    await untilEnded(declared)
    const bad: Array<Partial<CallMessage>> = [
      { callId: new Uint8Array(3) },
      { key: new Uint8Array(5) },
      { kind: CallMessage.Kind.SIGNAL },
      { kind: CallMessage.Kind.SIGNAL, signal: { kind: 'OFFER' as never, sdp: '', candidate: '' } },
      { kind: CallMessage.Kind.SIGNAL, signal: { kind: 'OFFER' as never, sdp: 'x'.repeat(MAX_SDP_BYTES + 1), candidate: '' } },
      { kind: CallMessage.Kind.SIGNAL, signal: { kind: 'CANDIDATE' as never, sdp: '', candidate: 'c'.repeat(1025) } },
      { kind: CallMessage.Kind.SIGNAL, signal: { kind: 'CANDIDATE' as never, sdp: '', candidate: 'c', sdpMLineIndex: 65 } },
      { kind: CallMessage.Kind.SIGNAL, signal: { kind: 'CANDIDATE' as never, sdp: '', candidate: 'c', sdpMid: 'm'.repeat(65) } }
    ]
    for (const m of bad) expect(await raw(hostile, b, frame(m))).toBeNull()
    // not protobuf at all; an enum value that does not exist
    expect(await raw(hostile, b, Uint8Array.from([0x0f, 0xff, 0xff]))).toBeNull()
    expect(await raw(hostile, b, Uint8Array.from([0x08, 0x63, 0x12, 0x10, ...new Uint8Array(16)]))).toBeNull()
    expect(MAX_MESSAGE_BYTES).toBeGreaterThan(MAX_SDP_BYTES)
    await waitFor(() => b.violations.entries.length >= bad.length + 3, 10_000, 'the violations')
    expect(new Set(b.violations.entries.map(v => v.peerId))).toEqual(new Set([hostile.peerId.toString()]))
    expect(b.received).toEqual([])
    // and a well-formed message from it still goes through
    expect(await raw(hostile, b, frame({}))).toEqual({ status: CallReply.Status.OK, reason: '' })
  })

  it('takes only a few rings a minute from one peer, and refuses the rest with a reason', async () => {
    const b = await peer()
    const hostile = await hostilePeer()
    running.push(hostile)
    const replies = []
    for (let i = 0; i < 15; i++) replies.push(await raw(hostile, b, frame({ callId: Buffer.alloc(16, i) })))
    expect(replies.slice(0, 10).map(r => r?.status)).toEqual(Array(10).fill(CallReply.Status.OK))
    for (const r of replies.slice(10)) expect(r).toEqual({ status: CallReply.Status.REFUSED, reason: expect.stringContaining('too many call messages') })
    expect(b.received.length).toBe(10)
    expect(b.violations.entries).toEqual([])
  })

  it('fails an exchange whose responder answers nonsense, and counts it against the responder', async () => {
    const a = await peer()
    const liar = await hostilePeer()
    running.push(liar)
    await liar.handle(CALL_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(Uint8Array.from([0x08, 0x63]))
      await stream.close()
    })
    await a.node.dial(liar.getMultiaddrs()[0])
    await expect(a.node.services.call.send(liar.peerId.toString(), { kind: 'hangup', callId: CALL_ID })).rejects.toMatchObject({ code: 'PROTOCOL' })
    expect(a.violations.entries.map(v => v.peerId)).toEqual([liar.peerId.toString()])
  })

  it('refuses with a reason while no registry runs, and a stopped service takes no streams', async () => {
    const b = await peer()
    b.node.services.call.receiver = null
    const hostile = await hostilePeer()
    running.push(hostile)
    expect(await raw(hostile, b, frame({}))).toEqual({ status: CallReply.Status.REFUSED, reason: expect.stringContaining('not taking calls') })
    await b.node.services.call.stop()
    expect(b.node.getProtocols()).not.toContain(CALL_PROTOCOL)
    await expect(raw(hostile, b, frame({}))).rejects.toThrow()
    expect(toWire({ kind: 'hangup', callId: CALL_ID }).key.byteLength).toBe(0)
  })
})
