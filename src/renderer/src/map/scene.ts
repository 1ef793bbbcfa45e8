/**
 * The peer map's scene: layout and drawing, from plain data, with no React
 * and no store, so the bench (bench/peer-map.js) bundles and drives this very
 * code. This node sits at the centre; each connected peer is pulled by
 * d3-force's forceRadial to a ring whose radius grows with the log of its
 * measured RTT; forceCollide spreads peers along their ring, and after each
 * tick every peer is held within a narrow band of its ring (RING_BAND), so
 * its distance from the centre still says its RTT even in a crowd. Peers
 * known but not connected sit faded on the outer ring. The simulation is
 * ticked by the caller's frame loop, one tick per frame, only while it is
 * warm: a settled map with nothing animating asks for no frames at all
 * (needsFrame()), and new figures that change nothing drawn ask for none.
 */
import { forceCollide, forceRadial, forceSimulation, type Simulation, type SimulationNodeDatum } from 'd3-force'
import type { ReputationState, TrustStatus } from '../../../shared/api/index.js'

/** on the map, a file's holder lit up, or a placement holder that did not prove a shard placed on it in the last check (lost) */
export type Mark = 'holder' | 'lost' | null

export interface MapPeer {
  id: string
  /** the user's name for it, or a short PeerId */
  label: string
  /** what the canvas writes beside it: the name, or the PeerId's last characters */
  tag: string
  connected: boolean
  /** RTT p50, ms; null when not measured */
  rttMs: number | null
  /** measured traffic, in + out bytes per second */
  bps: number
  trust: TrustStatus
  reputation: ReputationState
  /** the relay a relayed connection goes through; null for direct */
  relay: string | null
  mark: Mark
}

/** Colours from the theme (styles.css variables), read once per theme change. */
export interface MapPalette {
  text: string
  muted: string
  grid: string
  edge: string
  self: string
  contact: string
  stranger: string
  request: string
  blocked: string
  purgatory: string
  banned: string
  holder: string
  lost: string
  pulse: string
  focus: string
  surface: string
}

interface Node extends SimulationNodeDatum {
  peer: MapPeer
  /** the ring forceRadial pulls it to, world units */
  ring: number
  /** lookOf(peer) when last set */
  look: string
}

/** World units: the outer ring lies at OUTER; drawing scales the world to the canvas. */
const OUTER = 500
const KNOWN_RING = 470
const UNMEASURED_RING = 420
const RING_MIN = 90
const RING_MAX = 400
/** RTTs mapped between these, log scale: 0.1 ms (loopback) to 2 s (a bad path) */
const RTT_LOW = 0.1
const RTT_HIGH = 2000
export const RTT_GRID_MS = [1, 10, 100, 1000] as const
const PULSE_MS = 1400
/** how far a peer may sit from its RTT ring: this share of the ring's radius, at least RING_BAND_MIN world units */
const RING_BAND = 0.08
const RING_BAND_MIN = 4
/**
 * A fresh layout starts at ALPHA_FRESH and cools over about FRESH_TICKS
 * frames; a few peers added, removed or moved get a nudge instead: ALPHA_NUDGE,
 * cooled over NUDGE_TICKS (collide, which does not scale with alpha, needs
 * only a few ticks to make room), not a reshuffle of the whole map.
 */
const ALPHA_FRESH = 0.5
const ALPHA_NUDGE = 0.1
const ALPHA_MIN = 0.001
const FRESH_TICKS = 300
const NUDGE_TICKS = 20
const decayOver = (from: number, ticks: number): number => 1 - (ALPHA_MIN / from) ** (1 / ticks)
/** more changed peers than this share of the map re-lays it out afresh */
const FRESH_SHARE = 0.25

export function ringForRtt (rttMs: number): number {
  const t = Math.log10(Math.max(RTT_LOW, rttMs) / RTT_LOW) / Math.log10(RTT_HIGH / RTT_LOW)
  return RING_MIN + (RING_MAX - RING_MIN) * Math.min(1, Math.max(0, t))
}

