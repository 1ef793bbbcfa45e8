import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p, Stream } from '@libp2p/interface'
import { trafficMeter, type TrafficMeter } from '../traffic.js'
import { makeNode, waitFor } from './nodes.js'

const started: Libp2p[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async n => { await n.stop() })) })

async function meteredNode (): Promise<{ node: Libp2p, meter: TrafficMeter }> {
  const meter = trafficMeter()
  const node = await makeNode({}, { metrics: meter.factory }) as unknown as Libp2p
  started.push(node)
  return { node, meter }
}

const SINK = '/wgt-test/sink/1.0.0'
const N = 1024 * 1024

describe('traffic', () => {
  it('counts the bytes of a real stream, in the right direction, on both sides', async () => {
    const { node: a, meter: ma } = await meteredNode()
    const { node: b, meter: mb } = await meteredNode()
    let received = 0
    await b.handle(SINK, async (stream: Stream) => {
      for await (const chunk of stream) received += chunk.byteLength
      await stream.close()
    })
    await a.dial(b.getMultiaddrs()[0])
    const A = a.peerId.toString()
    const B = b.peerId.toString()
    ma.sample(0)
    mb.sample(0)
    const before = { aOut: ma.traffic(B).outTotal, bIn: mb.traffic(A).inTotal, aIn: ma.traffic(B).inTotal }

    const stream = await a.dialProtocol(b.peerId, SINK)
    const chunk = new Uint8Array(64 * 1024).fill(7)
    for (let sent = 0; sent < N; sent += chunk.byteLength) {
      if (!stream.send(chunk)) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
    }
    await stream.close()
    await waitFor(() => received === N, 10_000, 'b to receive everything')
    await waitFor(() => mb.traffic(A).inTotal - before.bIn >= N, 5000, 'b to count it')
    ma.sample(1000)
    mb.sample(1000)

    const aSent = ma.traffic(B).outTotal - before.aOut
    const bGot = mb.traffic(A).inTotal - before.bIn
    // at least the payload, at most payload plus noise/yamux framing (well under 10%)
    expect(aSent).toBeGreaterThanOrEqual(N)
    expect(aSent).toBeLessThan(N * 1.1)
    expect(bGot).toBeGreaterThanOrEqual(N)
    expect(bGot).toBeLessThan(N * 1.1)
    // the other direction carried only acks and window updates
    expect(ma.traffic(B).inTotal - before.aIn).toBeLessThan(N / 10)
    expect(ma.traffic(B).outBps).toBeGreaterThanOrEqual(N)
    expect(mb.traffic(A).inBps).toBeGreaterThanOrEqual(N)
    // totals include everything the peer sees; one peer here, so they match the per-peer figure
    expect(ma.totals().outTotal).toBe(ma.traffic(B).outTotal)
    expect(mb.totals().inTotal).toBe(mb.traffic(A).inTotal)
    expect(ma.untrackedConnections()).toBe(0)
    // the handshake happened before the peer was known, and was credited to it
    expect(before.aOut).toBeGreaterThan(0)
    expect(before.aIn).toBeGreaterThan(0)
  })

  it('records libp2p\'s own metrics in the node\'s registry', async () => {
    const { node: a, meter } = await meteredNode()
    const { node: b } = await meteredNode()
    await a.dial(b.getMultiaddrs()[0])
    const text = await meter.registry.metrics()
    expect(text).toMatch(/^libp2p_connection_manager_connections\{key="inbound"|^libp2p_connection_manager_connections\{key="outbound"\} 1$/m)
  })

  it('returns zeros for an unknown peer and computes no rate before two samples', () => {
    const meter = trafficMeter()
    expect(meter.traffic('nobody')).toEqual({ inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 })
    meter.sample(5)
    expect(meter.totals()).toEqual({ inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 })
  })
})
