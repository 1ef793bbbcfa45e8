import { describe, expect, it } from 'vitest'
import type { ConnectionInfo, FileHealth } from '../../shared/api/index.js'
import { mapPeers, marksOf, relayOf } from '../src/map/model.js'
import { MapScene, edgeWidth, ringForRtt, type MapPalette, type MapPeer } from '../src/map/scene.js'
import { peer } from './fixtures.js'

const PALETTE: MapPalette = {
  text: '#000', muted: '#111', grid: '#222', edge: '#333', self: '#444', contact: '#0a0', stranger: '#555', request: '#066',
  blocked: '#777', purgatory: '#aa0', banned: '#a00', holder: '#00a', lost: '#f00', pulse: '#0af', focus: '#0ff', surface: '#fff'
}

const mp = (id: string, over: Partial<MapPeer> = {}): MapPeer =>
  ({ id, label: id, tag: id, connected: true, rttMs: 1, bps: 0, trust: 'stranger', reputation: 'active', relay: null, mark: null, ...over })

/** A 2D context that records what was drawn (the scene draws only with these calls). */
function recordingContext (): { ctx: CanvasRenderingContext2D, calls: Array<{ name: string, args: unknown[], fillStyle: unknown, strokeStyle: unknown }> } {
  const calls: Array<{ name: string, args: unknown[], fillStyle: unknown, strokeStyle: unknown }> = []
  const state: Record<string, unknown> = {}
  const ctx = new Proxy(state, {
    get: (target, prop: string) => prop in target ? target[prop] : (...args: unknown[]) => { calls.push({ name: prop, args, fillStyle: target.fillStyle, strokeStyle: target.strokeStyle }) },
    set: (target, prop: string, value) => { target[prop] = value; return true }
  }) as unknown as CanvasRenderingContext2D
  return { ctx, calls }
}

const VIEW = { width: 600, height: 400, dpr: 2 }

function settle (scene: MapScene): number {
  let ticks = 0
  while (scene.warm && ticks < 2000) { scene.step(ticks * 16); ticks++ }
  return ticks
}