export function ringOf (p: MapPeer): number {
  if (!p.connected) return KNOWN_RING
  return p.rttMs == null ? UNMEASURED_RING : ringForRtt(p.rttMs)
}

/** Edge width in CSS px from measured traffic: 1 px idle, about +1.5 px per decade above 1 KiB/s, at most 6. */
export function edgeWidth (bps: number): number {
  return Math.min(6, 1 + Math.max(0, Math.log10(Math.max(1, bps) / 1024)) * 1.5)
}

/** What a peer's look depends on, besides its position: equal keys draw the same. */
function lookOf (p: MapPeer, thin: number): string {
  return `${p.connected ? 1 : 0}|${p.rttMs == null ? 'u' : 'm'}|${p.trust}|${p.reputation}|${p.mark ?? ''}|${p.relay ?? ''}|${p.tag}|` +
    `${p.connected ? Math.round(edgeWidth(p.bps) * thin * 2) / 2 : 0}`
}

/** Node radius in world units: smaller as the map fills, so 500 peers still fit the rings. */
function bandOf (ring: number): number {
  return Math.max(RING_BAND_MIN, ring * RING_BAND)
}

function nodeRadius (count: number): number {
  return count <= 40 ? 13 : count <= 150 ? 8 : 5
}

/** A stable starting angle per peer (hash of its id), so the layout does not reshuffle between sessions. */
function angleOf (id: string): number {
  let h = 2166136261
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619)
  return ((h >>> 0) / 2 ** 32) * Math.PI * 2
}

export interface Viewport { width: number, height: number, dpr: number }

interface Pulse { peerId: string, start: number }

export class MapScene {
  private nodes: Node[] = []
  private byId = new Map<string, Node>()
  private readonly sim: Simulation<Node, undefined>
  private readonly collide = forceCollide<Node>()
  private pulses: Pulse[] = []
  private dirty = true
  private selected: string | null = null
  private scale = 1
  private cx = 0
  private cy = 0
  /** how many peers the last draw() put on the canvas (the view shows it on the canvas element) */
  drawnNodes = 0

  constructor () {
    this.sim = forceSimulation<Node>([])
      .force('radial', forceRadial<Node>(n => n.ring, 0, 0).strength(0.6))
      .force('collide', this.collide.strength(0.8).iterations(1))
      .velocityDecay(0.35)
      .alphaMin(ALPHA_MIN)
      .stop()
  }

  /**
   * Replace the peers. Positions of peers already drawn are kept. A redraw is
   * asked for only if something drawn changed; the layout warms only for new
   * or gone peers or a peer whose place no longer says its RTT (outside its ring's band), gently
   * (ALPHA_NUDGE) unless a large share of the map changed.
   */
  setPeers (peers: readonly MapPeer[]): void {
    const fresh = this.nodes.length === 0
    const next = new Map<string, Node>()
    const thin = peers.length > 150 ? 0.5 : 1
    let changed = 0
    let looks = false
    for (const peer of peers) {
      const ring = ringOf(peer)
      const look = lookOf(peer, thin)
      let node = this.byId.get(peer.id)
      if (node == null) {
        const a = angleOf(peer.id)
        node = { peer, ring, look, x: Math.cos(a) * ring, y: Math.sin(a) * ring }
        changed++
      } else {
        node.ring = ring
        const r = Math.hypot(node.x ?? 0, node.y ?? 0) || 1
        if (Math.abs(r - ring) > bandOf(ring)) {
          // its place no longer says its RTT: straight to the new ring along its ray; collide then makes room.
          // Within the band it stays put: RTT jitter does not shake the map.
          node.x = (node.x ?? 0) * ring / r
          node.y = (node.y ?? 0) * ring / r
          changed++
        }
        if (node.look !== look) { node.look = look; looks = true }
        node.peer = peer
      }
      next.set(peer.id, node)
    }
    for (const id of this.byId.keys()) if (!next.has(id)) changed++
    const resized = nodeRadius(next.size) !== nodeRadius(this.nodes.length)
    this.byId = next
    this.nodes = [...next.values()]
    if (changed > 0 || resized) {
      this.collide.radius(nodeRadius(this.nodes.length) + 2)
      this.sim.nodes(this.nodes)
      if (fresh || resized || changed > this.nodes.length * FRESH_SHARE) {
        this.sim.alphaDecay(decayOver(ALPHA_FRESH, FRESH_TICKS)).alpha(Math.max(this.sim.alpha(), ALPHA_FRESH))
      } else if (this.sim.alpha() < ALPHA_NUDGE) {
        // (a fresh layout still cooling keeps its pace)
        this.sim.alphaDecay(decayOver(ALPHA_NUDGE, NUDGE_TICKS)).alpha(ALPHA_NUDGE)
      }
    }
    if (changed > 0 || resized || looks) this.dirty = true
  }

