import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import type { Libp2p, Stream } from '@libp2p/interface'
import { WgtError } from '../../../../shared/errors.js'
import { Probe as ProbeMessage } from '../pb/probe.js'
import { probe, PROBE_PROTOCOL, type ProbeInit, type ProbeService } from '../probe.js'
import { makeNode, ViolationLog, waitFor } from './nodes.js'

type ProbeNode = Libp2p<{ probe: ProbeService, identify: unknown }>
const started: Libp2p[] = []

async function probeNode (init: Partial<ProbeInit> = {}, log = new ViolationLog()): Promise<{ node: ProbeNode, log: ViolationLog }> {
  const node = await makeNode({ probe: probe({ reputation: log, intervalMs: 100, timeoutMs: 500, ...init }) }) as unknown as ProbeNode
  started.push(node)
  return { node, log }
}

async function plainNode (): Promise<Libp2p> {
  const node = await makeNode({}) as unknown as Libp2p
  started.push(node)
  return node
}

function probeStreams (node: Libp2p, peer: Libp2p): Stream[] {
  return node.getConnections(peer.peerId).flatMap(c => c.streams).filter(s => s.protocol === PROBE_PROTOCOL && s.status === 'open')
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(async n => { await n.stop() }))
})

describe('probe', () => {
  it('measures RTT on one long-lived stream per peer, in both directions', async () => {
    const { node: a } = await probeNode()
    const { node: b } = await probeNode()
    await a.dial(b.getMultiaddrs()[0])
    await waitFor(() => (a.services.probe.rtt(b.peerId.toString())?.samples ?? 0) >= 5, 5000, 'a to measure b')
    await waitFor(() => (b.services.probe.rtt(a.peerId.toString())?.samples ?? 0) >= 5, 5000, 'b to measure a')
    const s = a.services.probe.rtt(b.peerId.toString())!
    expect(s.loss).toBe(0)
    expect(s.sent).toBe(s.samples)
    expect(s.min).toBeGreaterThan(0)
    expect(s.p50).toBeLessThan(50)
    expect(s.min).toBeLessThanOrEqual(s.p50)
    expect(s.p50).toBeLessThanOrEqual(s.p95)
    expect(s.p95).toBeLessThanOrEqual(s.max)

    // a opened one outbound stream to b and kept it: same stream id after more probes
    const out = probeStreams(a, b).filter(st => st.direction === 'outbound')
    expect(out).toHaveLength(1)
    const id = out[0].id
    const sentBefore = s.sent
    await waitFor(() => a.services.probe.rtt(b.peerId.toString())!.sent >= sentBefore + 3, 5000, 'more probes')
    const outAfter = probeStreams(a, b).filter(st => st.direction === 'outbound')
    expect(outAfter.map(st => st.id)).toEqual([id])

    const rtts = await a.services.probe.ping(b.peerId.toString(), 20)
    expect(rtts).toHaveLength(20)
    for (const r of rtts) {
      expect(r).not.toBeNull()
      expect(r!).toBeGreaterThan(0)
      expect(r!).toBeLessThan(100)
    }
    expect(probeStreams(a, b).filter(st => st.direction === 'outbound').map(st => st.id)).toEqual([id])
  })

  it('ping: PROTOCOL for a peer without the protocol, PEER_UNREACHABLE for a peer it cannot dial, INVALID_INPUT for bad arguments', async () => {
    const { node: a } = await probeNode({ intervalMs: 3_600_000 })
    const c = await plainNode()
    await a.dial(c.getMultiaddrs()[0])
    await expect(a.services.probe.ping(c.peerId.toString(), 1)).rejects.toMatchObject({ code: 'PROTOCOL' })

    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const err = await a.services.probe.ping(stranger.toString(), 1).catch(e => e)
    expect(err).toBeInstanceOf(WgtError)
    expect(err.code).toBe('PEER_UNREACHABLE')

    await expect(a.services.probe.ping('not-a-peer-id', 1)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(a.services.probe.ping(c.peerId.toString(), 0)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('counts unanswered probes as lost', async () => {
    const { node: a } = await probeNode({ intervalMs: 3_600_000, timeoutMs: 200 })
    const c = await plainNode()
    // a responder that answers only even sequence numbers
    await c.handle(PROBE_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream)
      try {
        while (true) {
          const msg = ProbeMessage.decode(await lp.read())
          if (msg.seq % 2 === 0) await lp.write(ProbeMessage.encode(msg))
        }
      } catch {}
    })
    await a.dial(c.getMultiaddrs()[0])
    const rtts = await a.services.probe.ping(c.peerId.toString(), 4)
    expect(rtts.map(r => r === null)).toEqual([true, false, true, false])
  })

  it('reports an oversized or malformed probe, closes that stream, and keeps serving', async () => {
    const { node: b, log } = await probeNode({ intervalMs: 3_600_000 })
    const c = await plainNode()
    await c.dial(b.getMultiaddrs()[0])

    const oversized = await c.dialProtocol(b.peerId, PROBE_PROTOCOL)
    oversized.send(Uint8Array.from([0xe8, 0x07])) // length prefix 1000, above the 16-byte bound
    await waitFor(() => log.entries.length === 1, 5000, 'oversize violation')
    expect(log.entries[0].peerId).toBe(c.peerId.toString())
    await waitFor(() => oversized.status !== 'open', 5000, 'oversized stream to close')

    const malformed = await c.dialProtocol(b.peerId, PROBE_PROTOCOL)
    malformed.send(Uint8Array.from([2, 0x0f, 0xff])) // a 2-byte message with wire type 7, which does not exist
    await waitFor(() => log.entries.length === 2, 5000, 'malformed violation')
    expect(log.entries[1].reason).toMatch(/malformed/)

    const { node: a } = await probeNode({ intervalMs: 3_600_000 })
    await a.dial(b.getMultiaddrs()[0])
    const rtts = await a.services.probe.ping(b.peerId.toString(), 3)
    expect(rtts.every(r => r !== null)).toBe(true)
  })

  it('reports an echo for a probe that was never sent', async () => {
    const { node: a, log } = await probeNode({ intervalMs: 3_600_000, timeoutMs: 300 })
    const c = await plainNode()
    await c.handle(PROBE_PROTOCOL, async (stream: Stream) => {
      const lp = lpStream(stream)
      try {
        const msg = ProbeMessage.decode(await lp.read())
        await lp.write(ProbeMessage.encode({ seq: msg.seq + 1000 }))
        await lp.read()
      } catch {}
    })
    await a.dial(c.getMultiaddrs()[0])
    const rtts = await a.services.probe.ping(c.peerId.toString(), 1)
    expect(rtts).toEqual([null])
    expect(log.entries.map(e => e.peerId)).toEqual([c.peerId.toString()])
    expect(log.entries[0].reason).toMatch(/never sent/)
  })

  it('forgets a peer that disconnects and reopens a stream when it reconnects', async () => {
    const { node: a } = await probeNode()
    const { node: b } = await probeNode()
    await a.dial(b.getMultiaddrs()[0])
    await waitFor(() => a.services.probe.rtt(b.peerId.toString()) != null, 5000, 'first RTT')
    await a.hangUp(b.peerId)
    await waitFor(() => !a.services.probe.probedPeers().includes(b.peerId.toString()), 5000, 'a to forget b')
    expect(a.services.probe.rtt(b.peerId.toString())).toBeNull()
    await a.dial(b.getMultiaddrs()[0])
    const rtts = await a.services.probe.ping(b.peerId.toString(), 2)
    expect(rtts.every(r => r !== null)).toBe(true)
  })

  it('stop() closes its streams and stops probing', async () => {
    const { node: a } = await probeNode()
    const { node: b } = await probeNode()
    await a.dial(b.getMultiaddrs()[0])
    await waitFor(() => probeStreams(a, b).length === 2, 5000, 'streams in both directions')
    await a.services.probe.stop()
    await waitFor(() => probeStreams(a, b).length === 0, 5000, 'a to close all probe streams')
    await expect(a.services.probe.ping(b.peerId.toString(), 1)).rejects.toMatchObject({ code: 'NOT_RUNNING' })
    // b can no longer open a probe stream to a: the handler is gone
    await expect(b.services.probe.ping(a.peerId.toString(), 1)).rejects.toMatchObject({ code: 'PROTOCOL' })
  })

  describe('cadence', () => {
    // the timer's ticks are an hour apart: the test drives tick() with its own clock
    const MINUTE = 60_000
    const slow = { intervalMs: 60 * MINUTE, idleIntervalMs: 600 * MINUTE, settleProbes: 3, timeoutMs: 5000 }

    /** One tick at virtual time now; waits until what it sent is in the window. */
    async function round (a: ProbeNode, peers: Libp2p[], now: number): Promise<number> {
      const before = peers.map(p => a.services.probe.rtt(p.peerId.toString())?.sent ?? 0)
      const sent = a.services.probe.tick(now)
      await waitFor(() => peers.reduce((n, p, i) => n + (a.services.probe.rtt(p.peerId.toString())?.sent ?? 0) - before[i], 0) === sent, 10_000, 'the probes of the tick')
      return sent
    }

    /** A peer whose echoes are held for delay.ms (it speaks the probe protocol by hand). */
    async function delayedPeer (delay: { ms: number }): Promise<Libp2p> {
      const c = await plainNode()
      await c.handle(PROBE_PROTOCOL, async (stream: Stream) => {
        const lp = lpStream(stream)
        try {
          while (true) {
            const msg = ProbeMessage.decode(await lp.read())
            await new Promise(resolve => setTimeout(resolve, delay.ms))
            await lp.write(ProbeMessage.encode(msg))
          }
        } catch {}
      })
      return c
    }

    it('probes a settled peer each idleIntervalMs, every peer each intervalMs while someone watches, a new peer at once', async () => {
      let live = false
      // a floor no scheduling delay reaches: every probe is calm
      const { node: a } = await probeNode({ ...slow, moveFloorMs: 60_000, live: () => live })
      const { node: b } = await probeNode({ intervalMs: 60 * MINUTE })
      await a.dial(b.getMultiaddrs()[0])
      await waitFor(() => a.services.probe.probedPeers().includes(b.peerId.toString()), 5000, 'a to see b')
      let t = 0
      for (let i = 0; i < 3; i++) {
        expect(a.services.probe.settled(b.peerId.toString())).toBe(false)
        expect(await round(a, [b], t += slow.intervalMs)).toBe(1)
      }
      expect(a.services.probe.settled(b.peerId.toString())).toBe(true)
      const settledAt = t
      expect(await round(a, [b], t += slow.intervalMs)).toBe(0)
      expect(await round(a, [b], settledAt + slow.idleIntervalMs - slow.intervalMs)).toBe(0)
      expect(await round(a, [b], t = settledAt + slow.idleIntervalMs)).toBe(1)
      // a client watches: the full cadence, and back to idle when it goes
      live = true
      expect(await round(a, [b], t += slow.intervalMs)).toBe(1)
      expect(await round(a, [b], t += slow.intervalMs)).toBe(1)
      live = false
      expect(await round(a, [b], t += slow.intervalMs)).toBe(0)
      // a newly connected peer is probed at the full cadence; the settled one is left alone
      const { node: c } = await probeNode({ intervalMs: 60 * MINUTE })
      await a.dial(c.getMultiaddrs()[0])
      await waitFor(() => a.services.probe.probedPeers().includes(c.peerId.toString()), 5000, 'a to see c')
      expect(await round(a, [b, c], t += slow.intervalMs)).toBe(1)
      expect(a.services.probe.rtt(c.peerId.toString())?.sent).toBe(1)
      expect(a.services.probe.settled(c.peerId.toString())).toBe(false)
    })

    it('goes back to the full cadence when the RTT moves, checks a lone outlier at once, and counts a lost probe as a move', async () => {
      const delay = { ms: 0 }
      // a 1 s floor: on a loaded machine loopback echoes can take a few hundred ms; the moves below are of 2.5 s
      const { node: a } = await probeNode({ ...slow, moveFloorMs: 1000, settleProbes: 5, timeoutMs: 4000 })
      const c = await delayedPeer(delay)
      await a.dial(c.getMultiaddrs()[0])
      await waitFor(() => a.services.probe.probedPeers().includes(c.peerId.toString()), 5000, 'a to see c')
      const id = c.peerId.toString()
      let t = 0
      for (let i = 0; i < 50 && !a.services.probe.settled(id); i++) await round(a, [c], t += slow.intervalMs)
      expect(a.services.probe.settled(id)).toBe(true)

      // one late echo: the peer stays settled, but the next probe goes at the next tick
      delay.ms = 2500
      expect(await round(a, [c], t += slow.idleIntervalMs)).toBe(1)
      expect(a.services.probe.settled(id)).toBe(true)
      delay.ms = 0
      expect(await round(a, [c], t += slow.intervalMs)).toBe(1)
      expect(a.services.probe.settled(id)).toBe(true)
      expect(await round(a, [c], t += slow.intervalMs)).toBe(0)

      // two in a row: the RTT moved; probed at every tick until the window's median follows
      delay.ms = 2500
      expect(await round(a, [c], t += slow.idleIntervalMs)).toBe(1)
      expect(await round(a, [c], t += slow.intervalMs)).toBe(1)
      expect(a.services.probe.settled(id)).toBe(false)
      expect(await round(a, [c], t += slow.intervalMs)).toBe(1)

      // a lost probe (the echo comes after the timeout) is a move as well
      delay.ms = 0
      for (let i = 0; i < 200 && !a.services.probe.settled(id); i++) await round(a, [c], t += slow.intervalMs)
      expect(a.services.probe.settled(id)).toBe(true)
      delay.ms = 4500
      expect(await round(a, [c], t += slow.idleIntervalMs)).toBe(1)
      expect(a.services.probe.settled(id)).toBe(false)
      expect(a.services.probe.rtt(id)!.loss).toBeGreaterThan(0)
    }, 60_000)
  })
})