describe('peer map scene', () => {
  it('places nearer peers (lower RTT) on inner rings, on a log scale', () => {
    expect(ringForRtt(1)).toBeLessThan(ringForRtt(10))
    expect(ringForRtt(10)).toBeLessThan(ringForRtt(100))
    // equal steps per decade
    expect(ringForRtt(100) - ringForRtt(10)).toBeCloseTo(ringForRtt(10) - ringForRtt(1), 6)
    expect(edgeWidth(0)).toBe(1)
    expect(edgeWidth(1024 * 1000)).toBeGreaterThan(edgeWidth(1024 * 10))
    expect(edgeWidth(1e12)).toBe(6)

    const scene = new MapScene()
    scene.setPeers([mp('a', { rttMs: 1 }), mp('b', { rttMs: 30 }), mp('c', { rttMs: 800 }), mp('d', { connected: false, rttMs: null })])
    expect(settle(scene)).toBeLessThan(2000)
    const r = (id: string): number => scene.radiusOf(id) ?? NaN
    expect(r('a')).toBeLessThan(r('b'))
    expect(r('b')).toBeLessThan(r('c'))
    expect(r('c')).toBeLessThan(r('d'))
    for (const [id, rtt] of [['a', 1], ['b', 30], ['c', 800]] as const) expect(Math.abs(r(id) - ringForRtt(rtt)) / ringForRtt(rtt)).toBeLessThan(0.1)
  })

  it('asks for frames only while settling, after a change, or while a pulse runs', () => {
    const scene = new MapScene()
    const { ctx } = recordingContext()
    scene.setPeers([mp('a'), mp('b', { rttMs: 50 })])
    expect(scene.needsFrame(0)).toBe(true)
    settle(scene)
    scene.draw(ctx, VIEW, PALETTE, 0)
    expect(scene.needsFrame(0)).toBe(false)
    // the same peers with new traffic: one redraw, no new layout
    scene.setPeers([mp('a', { bps: 5000 }), mp('b', { rttMs: 50 })])
    expect(scene.warm).toBe(false)
    expect(scene.needsFrame(0)).toBe(true)
    scene.draw(ctx, VIEW, PALETTE, 0)
    expect(scene.needsFrame(0)).toBe(false)
    scene.pulse('b', 1000)
    scene.pulse('nobody', 1000)
    expect(scene.needsFrame(1001)).toBe(true)
    scene.step(1001)
    scene.draw(ctx, VIEW, PALETTE, 1001)
    expect(scene.needsFrame(3000)).toBe(false)
    // a new peer warms the layout again
    scene.setPeers([mp('a'), mp('b', { rttMs: 50 }), mp('c')])
    expect(scene.warm).toBe(true)
  })

  it('draws lost holders red, routes a relayed edge through its relay, and finds the peer under the pointer', () => {
    const scene = new MapScene()
    scene.setPeers([mp('relay', { rttMs: 5 }), mp('far', { rttMs: 80, relay: 'relay' }), mp('gone', { connected: false, mark: 'lost' }), mp('keeps', { mark: 'holder' })])
    settle(scene)
    const { ctx, calls } = recordingContext()
    scene.draw(ctx, VIEW, PALETTE, 0)
    const relayAt = scene.positionOf('relay')!
    const farAt = scene.positionOf('far')!
    // the relayed edge starts at the relay, not at this node
    const moves = calls.filter(c => c.name === 'moveTo').map(c => c.args)
    expect(moves).toContainEqual([relayAt.x, relayAt.y])
    // the lost holder keeps its fill and gets a red ring and cross (no red fill: red fill is nobody's); the holder ringed in the holder colour
    expect(calls.some(c => c.name === 'fill' && c.fillStyle === PALETTE.lost)).toBe(false)
    expect(calls.some(c => c.name === 'stroke' && c.strokeStyle === PALETTE.lost)).toBe(true)
    const gone = scene.positionOf('gone')!
    expect(calls.some(c => c.name === 'lineTo' && Math.hypot((c.args[0] as number) - gone.x, (c.args[1] as number) - gone.y) < 20)).toBe(true)
    expect(calls.some(c => c.name === 'stroke' && c.strokeStyle === PALETTE.holder)).toBe(true)
    expect(scene.hitTest(farAt.x + 1, farAt.y - 1)).toBe('far')
    expect(scene.hitTest(VIEW.width / 2, VIEW.height / 2)).toBe(null)
  })

  it('draws a banned peer hollow and a peer with no RTT yet as a dotted outline, never filled like the others', () => {
    const scene = new MapScene()
    scene.setPeers([mp('bad', { reputation: 'banned' }), mp('new', { rttMs: null }), mp('ok')])
    settle(scene)
    const { ctx, calls } = recordingContext()
    const dashes: unknown[] = []
    const record = new Proxy(ctx, { get: (t, prop: string) => prop === 'setLineDash' ? (d: unknown) => { dashes.push(d) } : (t as never)[prop], set: (t, prop: string, v) => { (t as never as Record<string, unknown>)[prop] = v; return true } })
    scene.draw(record, VIEW, PALETTE, 0)
    expect(calls.some(c => c.name === 'fill' && c.fillStyle === PALETTE.banned)).toBe(false)
    expect(calls.some(c => c.name === 'stroke' && c.strokeStyle === PALETTE.banned)).toBe(true)
    expect(dashes).toContainEqual([2, 2])
    expect(scene.drawnNodes).toBe(3)
  })

  it('keeps crowded peers near their RTT ring: collide spreads them along it, not across', () => {
    const scene = new MapScene()
    scene.setPeers(Array.from({ length: 400 }, (_, i) => mp(`p${i}`, { rttMs: 0.3 })))
    settle(scene)
    const ring = ringForRtt(0.3)
    for (let i = 0; i < 400; i++) expect(Math.abs((scene.radiusOf(`p${i}`) ?? NaN) - ring)).toBeLessThanOrEqual(Math.max(4, ring * 0.08) + 1e-9)
  })

  it('asks for no frame when new figures change nothing drawn, and nudges the layout gently for one moved peer', () => {
    const scene = new MapScene()
    const { ctx } = recordingContext()
    const peers = Array.from({ length: 50 }, (_, i) => mp(`p${i}`, { rttMs: 1 + i, bps: 100 }))
    scene.setPeers(peers)
    settle(scene)
    scene.draw(ctx, VIEW, PALETTE, 0)
    // new objects, a few percent of RTT and traffic jitter: nothing drawn changes
    scene.setPeers(peers.map(p => ({ ...p, rttMs: (p.rttMs ?? 0) * 1.03, bps: 110 })))
    expect(scene.needsFrame(0)).toBe(false)
    // one peer ten times farther: it moves to its ring, the layout warms a little, not afresh
    scene.setPeers(peers.map((p, i) => i === 7 ? { ...p, rttMs: 80 } : p))
    expect(scene.needsFrame(0)).toBe(true)
    expect(scene.warm).toBe(true)
    expect(settle(scene)).toBeLessThanOrEqual(25)
    expect(Math.abs((scene.radiusOf('p7') ?? NaN) - ringForRtt(80))).toBeLessThanOrEqual(ringForRtt(80) * 0.08)
  })

  it('lays out and draws 500 peers', () => {
    const scene = new MapScene()
    scene.setPeers(Array.from({ length: 500 }, (_, i) => mp(`p${i}`, { rttMs: 0.2 * 1.02 ** i, connected: i % 5 !== 0 })))
    settle(scene)
    const { ctx, calls } = recordingContext()
    scene.draw(ctx, VIEW, PALETTE, 0)
    // batched: a handful of paths, not one per peer
    expect(calls.filter(c => c.name === 'fill').length).toBeLessThan(20)
    expect(calls.filter(c => c.name === 'arc').length).toBeGreaterThanOrEqual(500)
  })
})