  /** Draw again on the next frame (the canvas was resized, the theme changed). */
  invalidate (): void { this.dirty = true }

  select (peerId: string | null): void {
    if (peerId === this.selected) return
    this.selected = peerId
    this.dirty = true
  }

  /** A shard landed on `peerId`: a dot runs along its edge from this node. */
  pulse (peerId: string, now: number): void {
    if (!this.byId.has(peerId)) return
    this.pulses.push({ peerId, start: now })
    this.dirty = true
  }

  get warm (): boolean { return this.sim.alpha() >= this.sim.alphaMin() }

  /** Whether another frame would draw something different. */
  needsFrame (now: number): boolean {
    return this.dirty || this.warm || this.pulses.some(p => now - p.start < PULSE_MS)
  }

  /** One frame's layout step: a simulation tick while warm, expired pulses dropped. */
  step (now: number): void {
    if (this.warm) {
      this.sim.tick()
      this.holdToRings()
    }
    this.pulses = this.pulses.filter(p => now - p.start < PULSE_MS)
  }

  /** Keep every peer within its ring's band: collide may spread peers along a ring, not across rings. */
  private holdToRings (): void {
    for (const n of this.nodes) {
      const x = n.x ?? 0
      const y = n.y ?? 0
      const r = Math.hypot(x, y)
      const band = bandOf(n.ring)
      const held = Math.min(n.ring + band, Math.max(n.ring - band, r))
      if (held === r) continue
      if (r === 0) { const a = angleOf(n.peer.id); n.x = Math.cos(a) * held; n.y = Math.sin(a) * held; continue }
      n.x = x * held / r
      n.y = y * held / r
    }
  }

  /** Where a peer was last drawn, in CSS pixels of the canvas; null when it is not on the map. */
  positionOf (peerId: string): { x: number, y: number } | null {
    const n = this.byId.get(peerId)
    return n == null ? null : { x: this.cx + (n.x ?? 0) * this.scale, y: this.cy + (n.y ?? 0) * this.scale }
  }

  /** Distance from this node in world units (the ring scale of ringForRtt). */
  radiusOf (peerId: string): number | null {
    const n = this.byId.get(peerId)
    return n == null ? null : Math.hypot(n.x ?? 0, n.y ?? 0)
  }

  /** The peer under a point in CSS pixels of the canvas, if any. */
  hitTest (x: number, y: number): string | null {
    const wx = (x - this.cx) / this.scale
    const wy = (y - this.cy) / this.scale
    const reach = nodeRadius(this.nodes.length) + 6 / this.scale
    let best: string | null = null
    let bestD = reach * reach
    for (const n of this.nodes) {
      const d = ((n.x ?? 0) - wx) ** 2 + ((n.y ?? 0) - wy) ** 2
      if (d <= bestD) { bestD = d; best = n.peer.id }
    }
    return best
  }

  draw (ctx: CanvasRenderingContext2D, view: Viewport, palette: MapPalette, now: number): void {
    this.dirty = false
    const { width, height, dpr } = view
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, width, height)
    this.scale = (Math.min(width, height) / 2 - 8) / OUTER
    this.cx = width / 2
    this.cy = height / 2
    const s = this.scale
    const X = (n: Node): number => this.cx + (n.x ?? 0) * s
    const Y = (n: Node): number => this.cy + (n.y ?? 0) * s
    const r = Math.max(3, nodeRadius(this.nodes.length) * s)

