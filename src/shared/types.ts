/** Data that crosses the API. Plain JSON-safe objects only: numbers, strings, arrays. */

/** Peer identity is the libp2p PeerId string, everywhere. */
export type PeerIdString = string

export type ConnectionKind = 'direct' | 'relayed'
export type NetworkScope = 'loopback' | 'lan' | 'wan'
export type ReputationState = 'active' | 'purgatory' | 'banned'
/** Contacts arrive with guard/; until a user adds one, every peer is 'stranger'. */
export type TrustStatus = 'stranger' | 'contact' | 'blocked'

export interface ConnectionInfo {
  id: string
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  kind: ConnectionKind
  scope: NetworkScope
  /** e.g. 'tcp', 'websockets', 'webrtc-direct', 'webrtc' */
  transport: string
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
  /** protocol violations counted against this peer (malformed or oversized messages) */
  violations: number
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

export interface TrafficTotals extends Traffic {}

/** One sample of the periodic metrics tick. */
export interface MetricsSample {
  t: number
  traffic: TrafficTotals
  cpuLoad: number | null
  memFree: number | null
  /** per connected peer: rtt p50 over the window (ms, null if none yet) and rates */
  peers: Array<{ peerId: PeerIdString, rttP50: number | null, inBps: number, outBps: number }>
}

export interface MetricsSnapshot {
  t: number
  traffic: TrafficTotals
  capacity: Capacity | null
  connections: number
  peers: Array<{ peerId: PeerIdString, rtt: RttStats | null, traffic: Traffic }>
}

export interface MetricsHistory {
  intervalMs: number
  samples: MetricsSample[]
}

// ---- files (issue 3): share, fetch, health, repair ----

/** wgt://<manifest-id>#<key>: the manifest id is a CIDv1 (raw, sha2-256, base32); the key is 32 bytes base64url */
export type ShareLink = string

export interface ShareOptions {
  /** data shards per segment (default 4) */
  k?: number
  /** parity shards per segment (default 2); k + m ≤ 255 */
  m?: number
  /** keep a copy of every shard on this node too (default true) */
  keepLocalCopy?: boolean
}

export interface ShareResult {
  link: ShareLink
  /** the manifest id: the file's identity everywhere */
  id: string
  name: string
  size: number
  k: number
  m: number
}

export interface FetchResult {
  id: string
  name: string
  size: number
  /** where the verified file was written */
  path: string
  /** hex SHA-256 of the plaintext, checked against the manifest */
  sha256: string
  /** holders that served bytes whose hash did not match (their shard was rejected and another used) */
  badHolders: PeerIdString[]
  /** segments taken from an earlier interrupted fetch instead of the network */
  resumedSegments: number
}

export interface FileEntry {
  id: string
  link: ShareLink
  name: string
  size: number
  k: number
  m: number
  segments: number
  direction: 'shared' | 'received'
  /** the shared file's source path, or where a received file was saved */
  path: string | null
  createdAt: number
}

export interface SegmentHealth {
  index: number
  /** shards needed to rebuild the segment */
  k: number
  /** shards that exist (k + m) */
  total: number
  /** shards some reachable holder confirmed having, right now */
  reachable: number
  /** PeerIds that confirmed holding at least one shard of this segment */
  holders: PeerIdString[]
}

export interface FileHealth {
  id: string
  checkedAt: number
  manifestReachable: boolean
  segments: SegmentHealth[]
  /** the smallest `reachable` over all segments */
  minReachable: number
  /** every segment has at least k reachable shards */
  recoverable: boolean
}

export interface RepairResult {
  id: string
  /** shards rebuilt and placed on new holders */
  recreated: number
  health: FileHealth
}

export interface StorageInfo {
  /** bytes of shards stored for others and ourselves */
  used: number
  quota: number
  shards: number
  /** where received files are saved */
  downloadDir: string
}

export type TransferKind = 'share' | 'fetch' | 'repair'
export type TransferPhase = 'encode' | 'place' | 'locate' | 'fetch' | 'verify' | 'repair' | 'done' | 'failed'

/** Progress of long file work, emitted as 'file:progress'. */
export interface TransferProgress {
  /** unique per operation, stable across its events */
  transfer: string
  kind: TransferKind
  /** file name, or the link while the manifest is not known yet */
  label: string
  /** the manifest id once known */
  fileId: string | null
  phase: TransferPhase
  done: number
  total: number
  unit: 'bytes' | 'shards'
  /** for 'failed': the error's code and message */
  error?: { code: string, message: string }
}

/** A peer sent us a link (dropped a file onto us in its UI). */
export interface FileOffer {
  from: PeerIdString
  link: ShareLink
  name: string
  size: number
  receivedAt: number
}
