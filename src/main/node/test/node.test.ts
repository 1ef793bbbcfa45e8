/**
 * createNode end to end, in one process: real libp2p nodes on 127.0.0.1.
 * (Separate processes are covered by test/integration.)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PeerEntry } from '../../../shared/api/index.js'
import { createNode, type WgtNode } from '../index.js'

const LOOPBACK = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, metricsIntervalMs: 250, probeIntervalMs: 100 }
let root: string
const running = new Set<WgtNode>()

async function start (name: string, extra: Record<string, unknown> = {}): Promise<WgtNode> {
  const node = await createNode({ dataDir: join(root, name), ...LOOPBACK, ...extra })
  running.add(node)
  return node
}

async function stop (node: WgtNode): Promise<void> {
  await node.stop()
  running.delete(node)
}

async function until<T> (what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v != null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 100))
  }
}

const connectedPeer = (node: WgtNode, peerId: string) => async (): Promise<PeerEntry | undefined> =>
  (await node.api.listPeers()).find(p => p.peerId === peerId && p.connected)

function portRefused (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const s = tcpConnect({ host: '127.0.0.1', port })
    s.once('connect', () => { s.destroy(); resolve(false) })
    s.once('error', () => { resolve(true) })
  })
}

beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'wgt-node-')) })
afterEach(async () => { await Promise.all([...running].map(stop)) })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

describe('createNode', () => {
  it('connects two nodes and fills the directory with measured RTT, capacity, agent and connection kind', async () => {
    const a = await start('a1')
    const b = await start('b1', { bootstrap: [a.multiaddrs()[0]] })
    const updates: PeerEntry[] = []
    a.api.on('peer:update', e => updates.push(e))
    const entry = await until('B with RTT and capacity in A\'s directory', async () => {
      const e = await connectedPeer(a, b.peerId)()
      return e?.rtt != null && e.capacity != null && e.agent != null ? e : undefined
    })
    expect(entry.kind).toBe('direct')
    expect(entry.scope).toBe('loopback')
    expect(entry.connections[0].transport).toBe('tcp')
    expect(entry.agent).toMatch(/^wgt\//)
    expect(entry.protocols).toContain('/wgt/probe/1.0.0')
    expect(entry.rtt!.p50).toBeGreaterThan(0)
    expect(entry.rtt!.p50).toBeLessThan(50)
    expect(entry.capacity!.cores).toBeGreaterThanOrEqual(1)
    expect(entry.traffic.inTotal).toBeGreaterThan(0)
    expect(entry.reputation).toMatchObject({ state: 'active', violations: 0, bannedUntil: null })
    expect(entry).toMatchObject({ trust: 'stranger', nickname: null })
    expect(updates.some(u => u.peerId === b.peerId)).toBe(true)

    const ping = await a.api.ping(b.peerId, 5)
    expect(ping.rtts).toHaveLength(5)
    for (const r of ping.rtts) expect(r).toBeGreaterThan(0)

    const metrics = await a.api.getMetrics()
    expect(metrics.peers.map(p => p.peerId)).toContain(b.peerId)
    const history = await until('history samples', async () => { const h = await a.api.getHistory(); return h.samples.length >= 2 ? h : undefined })
    expect(history.samples.at(-1)!.t).toBeGreaterThan(history.samples[0].t)
    const prom = await a.prometheus()
    expect(prom).toContain(`peer="${b.peerId}"`)
  })

  it('answers bad input and unreachable peers with clear error codes', async () => {
    const a = await start('a2')
    const unknown = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await expect(a.api.connect('/ip4/127.0.0.1/tcp/1/bogus')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(a.api.connect(a.multiaddrs()[0])).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(a.api.connect(`/ip4/127.0.0.1/tcp/1/p2p/${unknown}`)).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    await expect(a.api.ping(unknown, 1)).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    await expect(a.api.getPeer('QmNotAPeerIdAtAll')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await expect(a.api.getPeer(stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(a.api.disconnect(stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('keeps its identity and remembers peers across a restart, and releases its port on stop', async () => {
    const a = await start('a3')
    const b = await start('b3', { bootstrap: [a.multiaddrs()[0]] })
    await until('connection', connectedPeer(b, a.peerId))
    const port = Number(multiaddr(b.multiaddrs()[0]).getComponents().find(c => c.name === 'tcp')!.value)
    const bId = b.peerId
    await stop(b)
    expect(await portRefused(port)).toBe(true)

    const again = await start('b3')
    expect(again.peerId).toBe(bId)
    const remembered = await again.api.listPeers()
    expect(remembered.map(p => p.peerId)).toContain(a.peerId)
    // it reconnects to the remembered peer without being told its address again
    await until('reconnect from the peer store', connectedPeer(again, a.peerId))
  })

  it('redials a bootstrap peer that went away and came back on the same address', async () => {
    const a = await start('a4')
    const addr = a.multiaddrs()[0]
    const b = await start('b4', { bootstrap: [addr] })
    await until('first connection', connectedPeer(b, a.peerId))
    await stop(a)
    await until('disconnect seen', async () => (await connectedPeer(b, a.peerId)()) == null)
    const tcpPort = multiaddr(addr).getComponents().find(c => c.name === 'tcp')!.value
    await start('a4', { listen: [`/ip4/127.0.0.1/tcp/${tcpPort}`] })
    await until('redial after restart', connectedPeer(b, a.peerId), 20_000)
  })

  it('reaches a peer through a relay-server node and reports the connection as relayed', async () => {
    const relay = await start('r6', { relayServer: true })
    // B reserves a slot on the relay and is reachable only through it
    const b = await start('b6', { listen: ['/p2p-circuit'], bootstrap: [relay.multiaddrs()[0]] })
    const circuit = await until('a circuit address for B', async () => b.multiaddrs().find(a => a.includes('/p2p-circuit')))
    const c = await start('c6', { listen: [] })
    const entry = await c.api.connect(circuit)
    expect(entry.peerId).toBe(b.peerId)
    expect(entry.kind).toBe('relayed')
    expect(entry.connections.some(k => k.kind === 'relayed' && k.transport === 'circuit-relay')).toBe(true)
  })

  it('refuses a second node on the same data directory with a clear error', async () => {
    await start('a5')
    await expect(createNode({ dataDir: join(root, 'a5'), ...LOOPBACK })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