    this.drawGrid(ctx, palette)

    // edges, batched by width and style: one stroke per bucket, not per peer; thinner in a crowd, where width would only blot the centre
    const thin = this.nodes.length > 150 ? 0.5 : 1
    const buckets = new Map<string, Array<[number, number, number, number]>>()
    const sourceOf = (n: Node): { x: number, y: number } => {
      const relay = n.peer.relay != null ? this.byId.get(n.peer.relay) : undefined
      return relay != null && relay.peer.connected ? { x: X(relay), y: Y(relay) } : { x: this.cx, y: this.cy }
    }
    for (const n of this.nodes) {
      if (!n.peer.connected) continue
      const from = sourceOf(n)
      const key = `${Math.round(edgeWidth(n.peer.bps) * thin * 2) / 2}|${n.peer.relay != null ? 'd' : 's'}`
      let list = buckets.get(key)
      if (list == null) { list = []; buckets.set(key, list) }
      list.push([from.x, from.y, X(n), Y(n)])
    }
    ctx.strokeStyle = palette.edge
    for (const [key, lines] of buckets) {
      const [w, style] = key.split('|')
      ctx.lineWidth = Number(w)
      ctx.setLineDash(style === 'd' ? [5, 4] : [])
      ctx.beginPath()
      for (const [x1, y1, x2, y2] of lines) { ctx.moveTo(x1, y1); ctx.lineTo(x2, y2) }
      ctx.stroke()
    }
    ctx.setLineDash([])

    // nodes, batched by fill colour; peers not connected faded. Banned peers are hollow (a red circle),
    // peers whose RTT is not measured yet a dotted outline (they wait on a ring that says nothing of their RTT)
    const fills = new Map<string, Node[]>()
    const outlines = new Map<string, Node[]>()
    for (const n of this.nodes) {
      const hollow = n.peer.reputation === 'banned' ? 'b' : n.peer.connected && n.peer.rttMs == null ? 'u' : null
      const key = `${hollow ?? (n.peer.connected ? '1' : '0')}${this.fillOf(n.peer, palette)}`
      const into = hollow != null ? outlines : fills
      let list = into.get(key)
      if (list == null) { list = []; into.set(key, list) }
      list.push(n)
    }
    for (const [key, list] of fills) {
      ctx.globalAlpha = key[0] === '1' ? 1 : 0.35
      ctx.fillStyle = key.slice(1)
      ctx.beginPath()
      for (const n of list) { ctx.moveTo(X(n) + r, Y(n)); ctx.arc(X(n), Y(n), r, 0, Math.PI * 2) }
      ctx.fill()
    }
    ctx.globalAlpha = 1
    for (const [key, list] of outlines) {
      ctx.strokeStyle = key.slice(1)
      ctx.lineWidth = key[0] === 'b' ? 2 : 1.5
      ctx.setLineDash(key[0] === 'b' ? [] : [2, 2])
      ctx.beginPath()
      for (const n of list) { ctx.moveTo(X(n) + r - 1, Y(n)); ctx.arc(X(n), Y(n), r - 1, 0, Math.PI * 2) }
      ctx.stroke()
    }
    ctx.setLineDash([])

    // rings: reputation (purgatory), then a file's holders and lost holders (a red ring and a cross), then the selection
    for (const n of this.nodes) {
      const ring = this.ringOf(n.peer, palette)
      if (ring == null) continue
      ctx.strokeStyle = ring.colour
      ctx.lineWidth = ring.width
      ctx.setLineDash(ring.dash)
      ctx.beginPath()
      ctx.arc(X(n), Y(n), r + ring.gap, 0, Math.PI * 2)
      if (n.peer.mark === 'lost') {
        const c = (r + ring.gap) * 0.7
        ctx.moveTo(X(n) - c, Y(n) - c); ctx.lineTo(X(n) + c, Y(n) + c)
        ctx.moveTo(X(n) + c, Y(n) - c); ctx.lineTo(X(n) - c, Y(n) + c)
      }
      ctx.stroke()
    }
    ctx.setLineDash([])
    const sel = this.selected != null ? this.byId.get(this.selected) : undefined
    if (sel != null) {
      ctx.strokeStyle = palette.focus
      ctx.lineWidth = 2
      ctx.beginPath()
      ctx.arc(X(sel), Y(sel), r + 8, 0, Math.PI * 2)
      ctx.stroke()
    }
    this.drawnNodes = this.nodes.length

