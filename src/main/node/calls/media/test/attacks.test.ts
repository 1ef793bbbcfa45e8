/**
 * Hostile peers against the call media and call relay protocols: streams for
 * calls that are not open, from peers not in the call, with bad proofs,
 * malformed or oversized hellos and frames, relay requests for peers the
 * relay is not connected to or in another peer's name, and more circuits
 * than the relay holds.
 */
import { randomBytes } from 'node:crypto'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { MEDIA_PROTOCOL, MediaHello, mediaProof, MediaReply, RELAY_PROTOCOL } from '../wire.js'
import { connect, mediaPeer, newCallId, newKey, rawHello, Renderer, reserveOn, stopAll, until, untilFarEnded, type MediaPeer } from './helpers.js'

afterEach(stopAll)

const addrOf = (p: MediaPeer): string => p.node.getMultiaddrs()[0].toString()
const hello = (callId: string, from: string, to: string, key: Uint8Array, via = ''): MediaHello =>
  ({ callId, from, to, proof: Uint8Array.from(mediaProof(key, callId, from, to, via)) })

async function callee (): Promise<{ b: MediaPeer, x: MediaPeer }> {
  const [b, x] = await Promise.all([mediaPeer(), mediaPeer({ bare: true })])
  return { b, x }
}

describe('call media against a hostile peer', () => {
  it('a stream for a call that is not open gets UNKNOWN_CALL and counts against nobody (it races with hang-up)', async () => {
    const { b, x } = await callee()
    const { stream, status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(newCallId(), x.id, b.id, newKey()))
    expect(status).toBe(MediaReply.Status.UNKNOWN_CALL)
    await untilFarEnded(stream)
    expect(b.violations.entries).toEqual([])
  })

  it('a caller\'s own tunnel takes no inbound stream', async () => {
    const { b, x } = await callee()
    const callId = newCallId()
    const key = newKey()
    const t = b.media.open({ callId, peerId: x.id, key, dial: true })
    const { status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(callId, x.id, b.id, key))
    expect(status).toBe(MediaReply.Status.UNKNOWN_CALL)
    t.close()
  })

  it('a stream from a peer not in the call is refused and counted; the real caller still attaches', async () => {
    const [{ b, x }, a] = await Promise.all([callee(), mediaPeer()])
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const { stream, status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(callId, x.id, b.id, newKey()))
    expect(status).toBe(MediaReply.Status.REFUSED)
    await untilFarEnded(stream)
    await until('the violation counted', () => b.violations.entries.length > 0)
    expect(b.violations.entries[0]).toMatchObject({ peerId: x.id, reason: expect.stringMatching(/another peer/) })

    await connect(a, b)
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(await ta.ready).toBe('libp2p')
    expect(await tb.ready).toBe('libp2p')
    ta.close()
    tb.close()
  })

  it('the call\'s peer with a bad proof is refused and counted', async () => {
    const { b, x } = await callee()
    const callId = newCallId()
    const tb = b.media.open({ callId, peerId: x.id, key: newKey(), dial: false })
    const { status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(callId, x.id, b.id, newKey()))
    expect(status).toBe(MediaReply.Status.REFUSED)
    await until('the violation counted', () => b.violations.entries.length > 0)
    expect(b.violations.entries[0]).toMatchObject({ peerId: x.id, reason: expect.stringMatching(/bad proof/) })
    tb.close()
  })

  it('a relayed hello with a bad proof is refused but not counted against the relay, which cannot check proofs', async () => {
    const [{ b, x }, a] = await Promise.all([callee(), mediaPeer()])
    const callId = newCallId()
    const tb = b.media.open({ callId, peerId: a.id, key: newKey(), dial: false })
    // X passes a hello in A's name, as a relay would
    const { status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(callId, a.id, b.id, newKey()))
    expect(status).toBe(MediaReply.Status.REFUSED)
    expect(b.violations.entries).toEqual([])
    tb.close()
  })

  it('a relay cannot replay a hello made for the direct route or for another relay', async () => {
    const [{ b, x }, a] = await Promise.all([callee(), mediaPeer()])
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    // X saw A's direct hello, and one A made for relay Y: neither opens a stream through X
    for (const seen of [hello(callId, a.id, b.id, key), hello(callId, a.id, b.id, key, a.id)]) {
      const { status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, seen)
      expect(status).toBe(MediaReply.Status.REFUSED)
    }
    // the one A made for X does
    const { status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(callId, a.id, b.id, key, x.id))
    expect(status).toBe(MediaReply.Status.OK)
    expect(b.violations.entries).toEqual([])
    tb.close()
  })

  it('malformed, misaddressed and oversized hellos are violations', async () => {
    const { b, x } = await callee()
    const garbage = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, Uint8Array.from([0xff, 0xff, 0xff, 0x01, 0x02]))
    expect(garbage.status).toBeNull()
    const badId = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, { callId: 'nope', from: x.id, to: b.id, proof: new Uint8Array(32) })
    expect(badId.status).toBeNull()
    const other = await mediaPeer({ bare: true })
    const elsewhere = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(newCallId(), x.id, other.id, newKey()))
    expect(elsewhere.status).toBeNull()
    const big = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, MediaHello.encode({ callId: newCallId(), from: x.id, to: b.id, proof: new Uint8Array(2000) }))
    expect(big.status).toBeNull()
    await until('four violations', () => b.violations.entries.length >= 4)
    expect(b.violations.entries.every(e => e.peerId === x.id)).toBe(true)
    expect(b.violations.entries.map(e => e.reason).join('\n')).toMatch(/malformed media hello[\s\S]*malformed call id[\s\S]*another peer[\s\S]*(overflow|length)/i)
  })

  it('an oversized frame after a good hello ends the stream and is counted; the datagram before it went through', async () => {
    const { b, x } = await callee()
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: x.id, key, dial: false })
    const rb = await Renderer.open()
    await rb.send(tb.port, Buffer.from('latch'))
    await until('B latched its renderer', () => tb.stats().dropped >= 1)
    const { stream, status } = await rawHello(x.node, addrOf(b), MEDIA_PROTOCOL, hello(callId, x.id, b.id, key))
    expect(status).toBe(MediaReply.Status.OK)
    expect(await tb.ready).toBe('libp2p')
    stream.send(Uint8Array.from([0, 3, 1, 2, 3]))
    await until('the good datagram delivered', () => rb.received.length === 1)
    stream.send(Uint8Array.from([0x07, 0xd0, ...new Uint8Array(2000)]))
    await untilFarEnded(stream)
    await until('the violation counted', () => b.violations.entries.length > 0)
    expect(b.violations.entries[0]).toMatchObject({ peerId: x.id, reason: expect.stringMatching(/2000 bytes/) })
    expect(rb.received.map(d => [...d])).toEqual([[1, 2, 3]])
    tb.close()
  })

  it('the caller counts a callee that sends oversized frames', async () => {
    const [a, x] = await Promise.all([mediaPeer(), mediaPeer({ bare: true })])
    await x.node.handle(MEDIA_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(MediaReply.encode({ status: MediaReply.Status.OK }))
      lp.unwrap().send(Uint8Array.from([0xff, 0xff, ...new Uint8Array(100)]))
    })
    await a.node.dial(x.node.getMultiaddrs()[0])
    const t = a.media.open({ callId: newCallId(), peerId: x.id, key: newKey(), dial: true })
    expect(await t.ready).toBe('libp2p')
    await until('the violation counted', () => a.violations.entries.length > 0)
    expect(a.violations.entries[0]).toMatchObject({ peerId: x.id, reason: expect.stringMatching(/65535 bytes/) })
    t.close()
  })
})

