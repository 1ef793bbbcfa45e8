/**
 * Peer selection for work placed on peers (file shards now, compute tasks
 * next): the connected peers that speak a protocol and are in good standing,
 * with the figures a placer ranks them by, read at the moment of placement.
 * Node-side and independent of the API's PeerEntry, which is for display.
 */
import type { Libp2p } from '@libp2p/interface'
import type { PeerMeasures } from './measures.js'

export interface Candidate {
  peerId: string
  /** free bytes on the peer's data volume, as it advertised; 0 when unknown */
  diskFree: number
  /** CPU load 0..100 as advertised; null when unknown */
  cpuLoad: number | null
  cores: number | null
  /** RTT p50 in ms; Infinity when not measured yet */
  rttMs: number
}

export class PeerSelection {
  constructor (private readonly libp2p: Libp2p, private readonly measures: PeerMeasures) {}

  /** Connected peers (not us) that announced `protocol` and whose reputation is active. */
  async candidates (protocol: string): Promise<Candidate[]> {
    const self = this.libp2p.peerId
    const out: Candidate[] = []
    for (const id of this.libp2p.getPeers()) {
      if (id.equals(self)) continue
      const key = id.toString()
      if (this.measures.reputation(key).state !== 'active') continue
      const peer = await this.libp2p.peerStore.get(id).catch(() => null)
      if (peer == null || !peer.protocols.includes(protocol)) continue
      const c = this.measures.capacity(key)
      out.push({ peerId: key, diskFree: c?.diskFree ?? 0, cpuLoad: c?.cpuLoad ?? null, cores: c?.cores ?? null, rttMs: this.measures.rtt(key)?.p50 ?? Number.POSITIVE_INFINITY })
    }
    return out
  }

  rttMs (peerId: string): number {
    return this.measures.rtt(peerId)?.p50 ?? Number.POSITIVE_INFINITY
  }
}
