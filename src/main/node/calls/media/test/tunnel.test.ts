/**
 * The media tunnel between two real libp2p nodes on 127.0.0.1: datagrams from
 * a renderer's socket reach the other renderer's socket both ways; close and
 * stop free the UDP port and the streams.
 */
import { createSocket } from 'node:dgram'
import { networkInterfaces } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { MEDIA_PROTOCOL, MediaReply } from '../wire.js'
import { bindingRequest, connect, latch, mediaPeer, newCallId, newKey, pump, Renderer, stopAll, until, type MediaPeer } from './helpers.js'

afterEach(stopAll)

async function portFree (port: number): Promise<boolean> {
  const s = createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(port, '127.0.0.1', resolve) })
    return true
  } catch {
    return false
  } finally {
    try { s.close() } catch { /* never bound */ }
  }
}

const mediaStreams = (p: MediaPeer): number =>
  p.node.getConnections().flatMap(c => c.streams).filter(s => s.protocol === MEDIA_PROTOCOL).length

const udpSockets = (): number => process.getActiveResourcesInfo().filter(r => r === 'UDPWrap').length

describe('the call media tunnel', () => {
  it('once it knows the ICE credentials, serves only the local source that checks with them', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    await connect(a, b)
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    await Promise.all([ta.ready, tb.ready])
    // B's renderer answers checks with this password; A's renderer signs its checks with it
    const ice = { ufrag: 'AbCd', pwd: '0123456789abcdefghijklmn' }
    ta.expectIce(ice)
    const [ra, rb, intruder] = await Promise.all([Renderer.open(), Renderer.open(), Renderer.open()])
    await rb.send(tb.port, Buffer.from('latch'))
    // A has no renderer yet to give it to
    await until('B latched its renderer', () => ta.stats().dropped + ta.stats().datagramsIn >= 1)

    // another process on this machine: refused, before the renderer and after it
    const droppedBefore = ta.stats().dropped
    await intruder.send(ta.port, Buffer.from('junk'))
    await until('the intruder refused', () => ta.stats().dropped > droppedBefore)
    const check = bindingRequest('AbCd:WxYz', ice.pwd)
    await ra.send(ta.port, check)
    await until('the check reached B\'s renderer', () => rb.received.some(d => d.equals(check)))
    await ra.send(ta.port, Buffer.from('media'))
    await until('the proven renderer\'s media through', () => rb.received.some(d => d.toString() === 'media'))
    const droppedNow = ta.stats().dropped
    await intruder.send(ta.port, Buffer.from('more junk'))
    await until('the intruder refused again', () => ta.stats().dropped > droppedNow)
    // replies still go to the renderer, not to the intruder
    await rb.send(tb.port, Buffer.from('reply'))
    await until('the reply at A\'s renderer', () => ra.received.some(d => d.toString() === 'reply'))
    expect(intruder.received).toEqual([])
    expect(rb.received.some(d => d.toString().includes('junk'))).toBe(false)
    ta.close()
    tb.close()
  })

  it('carries datagrams renderer to renderer both ways over a direct libp2p connection', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    await connect(a, b)
    const callId = newCallId()
    const key = newKey()
    // the callee opens before it accepts, so the caller's stream always finds its tunnel
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    expect(ta.port).toBeGreaterThan(0)
    expect(tb.port).toBeGreaterThan(0)
    expect(await ta.ready).toBe('libp2p')
    expect(await tb.ready).toBe('libp2p')

    const [ra, rb] = await Promise.all([Renderer.open(), Renderer.open()])
    await latch(ra, ta.port, rb, tb.port)
    await pump(ra, ta.port, rb, 100, 1200)
    await pump(rb, tb.port, ra, 100, 1200)
    // in order and intact, both ways
    expect(rb.received.map(d => d.readUInt32BE(0))).toEqual([...Array(100).keys()])
    expect(ra.received.map(d => d.readUInt32BE(0))).toEqual([...Array(100).keys()])
    expect(rb.received.every(d => d.byteLength === 1200)).toBe(true)

    const sa = ta.stats()
    const sb = tb.stats()
    expect(sa.datagramsOut).toBeGreaterThanOrEqual(100)
    expect(sb.datagramsIn).toBeGreaterThanOrEqual(100)
    expect(sb.bytesIn).toBeGreaterThanOrEqual(120_000)
    expect(sa.bytesIn).toBeGreaterThanOrEqual(120_000)
  })

  it('refuses datagrams larger than 1500 bytes from the renderer', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    await connect(a, b)
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    await Promise.all([ta.ready, tb.ready])
    const [ra, rb] = await Promise.all([Renderer.open(), Renderer.open()])
    await latch(ra, ta.port, rb, tb.port)
    const before = ta.stats()
    await ra.send(ta.port, Buffer.alloc(1501))
    await until('the big datagram refused', () => ta.stats().dropped > before.dropped)
    expect(ta.stats().datagramsOut).toBe(before.datagramsOut)
    await pump(ra, ta.port, rb, 1, 1500)
    expect(rb.received.map(d => d.byteLength)).toEqual([1500])
  })

  // Chromium may send from a socket bound to the LAN address; the kernel keeps that source on the way to 127.0.0.1
  const lan = Object.values(networkInterfaces()).flat().find(i => i?.family === 'IPv4' && !i.internal)?.address
  it.skipIf(lan == null)('takes a renderer that sends from this machine\'s own LAN address, and answers it there', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    await connect(a, b)
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    await Promise.all([ta.ready, tb.ready])
    const [ra, rb] = await Promise.all([Renderer.open(lan), Renderer.open()])
    await latch(ra, ta.port, rb, tb.port)
    await pump(rb, tb.port, ra, 5, 100)
    expect(ra.received.length).toBe(5)
  })

  it('drops datagrams, counted, when the stream is slow, instead of queueing them without bound', async () => {
    const [a, x] = await Promise.all([mediaPeer(), mediaPeer({ bare: true })])
    // a callee that accepts and never reads: the muxer's window fills, then the write buffer
    await x.node.handle(MEDIA_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(MediaReply.encode({ status: MediaReply.Status.OK }))
      lp.unwrap().pause()
    })
    await a.node.dial(x.node.getMultiaddrs()[0])
    const t = a.media.open({ callId: newCallId(), peerId: x.id, key: newKey(), dial: true })
    expect(await t.ready).toBe('libp2p')
    const ra = await Renderer.open()
    const sent = 1300
    for (let i = 0; i < sent; i++) {
      await ra.send(t.port, Buffer.alloc(1200, 7))
      await until('the tunnel took it', () => t.stats().datagramsOut + t.stats().dropped >= i + 1, 15_000, 1)
    }
    const s = t.stats()
    expect(s.dropped).toBeGreaterThan(0)
    expect(s.datagramsOut + s.dropped).toBe(sent)
    // at most yamux's window in flight (256 KiB, doubled at most twice while the hello
    // went through) and the tunnel's 64 KiB queue
    expect(s.bytesOut).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024 + 1200)
    t.close()
  })

  it('close frees the UDP port and the streams on both sides, and the far side does not re-dial', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    await connect(a, b)
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    await Promise.all([ta.ready, tb.ready])
    expect(mediaStreams(a)).toBe(1)
    const port = tb.port
    expect(await portFree(port)).toBe(false)

    // the callee hangs up first: the caller's stream ends cleanly
    tb.close()
    tb.close()
    expect(await portFree(port)).toBe(true)
    await until('no media stream left', () => mediaStreams(a) === 0 && mediaStreams(b) === 0)
    expect(b.media.openTunnels).toBe(0)
    ta.close()
    expect(a.media.openTunnels).toBe(0)
    expect(await portFree(ta.port)).toBe(true)
    // nothing came back: the caller took the clean end as the call's end
    expect(mediaStreams(a) + mediaStreams(b)).toBe(0)
    expect(a.violations.entries).toEqual([])
    expect(b.violations.entries).toEqual([])
  })

  it('a stopped service closes its tunnels and leaves no socket', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    await connect(a, b)
    const baseline = udpSockets()
    const callId = newCallId()
    const key = newKey()
    const tb = b.media.open({ callId, peerId: a.id, key, dial: false })
    const ta = a.media.open({ callId, peerId: b.id, key, dial: true })
    await Promise.all([ta.ready, tb.ready])
    // a waiting callee tunnel: its timer must go with it
    const waiting = b.media.open({ callId: newCallId(), peerId: a.id, key, dial: false })
    const ports = [ta.port, tb.port, waiting.port]
    for (const port of ports) expect(await portFree(port)).toBe(false)
    await Promise.all([a.node.stop(), b.node.stop()])
    await expect(waiting.ready).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(a.media.openTunnels + b.media.openTunnels).toBe(0)
    expect(a.media.isStarted()).toBe(false)
    for (const port of ports) expect(await portFree(port)).toBe(true)
    await until('the sockets closed', () => udpSockets() <= baseline)
    expect(() => a.media.open({ callId: newCallId(), peerId: b.id, key, dial: true })).toThrow(/not running/)
  })

  it('rejects ready with PEER_UNREACHABLE when there is no route', async () => {
    const [a, b] = await Promise.all([mediaPeer({ media: { retryDelaysMs: [0, 20] } }), mediaPeer()])
    // never connected, and A does not know B's address: no dial can reach it
    const t = a.media.open({ callId: newCallId(), peerId: b.id, key: newKey(), dial: true })
    await expect(t.ready).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    t.close()
  })

  it('the callee gives up waiting for the caller\'s stream', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer({ media: { attachTimeoutMs: 100 } })])
    const t = b.media.open({ callId: newCallId(), peerId: a.id, key: newKey(), dial: false })
    await expect(t.ready).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    t.close()
  })

  it('checks what it is asked to open', async () => {
    const [a, b] = await Promise.all([mediaPeer(), mediaPeer()])
    const callId = newCallId()
    expect(() => a.media.open({ callId: 'x', peerId: b.id, key: newKey(), dial: true })).toThrow(/call id/)
    expect(() => a.media.open({ callId, peerId: 'nobody', key: newKey(), dial: true })).toThrow(/PeerId/)
    expect(() => a.media.open({ callId, peerId: a.id, key: newKey(), dial: true })).toThrow(/another peer/)
    expect(() => a.media.open({ callId, peerId: b.id, key: new Uint8Array(8), dial: true })).toThrow(/32 bytes/)
    const t = a.media.open({ callId, peerId: b.id, key: newKey(), dial: false })
    expect(() => a.media.open({ callId, peerId: b.id, key: newKey(), dial: false })).toThrow(/already/)
    t.close()
  })
})
