import type { MetricsSample, PeerEntry } from '../../shared/api/index.js'

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