describe('peer map model', () => {
  const conn = (over: Partial<ConnectionInfo>): ConnectionInfo =>
    ({ id: 'c', remoteAddr: '', direction: 'outbound', kind: 'direct', scope: 'loopback', transport: 'tcp', relay: null, encryption: null, muxer: null, openedAt: 0, ...over })

  it('names the relay only when a peer has no direct connection', () => {
    expect(relayOf(peer('x', { connections: [conn({ kind: 'relayed', relay: 'R' })] }))).toBe('R')
    expect(relayOf(peer('x', { connections: [conn({ kind: 'relayed', relay: 'R' }), conn({})] }))).toBe(null)
    expect(relayOf(peer('x', { connections: [] }))).toBe(null)
  })

  it('marks holders, and lost holders (a shard placed on them not proved) even when they proved another; never this node', () => {
    const health: FileHealth = {
      id: 'f', checkedAt: 1, manifestReachable: true, minReachable: 2, recoverable: true,
      segments: [
        { index: 0, k: 2, total: 3, reachable: 3, holders: ['self', 'a', 'b'], lost: [] },
        { index: 1, k: 2, total: 3, reachable: 2, holders: ['self', 'a'], lost: ['b', 'self'] }
      ]
    }
    expect([...marksOf(health, 'self')]).toEqual([['a', 'holder'], ['b', 'lost']])
    expect(marksOf(null, 'self').size).toBe(0)
  })

  it('draws every known peer with its standing and figures, and a lost holder the directory forgot', () => {
    const peers = {
      b: peer('b', { rtt: { p50: 12, p95: 20, mean: 12, min: 1, max: 30, jitter: 1, loss: 0, samples: 5, sent: 5, last: 12 }, traffic: { inBps: 100, outBps: 50, inTotal: 0, outTotal: 0 } }),
      a: peer('a', { connected: false, kind: null, reputation: { state: 'banned', violations: 3, bannedUntil: 9, lastReason: 'x' } })
    }
    const contacts = { b: { peerId: 'b', trust: 'contact' as const, nickname: 'Bea', addresses: [], createdAt: 0, updatedAt: 0 } }
    const map = mapPeers({ peers, contacts: contacts as never, contactsLoaded: true }, new Map([['gone', 'lost' as const], ['b', 'holder' as const]]))
    const out = map.peers
    expect(map).toMatchObject({ connected: 1, known: 1, notDrawn: { connected: 0, known: 0 } })
    expect(out.map(p => p.id)).toEqual(['b', 'a', 'gone'])
    expect(out[0]).toMatchObject({ label: 'Bea', connected: true, rttMs: 12, bps: 150, trust: 'contact', mark: 'holder' })
    expect(out[1]).toMatchObject({ connected: false, rttMs: null, bps: 0, trust: 'stranger', reputation: 'banned', mark: null })
    expect(out[2]).toMatchObject({ id: 'gone', connected: false, mark: 'lost' })
  })
})

describe('how many peers the map draws', () => {
  it('draws connected peers up to a limit, then the known ones seen most recently, always a file\'s holders, and counts the rest', () => {
    const peers: Record<string, ReturnType<typeof peer>> = {}
    for (let i = 0; i < 30; i++) peers[`c${String(i).padStart(2, '0')}`] = peer(`c${String(i).padStart(2, '0')}`)
    for (let i = 0; i < 40; i++) peers[`k${String(i).padStart(2, '0')}`] = peer(`k${String(i).padStart(2, '0')}`, { connected: false, kind: null, lastSeen: i })
    const map = mapPeers({ peers, contacts: {}, contactsLoaded: true }, new Map([['c29', 'holder' as const], ['k00', 'lost' as const]]), { connected: 10, known: 5 })
    const ids = map.peers.map(p => p.id)
    expect(map.peers.filter(p => p.connected)).toHaveLength(10)
    expect(ids).toContain('c29')
    expect(ids).toContain('k00')
    // the most recently seen known peers
    expect(ids.filter(id => id.startsWith('k') && id !== 'k00')).toEqual(['k35', 'k36', 'k37', 'k38', 'k39'])
    expect(map).toMatchObject({ connected: 30, known: 40, notDrawn: { connected: 20, known: 34 } })
  })
})
