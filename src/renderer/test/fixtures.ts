import type { FileHealth, MetricsSample, PeerEntry, StorageInfo } from '../../shared/api/index.js'

export function peer (peerId: string, over: Partial<PeerEntry> = {}): PeerEntry {
  return {
    peerId,
    addresses: [],
    connected: true,
    connections: [],
    kind: 'direct',
    scope: 'loopback',
    protocols: [],
    agent: null,
    rtt: null,
    traffic: { inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 },
    capacity: null,
    trust: 'stranger',
    nickname: null,
    reputation: { state: 'active', violations: 0, bannedUntil: null, lastReason: null },
    lastSeen: null,
    ...over
  }
}

export function sample (t: number, peers: MetricsSample['peers'] = [], cpuLoad: number | null = 10): MetricsSample {
  return { t, traffic: { inBps: t, outBps: 2 * t, inTotal: 0, outTotal: 0 }, cpuLoad, memFree: 1, peers }
}

const MiB = 2 ** 20
const GiB = 2 ** 30

/** A node with a 10 GiB quota, 1.2 GiB of its own files, and 300 MiB kept for 3 peers in the default 5 GiB pool. */
export function storageInfo (over: { own?: Partial<StorageInfo['own']>, others?: Partial<StorageInfo['others']>, quota?: number } = {}): StorageInfo {
  const own = { bytes: Math.round(1.2 * GiB), shards: 12, ...over.own }
  const others = { bytes: 300 * MiB, shards: 75, peers: 3, pool: 5 * GiB, perPeerBytes: 640 * MiB, perPeerShards: 4096, ...over.others }
  return { used: own.bytes + others.bytes, quota: over.quota ?? 10 * GiB, shards: own.shards + others.shards, own, others, blockSize: 4096 }
}

/** A file's health with `reachable` proven shards per segment, of k + m = total. */
export function fileHealth (reachable: number[], k = 4, total = 6): FileHealth {
  const segments = reachable.map((r, index) => ({ index, k, total, reachable: r, holders: [], lost: [] }))
  return { id: 'file', checkedAt: 1, manifestReachable: true, segments, minReachable: Math.min(...reachable), recoverable: reachable.every(r => r >= k) }
}
