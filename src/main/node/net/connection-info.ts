/** Describe a libp2p connection for the directory: kind, scope, transport. */
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isLoopback, isPrivate } from '@libp2p/utils'
import type { ConnectionInfo, ConnectionKind, NetworkScope } from '../../../shared/api/index.js'

export function transportOf (ma: Multiaddr): string {
  const names = ma.getComponents().map(c => c.name)
  if (names.includes('p2p-circuit')) return names.includes('webrtc') ? 'webrtc' : 'circuit-relay'
  if (names.includes('webrtc-direct')) return 'webrtc-direct'
  if (names.includes('webrtc')) return 'webrtc'
  if (names.includes('ws') || names.includes('wss')) return 'websockets'
  if (names.includes('webtransport')) return 'webtransport'
  if (names.includes('tcp')) return 'tcp'
  return names[names.length - 1] ?? 'unknown'
}

/** loopback / lan / wan of the address the peer was reached on (the relay's, for relayed connections) */
export function scopeOf (ma: Multiaddr): NetworkScope {
  try {
    if (isLoopback(ma)) return 'loopback'
    if (isPrivate(ma)) return 'lan'
  } catch {
    // not an IP address (dns, circuit without transport): judged as wide-area
  }
  return 'wan'
}

/**
 * A WebRTC connection set up through a relay (…/p2p/RELAY/p2p-circuit/webrtc/p2p/PEER):
 * the relay carried only the signalling; once established, the data flows
 * peer to peer, so the connection is direct.
 */
function webrtcViaCircuit (ma: Multiaddr): boolean {
  const names = ma.getComponents().map(c => c.name)
  const circuit = names.indexOf('p2p-circuit')
  return circuit >= 0 && names.slice(circuit + 1).includes('webrtc')
}

/**
 * The relay's PeerId in a circuit address (the /p2p/ just before /p2p-circuit);
 * null when the address is not relayed, when it is WebRTC that was only
 * signalled through the relay, or when the hop is the peer itself (`peerId`).
 */
export function relayOf (ma: Multiaddr, peerId?: string): string | null {
  if (webrtcViaCircuit(ma)) return null
  const parts = ma.getComponents()
  const circuit = parts.findIndex(c => c.name === 'p2p-circuit')
  if (circuit <= 0) return null
  const hop = parts[circuit - 1]
  if (hop.name !== 'p2p' || hop.value == null || hop.value === peerId) return null
  return hop.value
}

export function kindOf (conn: Pick<Connection, 'limits' | 'remoteAddr'>): ConnectionKind {
  // Relayed connections carry the relay's limits and a /p2p-circuit address; WebRTC signalled through a relay is direct once up.
  if (conn.limits != null) return 'relayed'
  return conn.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit') && !webrtcViaCircuit(conn.remoteAddr) ? 'relayed' : 'direct'
}

export function describeConnection (conn: Connection): ConnectionInfo {
  return {
    id: conn.id,
    remoteAddr: conn.remoteAddr.toString(),
    direction: conn.direction,
    kind: kindOf(conn),
    scope: scopeOf(conn.remoteAddr),
    transport: transportOf(conn.remoteAddr),
    relay: relayOf(conn.remoteAddr, conn.remotePeer.toString()),
    encryption: conn.encryption ?? null,
    muxer: conn.multiplexer ?? null,
    openedAt: conn.timeline.open
  }
}

const SCOPE_RANK: Record<NetworkScope, number> = { loopback: 0, lan: 1, wan: 2 }

/** the best of a peer's open connections: direct before relayed, nearer scope first */
export function summarize (conns: ConnectionInfo[]): { kind: ConnectionKind | null, scope: NetworkScope | null } {
  if (conns.length === 0) return { kind: null, scope: null }
  const best = [...conns].sort((a, b) =>
    (a.kind === b.kind ? 0 : a.kind === 'direct' ? -1 : 1) || SCOPE_RANK[a.scope] - SCOPE_RANK[b.scope])[0]
  return { kind: best.kind, scope: best.scope }
}