    // pulses: a dot travels the edge to the peer a shard just landed on, then a ring spreads from it
    for (const p of this.pulses) {
      const n = this.byId.get(p.peerId)
      if (n == null) continue
      const t = Math.min(1, (now - p.start) / (PULSE_MS * 0.6))
      const from = sourceOf(n)
      ctx.fillStyle = palette.pulse
      if (t < 1) {
        ctx.beginPath()
        ctx.arc(from.x + (X(n) - from.x) * t, from.y + (Y(n) - from.y) * t, 4, 0, Math.PI * 2)
        ctx.fill()
      } else {
        const u = (now - p.start - PULSE_MS * 0.6) / (PULSE_MS * 0.4)
        ctx.strokeStyle = palette.pulse
        ctx.globalAlpha = Math.max(0, 1 - u)
        ctx.lineWidth = 2
        ctx.beginPath()
        ctx.arc(X(n), Y(n), r + 4 + u * 12, 0, Math.PI * 2)
        ctx.stroke()
        ctx.globalAlpha = 1
      }
    }

    // this node
    ctx.fillStyle = palette.self
    ctx.beginPath()
    ctx.arc(this.cx, this.cy, Math.max(r + 2, 7), 0, Math.PI * 2)
    ctx.fill()

    // names while they fit
    if (this.nodes.length <= 40) {
      ctx.font = '11px system-ui, sans-serif'
      ctx.textBaseline = 'middle'
      for (const n of this.nodes) {
        ctx.fillStyle = n.peer.connected ? palette.text : palette.muted
        const right = (n.x ?? 0) >= 0
        ctx.textAlign = right ? 'left' : 'right'
        ctx.fillText(n.peer.tag, X(n) + (right ? r + 5 : -r - 5), Y(n))
      }
      ctx.fillStyle = palette.text
      ctx.textAlign = 'center'
      ctx.fillText('this node', this.cx, this.cy + Math.max(r + 2, 7) + 10)
    }
  }

  private drawGrid (ctx: CanvasRenderingContext2D, palette: MapPalette): void {
    ctx.strokeStyle = palette.grid
    ctx.fillStyle = palette.muted
    ctx.lineWidth = 1
    ctx.font = '10px system-ui, sans-serif'
    ctx.textAlign = 'left'
    ctx.textBaseline = 'bottom'
    for (const ms of RTT_GRID_MS) {
      const rr = ringForRtt(ms) * this.scale
      ctx.beginPath()
      ctx.arc(this.cx, this.cy, rr, 0, Math.PI * 2)
      ctx.stroke()
      ctx.fillText(ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`, this.cx + rr * 0.707 + 2, this.cy - rr * 0.707 - 2)
    }
  }

  private fillOf (p: MapPeer, palette: MapPalette): string {
    if (p.reputation === 'banned') return palette.banned
    switch (p.trust) {
      case 'contact': return palette.contact
      case 'blocked': return palette.blocked
      case 'request-sent':
      case 'request-received': return palette.request
      default: return palette.stranger
    }
  }

  private ringOf (p: MapPeer, palette: MapPalette): { colour: string, width: number, gap: number, dash: number[] } | null {
    if (p.mark === 'holder') return { colour: palette.holder, width: 3, gap: 3, dash: [] }
    if (p.mark === 'lost') return { colour: palette.lost, width: 3, gap: 3, dash: [] }
    if (p.reputation === 'purgatory') return { colour: palette.purgatory, width: 2, gap: 2, dash: [3, 2] }
    return null
  }
}