describe('the call relay against a hostile peer', () => {
  it('refuses a circuit to a peer it is not connected to, and does not dial it', async () => {
    const [r, x, y] = await Promise.all([mediaPeer({ relay: { maxKbps: 1000 }, bare: true }), mediaPeer({ bare: true }), mediaPeer()])
    // R knows where Y is, but is not connected to it
    await r.node.peerStore.merge(y.node.peerId, { multiaddrs: y.node.getMultiaddrs() })
    const { stream, status } = await rawHello(x.node, addrOf(r), RELAY_PROTOCOL, hello(newCallId(), x.id, y.id, newKey()))
    expect(status).toBe(MediaReply.Status.UNREACHABLE)
    await untilFarEnded(stream)
    expect(r.node.getConnections(y.node.peerId)).toEqual([])
    expect(y.node.getConnections()).toEqual([])
    expect(r.relay!.stats()).toMatchObject({ circuits: 0, refused: 1 })
    expect(r.violations.entries).toEqual([])
  })

  it('refuses to relay a hello in another peer\'s name, or to itself, and counts it', async () => {
    const [r, x, y] = await Promise.all([mediaPeer({ relay: { maxKbps: 1000 }, bare: true }), mediaPeer({ bare: true }), mediaPeer()])
    const forged = await rawHello(x.node, addrOf(r), RELAY_PROTOCOL, hello(newCallId(), y.id, r.id, newKey()))
    expect(forged.status).toBeNull()
    const loop = await rawHello(x.node, addrOf(r), RELAY_PROTOCOL, hello(newCallId(), x.id, r.id, newKey()))
    expect(loop.status).toBeNull()
    await until('two violations', () => r.violations.entries.length >= 2)
    expect(r.violations.entries.map(e => e.peerId)).toEqual([x.id, x.id])
  })

  it('holds no more circuits than its maximum, and no more for one caller than its share', async () => {
    const r = await mediaPeer({ relay: { maxKbps: 10_000, maxCircuits: 2, maxCircuitsPerPeer: 2 }, bare: true })
    const [a, c, b] = await Promise.all([mediaPeer({ media: { retryDelaysMs: [0, 20] } }), mediaPeer({ media: { retryDelaysMs: [0, 20] } }), mediaPeer({ circuit: true })])
    const circuit = await reserveOn(b, r)
    for (const caller of [a, c]) {
      await connect(caller, r, RELAY_PROTOCOL)
      await caller.node.dial(multiaddr(circuit))
    }
    const key = newKey()
    const call = (caller: MediaPeer): { callId: string, open: () => ReturnType<MediaPeer['media']['open']> } => {
      const callId = newCallId()
      b.media.open({ callId, peerId: caller.id, key, dial: false })
      return { callId, open: () => caller.media.open({ callId, peerId: b.id, key, dial: true }) }
    }
    // A takes both circuits; a third, from A or from C, finds the relay full
    expect(await call(a).open().ready).toBe('relay')
    expect(await call(a).open().ready).toBe('relay')
    await expect(call(a).open().ready).rejects.toMatchObject({ code: 'PEER_UNREACHABLE', message: expect.stringMatching(/no free circuit/) })
    await expect(call(c).open().ready).rejects.toMatchObject({ code: 'PEER_UNREACHABLE', message: expect.stringMatching(/no free circuit/) })
    expect(r.relay!.stats().circuits).toBe(2)
    expect(r.relay!.stats().refused).toBeGreaterThanOrEqual(4)
  })

  it('holds no more circuits for one caller than its per-peer share', async () => {
    const r = await mediaPeer({ relay: { maxKbps: 10_000, maxCircuitsPerPeer: 1 }, bare: true })
    const [a, b] = await Promise.all([mediaPeer({ media: { retryDelaysMs: [0, 20] } }), mediaPeer({ circuit: true })])
    const circuit = await reserveOn(b, r)
    await connect(a, r, RELAY_PROTOCOL)
    await a.node.dial(multiaddr(circuit))
    const key = newKey()
    const open = (): ReturnType<MediaPeer['media']['open']> => {
      const callId = newCallId()
      b.media.open({ callId, peerId: a.id, key, dial: false })
      return a.media.open({ callId, peerId: b.id, key, dial: true })
    }
    expect(await open().ready).toBe('relay')
    await expect(open().ready).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    expect(r.relay!.stats().circuits).toBe(1)
  })

  it('a flood of circuit requests for calls the callee does not have leaves nothing open', async () => {
    const r = await mediaPeer({ relay: { maxKbps: 10_000, maxCircuits: 4 }, bare: true })
    const [x, b] = await Promise.all([mediaPeer({ bare: true }), mediaPeer({ circuit: true })])
    await reserveOn(b, r)
    const results = await Promise.all(Array.from({ length: 12 }, async () =>
      await rawHello(x.node, addrOf(r), RELAY_PROTOCOL, hello(newCallId(), x.id, b.id, new Uint8Array(randomBytes(32))))))
    for (const { status } of results) expect([MediaReply.Status.UNKNOWN_CALL, MediaReply.Status.BUSY, null]).toContain(status)
    expect(results.some(r => r.status === MediaReply.Status.UNKNOWN_CALL)).toBe(true)
    await until('no circuit left', () => r.relay!.stats().circuits === 0)
    // the relay ended every one of them: what is left open is the hostile side's half
    for (const { stream } of results) await untilFarEnded(stream)
    await until('no media stream between relay and callee', () =>
      b.node.getConnections().flatMap(c => c.streams).every(s => s.protocol !== MEDIA_PROTOCOL))
    expect(b.violations.entries).toEqual([])
  })
})
