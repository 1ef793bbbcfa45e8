/**
 * The call relay between real libp2p nodes: A and B reach each other only
 * through a circuit relay connection (limited: 2 min / 128 KiB), and their
 * tunnel runs through R's /wgt/call-relay/1.0.0 over A–R and R–B, past the
 * circuit's data limit, within R's cap.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import type { Tunnel } from '../tunnel.js'
import { RELAY_PROTOCOL } from '../wire.js'
import { connect, latch, mediaPeer, newCallId, newKey, pump, Renderer, reserveOn, stopAll, until, type MediaPeer, type PeerOptions } from './helpers.js'

afterEach(stopAll)

/** A and B each connected to R; A reaches B only through a circuit relay connection. */
async function relayed (relay: PeerOptions['relay'], aOpts: PeerOptions = {}): Promise<{ a: MediaPeer, b: MediaPeer, r: MediaPeer }> {
  const r = await mediaPeer({ relay, bare: true })
  const [a, b] = await Promise.all([mediaPeer(aOpts), mediaPeer({ circuit: true })])
  const circuit = await reserveOn(b, r)
  await connect(a, r, RELAY_PROTOCOL)
  await a.node.dial(multiaddr(circuit))
  const conns = a.node.getConnections(b.node.peerId)
  expect(conns.length).toBe(1)
  // the relayed connection carries the circuit relay's limits: media must not ride it
  expect(conns[0].limits).toBeDefined()
  return { a, b, r }
}

describe('the call relay', () => {
  it('carries a call past the circuit relay\'s 128 KiB, both ways, and reports the route as relay', async () => {
    const { a, b, r } = await relayed({ maxKbps: 100_000 })
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(await ta.ready).toBe('relay')
    expect(await tb.ready).toBe('relay')

    const [ra, rb] = await Promise.all([Renderer.open(), Renderer.open()])
    await latch(ra, ta.port, rb, tb.port)
    // 200 × 1 KiB one way and 50 back: well past the circuit's 128 KiB
    await pump(ra, ta.port, rb, 200, 1024)
    await pump(rb, tb.port, ra, 50, 1024)
    expect(rb.received.map(d => d.readUInt32BE(0))).toEqual([...Array(200).keys()])
    expect(ra.received.length).toBe(50)
    const stats = r.relay!.stats()
    expect(stats.forwardedBytes).toBeGreaterThan(128 * 1024 + 50 * 1024)
    expect(stats.circuits).toBe(1)
    expect(stats.dropped).toBe(0)
    // the limited connection is still there and carried none of it
    expect(a.node.getConnections(b.node.peerId).every(c => c.limits != null)).toBe(true)

    // hanging up closes the circuit on the relay
    ta.close()
    await until('the circuit closed', () => r.relay!.stats().circuits === 0)
    tb.close()
    expect([a, b, r].flatMap(p => p.violations.entries)).toEqual([])
  })

  it('drops datagrams over its cap and forwards no more than the cap allows', async () => {
    // the clock stands still: the buckets hold what they start with and never refill
    const { a, b, r } = await relayed({ maxKbps: 1000, burstMs: 500, now: () => 0 })
    const capacity = 1000 * 1000 / 8 * 0.5
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(await ta.ready).toBe('relay')
    await tb.ready
    const ra = await Renderer.open()
    const rb = await Renderer.open()
    // B's renderer is latched first so that whatever passes the relay reaches it
    await rb.send(tb.port, Buffer.from('latch'))
    await until('the latch datagram through', () => r.relay!.stats().forwardedDatagrams + r.relay!.stats().dropped >= 1)

    const sent = 150
    for (let i = 0; i < sent; i++) {
      await ra.send(ta.port, Buffer.alloc(1000, 1))
      // one at a time: every datagram reaches the relay, and what it drops is its cap's doing
      await until('A took it', () => ta.stats().datagramsOut + ta.stats().dropped >= i + 1, 15_000, 1)
    }
    await until('the relay saw them all', () => {
      const s = r.relay!.stats()
      return s.forwardedDatagrams + s.dropped >= sent + 1
    })
    const s = r.relay!.stats()
    expect(s.dropped).toBeGreaterThan(0)
    expect(s.forwardedBytes).toBeLessThanOrEqual(capacity)
    expect(s.forwardedBytes).toBeGreaterThan(capacity - 2000)
    expect(ta.stats().datagramsOut).toBe(sent)
    // all but the latch datagram (5 bytes, the other way) went to B
    await until('B received what passed', () => rb.bytes === s.forwardedBytes - 5)
    expect(tb.stats().bytesIn).toBe(rb.bytes)
  })

  it('closes a circuit that carries nothing for idleMs, freeing its slot', async () => {
    let clock = 0
    const { a, b, r } = await relayed({ maxKbps: 100_000, idleMs: 200, now: () => clock })
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(await ta.ready).toBe('relay')
    await tb.ready
    expect(r.relay!.stats().circuits).toBe(1)
    // the relay's clock moves on with nothing carried: the circuit goes at its next check
    clock = 1000
    await until('the idle circuit closed', () => r.relay!.stats().circuits === 0)
    ta.close()
    tb.close()
    expect([a, b, r].flatMap(p => p.violations.entries)).toEqual([])
  })

  it('finds the relay from the callee\'s circuit address alone, with no connection to either', async () => {
    const r = await mediaPeer({ relay: { maxKbps: 100_000 }, bare: true })
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer({ circuit: true })])
    const circuit = await reserveOn(b, r)
    await a.node.peerStore.merge(b.node.peerId, { multiaddrs: [multiaddr(circuit)] })
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(await ta.ready).toBe('relay')
    expect(await tb.ready).toBe('relay')
    expect(r.relay!.stats().circuits).toBe(1)
    ta.close()
    tb.close()
  })

  it('re-attaches through the relay when the direct connection drops', async () => {
    const { a, b, r } = await relayed({ maxKbps: 100_000 }, { media: { reattachEveryMs: 100 } })
    // a direct connection too: the tunnel takes it first
    await connect(a, b)
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(await ta.ready).toBe('libp2p')
    const [ra, rb] = await Promise.all([Renderer.open(), Renderer.open()])
    await latch(ra, ta.port, rb, tb.port)

    // the direct connection dies; the limited one through R stays
    for (const c of a.node.getConnections(b.node.peerId).filter(c => c.limits == null)) c.abort(new Error('cable pulled'))
    await until('a relayed circuit', () => r.relay!.stats().circuits === 1)
    await pump(ra, ta.port, rb, 20, 500)
    await pump(rb, tb.port, ra, 20, 500)
    expect(rb.received.length).toBe(20)
    expect((ta as Tunnel).route).toBe('relay')
    expect((tb as Tunnel).route).toBe('relay')
    ta.close()
    tb.close()
  })
})
