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

/**
 * Marks from a file's last health check: a peer that proved shards holds it;
 * a peer the placement named that proved none of a segment's shards is lost
 * (red even if it proved another segment: part of what it was given is gone).
 */
export function marksOf (health: FileHealth | null, self: PeerIdString | null): Map<PeerIdString, Mark> {
  const marks = new Map<PeerIdString, Mark>()
  if (health == null) return marks
  for (const s of health.segments) for (const p of s.holders) marks.set(p, 'holder')
  for (const s of health.segments) for (const p of s.lost) marks.set(p, 'lost')
  if (self != null) marks.delete(self)
  return marks
}

export function mapPeers (s: MapSource, marks: ReadonlyMap<PeerIdString, Mark>): MapPeer[] {
  const out: MapPeer[] = []
  for (const p of Object.values(s.peers)) {
    const standing = standingOf(s, p.peerId)
    out.push({
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
    })
  }
  // a holder the directory has forgotten is still where the file's shards were: drawn, faded
  for (const [peerId, mark] of marks) {
    if (Object.hasOwn(s.peers, peerId)) continue
    const standing = standingOf(s, peerId)
    out.push({ id: peerId, label: standing.nickname ?? shortPeerId(peerId), tag: standing.nickname ?? `…${peerId.slice(-6)}`, connected: false, rttMs: null, bps: 0, trust: standing.trust, reputation: 'active', relay: null, mark })
  }
  // stable order: the accessible list does not jump as figures change
  return out.sort((a, b) => Number(b.connected) - Number(a.connected) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
