/**
 * What other capabilities know about a peer, read by the peer directory and
 * by peer selection: metrics plugs in RTT, traffic and capacity, guard plugs
 * in reputation, trust and nicknames. Until a source is plugged in, a peer has no
 * measurement (null), no traffic, an active reputation and is a stranger:
 * nothing is made up.
 */
import type { Capacity, Reputation, RttStats, Traffic, TrustStatus } from '../../../shared/api/index.js'

export interface PeerSources {
  rtt: (peerId: string) => RttStats | null
  traffic: (peerId: string) => Traffic
  capacity: (peerId: string) => Capacity | null
  reputation: (peerId: string) => Reputation
  trust: (peerId: string) => TrustStatus
  nickname: (peerId: string) => string | null
}

const NO_TRAFFIC: Traffic = { inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 }

export class PeerMeasures implements PeerSources {
  private sources: PeerSources = {
    rtt: () => null,
    traffic: () => NO_TRAFFIC,
    capacity: () => null,
    reputation: () => ({ state: 'active', violations: 0, bannedUntil: null, lastReason: null }),
    trust: () => 'stranger',
    nickname: () => null
  }

  /** A capability's module plugs in the figures it owns. */
  plug (sources: Partial<PeerSources>): void {
    this.sources = { ...this.sources, ...sources }
  }

  rtt (peerId: string): RttStats | null { return this.sources.rtt(peerId) }
  traffic (peerId: string): Traffic { return this.sources.traffic(peerId) }
  capacity (peerId: string): Capacity | null { return this.sources.capacity(peerId) }
  reputation (peerId: string): Reputation { return this.sources.reputation(peerId) }
  trust (peerId: string): TrustStatus { return this.sources.trust(peerId) }
  nickname (peerId: string): string | null { return this.sources.nickname(peerId) }
}
