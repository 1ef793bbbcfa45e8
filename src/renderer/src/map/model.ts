/**
 * What the map draws, from the store: every peer the directory knows (faded
 * when not connected) with its trust, reputation, measured RTT and traffic,
 * and the marks of the file selected on the map (its holders lit, its lost
 * holders red). Pure, for tests.
 */
import type { FileHealth, PeerEntry, PeerIdString } from '../../../shared/api/index.js'
import { shortPeerId } from '../format.js'
import { standingOf, type Contacts } from '../guard/state.js'
import type { Mark, MapPeer } from './scene.js'

export interface MapSource {
  peers: Readonly<Record<PeerIdString, PeerEntry>>
  contacts: Contacts
  contactsLoaded: boolean
}

/** The relay of a peer's relayed connection, when it has no direct one. */
export function relayOf (p: PeerEntry): PeerIdString | null {
  if (p.connections.some(c => c.kind === 'direct')) return null
  return p.connections.find(c => c.relay != null)?.relay ?? null
}

/** What a red (lost) mark means, said the same way in the list, the legend and the README. */
export const LOST_WORDS = 'did not prove its shards in the last check'
export const LOST_WHY = 'gone, unreachable or too slow to answer'

/**
 * Marks from a file's last health check: a peer that proved shards holds it;
 * a peer the placement put a shard on that did not prove that shard
 * (SegmentHealth.lost) is marked lost, even if it proved others: gone,
 * unreachable or too slow to answer within the check's time budget.
 */
export function marksOf (health: FileHealth | null, self: PeerIdString | null): Map<PeerIdString, Mark> {
  const marks = new Map<PeerIdString, Mark>()
  if (health == null) return marks
  for (const s of health.segments) for (const p of s.holders) marks.set(p, 'holder')
  for (const s of health.segments) for (const p of s.lost) marks.set(p, 'lost')
  if (self != null) marks.delete(self)
  return marks
}

/**
 * How many peers the map lays out and draws. The directory lists the
 * connected peers and the whole peer store besides, which in a big network
 * is thousands: all connected peers up to `connected`, then the known ones
 * seen most recently up to `known`; a file's holders and lost holders are
 * always drawn. What is left out is counted, and the view says so.
 */
export const MAP_LIMITS = { connected: 500, known: 100 } as const

export interface MapPeers {
  /** what the map draws: connected first, then by PeerId (a stable order: the list does not jump as figures change) */
  peers: MapPeer[]
  /** counts over every peer in the directory, drawn or not */
  connected: number
  known: number
  /** left out by the limits */
  notDrawn: { connected: number, known: number }
}

const byPeerId = (a: PeerEntry, b: PeerEntry): number => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)

export function mapPeers (s: MapSource, marks: ReadonlyMap<PeerIdString, Mark>, limits: { connected: number, known: number } = MAP_LIMITS): MapPeers {
  const entries = Object.values(s.peers)
  const connectedAll = entries.filter(p => p.connected)
  const knownAll = entries.filter(p => !p.connected)
  const marked = entries.filter(p => marks.has(p.peerId))
  const connected = connectedAll.filter(p => !marks.has(p.peerId)).sort(byPeerId).slice(0, Math.max(0, limits.connected - marked.filter(p => p.connected).length))
  const known = knownAll.filter(p => !marks.has(p.peerId)).sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0) || byPeerId(a, b)).slice(0, limits.known)
  const drawn = [...marked, ...connected, ...known]
  const out: MapPeer[] = drawn.map(p => {
    const standing = standingOf(s, p.peerId)
    return {
      id: p.peerId,
      label: standing.nickname ?? shortPeerId(p.peerId),
      tag: standing.nickname ?? `…${p.peerId.slice(-6)}`,
      connected: p.connected,
      rttMs: p.connected ? p.rtt?.p50 ?? null : null,
      bps: p.connected ? p.traffic.inBps + p.traffic.outBps : 0,
      trust: standing.trust,
      reputation: p.reputation.state,
      relay: p.connected ? relayOf(p) : null,
      mark: marks.get(p.peerId) ?? null
    }
  })
  // a holder the directory has forgotten is still where the file's shards were: drawn, faded
  for (const [peerId, mark] of marks) {
    if (Object.hasOwn(s.peers, peerId)) continue
    const standing = standingOf(s, peerId)
    out.push({ id: peerId, label: standing.nickname ?? shortPeerId(peerId), tag: standing.nickname ?? `…${peerId.slice(-6)}`, connected: false, rttMs: null, bps: 0, trust: standing.trust, reputation: 'active', relay: null, mark })
  }
  out.sort((a, b) => Number(b.connected) - Number(a.connected) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const drawnConnected = connected.length + marked.filter(p => p.connected).length
  const drawnKnown = known.length + marked.filter(p => !p.connected).length
  return {
    peers: out,
    connected: connectedAll.length,
    known: knownAll.length,
    notDrawn: { connected: connectedAll.length - drawnConnected, known: knownAll.length - drawnKnown }
  }
}

/** Whether two MapPeers draw and list the same (the list's rows and the scene skip work when nothing changed). */
export function samePeer (a: MapPeer, b: MapPeer): boolean {
  return a.id === b.id && a.label === b.label && a.tag === b.tag && a.connected === b.connected && a.rttMs === b.rttMs &&
    a.bps === b.bps && a.trust === b.trust && a.reputation === b.reputation && a.relay === b.relay && a.mark === b.mark
}
