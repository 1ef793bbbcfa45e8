/**
 * net: this node's identity and reachability, and the peer directory (the one
 * source of truth for peers, keyed by PeerId string).
 */
import { carries, method, returns } from './define.js'
import type { TrustStatus } from './guard.js'
import { multiaddrSchema, peerIdSchema } from './schemas.js'

/** Peer identity is the libp2p PeerId string, everywhere. */
export type PeerIdString = string

export type ConnectionKind = 'direct' | 'relayed'
export type NetworkScope = 'loopback' | 'lan' | 'wan'
export type ReputationState = 'active' | 'purgatory' | 'banned'

export interface ConnectionInfo {
  id: string
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  kind: ConnectionKind
  scope: NetworkScope
  /** e.g. 'tcp', 'websockets', 'webrtc-direct', 'webrtc' */
  transport: string
  /** the relay's PeerId for a /p2p-circuit connection (the hop the traffic goes through); null for a direct one */
  relay: PeerIdString | null
  encryption: string | null
  muxer: string | null
  openedAt: number
}

export interface RttStats {
  /** milliseconds over the sliding window */
  p50: number
  p95: number
  mean: number
  min: number
  max: number
  /** mean absolute difference between consecutive samples, ms (RFC 3550 style) */
  jitter: number
  /** probes unanswered / probes sent over the window, 0..1 */
  loss: number
  /** answered probes in the window */
  samples: number
  sent: number
  last: number
}

export interface Traffic {
  /** bytes per second, measured over the last rate interval */
  inBps: number
  outBps: number
  /** bytes since this node started */
  inTotal: number
  outTotal: number
}

export interface Capacity {
  cores: number
  /** current CPU load, percent 0..100 over all cores */
  cpuLoad: number
  memTotal: number
  memFree: number
  /** free and total bytes on the volume holding the data directory */
  diskTotal: number
  diskFree: number
  /** ms since epoch when this was measured (by the peer that measured it) */
  measuredAt: number
}

export interface Reputation {
  state: ReputationState
  /** protocol violations counted against this peer within the window (malformed or oversized messages, floods) */
  violations: number
  /** ms since epoch the ban ends; null when not banned */
  bannedUntil: number | null
  lastReason: string | null
}

export interface PeerEntry {
  peerId: PeerIdString
  addresses: string[]
  connected: boolean
  connections: ConnectionInfo[]
  /** summary over open connections: direct wins over relayed; null when not connected */
  kind: ConnectionKind | null
  scope: NetworkScope | null
  protocols: string[]
  agent: string | null
  rtt: RttStats | null
  traffic: Traffic
  capacity: Capacity | null
  trust: TrustStatus
  /** the user's name for this peer (contacts and requests); null when none */
  nickname: string | null
  reputation: Reputation
  /** ms since epoch of last connection or message; null if only known from the peer store */
  lastSeen: number | null
}

export interface NodeIdentity {
  peerId: PeerIdString
  agent: string
  multiaddrs: string[]
  protocols: string[]
  startedAt: number
}

export type ReachabilityStatus = 'public' | 'private' | 'unknown'

export interface ObservedAddress {
  multiaddr: string
  /** 'transport' = bound by us, 'observed' = reported by peers via identify, ... as libp2p labels it */
  type: string
  /** AutoNAT confirmed a dial-back succeeded */
  verified: boolean
  /** ms since epoch when the confirmation lapses; null if never */
  expires: number | null
}

export interface Reachability {
  status: ReachabilityStatus
  /** one sentence saying how status was concluded, shown in the UI */
  reason: string
  addresses: ObservedAddress[]
}

export interface PingResult {
  peerId: PeerIdString
  /** one entry per probe: round-trip ms, or null when the probe was lost */
  rtts: Array<number | null>
}

/** ping spaces its probes: allow up to one probe interval per probe beyond the base deadline */
const PING_ALLOWANCE_PER_PROBE_MS = 2000

export const net = {
  name: 'net',
  methods: {
    getIdentity: method({ args: z => z.tuple([]), result: returns<NodeIdentity>() }),
    getReachability: method({ args: z => z.tuple([]), result: returns<Reachability>() }),
    listPeers: method({ args: z => z.tuple([]), result: returns<PeerEntry[]>() }),
    getPeer: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<PeerEntry>() }),
    /** dial a multiaddr (must include /p2p/<peerId>), or a known peer by its PeerId; resolves with the peer's entry */
    connect: method({ args: z => z.tuple([z.union([multiaddrSchema(z), peerIdSchema(z)])]), result: returns<PeerEntry>() }),
    disconnect: method({ args: z => z.tuple([peerIdSchema(z)]), result: returns<void>() }),
    /** count probes over the long-lived probe stream */
    ping: method({
      args: z => z.tuple([peerIdSchema(z), z.number().int().min(1).max(1000)]),
      result: returns<PingResult>(),
      timeout: ([, count]) => 60_000 + count * PING_ALLOWANCE_PER_PROBE_MS
    })
  },
  events: {
    /** a peer appeared or any of its fields changed */
    'peer:update': carries<PeerEntry>(),
    /** a peer was dropped from the directory */
    'peer:remove': carries<{ peerId: PeerIdString }>(),
    'reachability': carries<Reachability>(),
    /** this node's listen or observed addresses changed */
    'identity': carries<NodeIdentity>()
  }
} as const
