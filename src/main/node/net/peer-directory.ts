/**
 * The peer directory: the one source of truth for peers, keyed by PeerId string.
 * It joins libp2p's live state (connections, peer store: addresses, protocols,
 * agent) with WGT's measurements (RTT, traffic, advertised capacity) and the
 * guard's verdicts (trust, reputation). The API, the UI and later the scheduler
 * and shard placement read it; nothing keeps a second list.
 */
import type { Libp2p, PeerId, Peer } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { WgtError } from '../../../shared/errors.js'
import type { PeerEntry } from '../../../shared/api/index.js'
import { describeConnection, summarize } from './connection-info.js'
import type { PeerSources } from './measures.js'
import { parsePeerId } from './peer-id.js'

export interface PeerDirectoryEvents {
  'peer:update': CustomEvent<PeerEntry>
  'peer:remove': CustomEvent<{ peerId: string }>
}

const decoder = new TextDecoder()

export class PeerDirectory extends TypedEventEmitter<PeerDirectoryEvents> {
  private readonly lastSeen = new Map<string, number>()
  /**
   * Connected peers' peer-store records, kept current from libp2p's peer:update
   * events (every peer-store write that changes a record emits one). The
   * directory re-reads each connected peer every metrics tick; reading the
   * store each time was a LevelDB get and a protobuf decode per peer per
   * second: with 20 daemons in a full mesh on this 2-core machine, the peer
   * store was 15 % of their CPU samples (--cpu-prof).
   */
  private readonly records = new Map<string, Peer>()
  private readonly unsubscribe: Array<() => void> = []
  private started = false

  constructor (private readonly libp2p: Libp2p, private readonly sources: PeerSources) {
    super()
  }

  start (): void {
    if (this.started) return
    this.started = true
    const on = <K extends 'peer:connect' | 'peer:disconnect' | 'peer:identify' | 'peer:update' | 'connection:open' | 'connection:close'>(
      name: K, peerOf: (detail: any) => PeerId): void => {
      const handler = (evt: CustomEvent<any>): void => {
        const id = peerOf(evt.detail).toString()
        if (name === 'peer:update') {
          if (this.libp2p.getConnections(evt.detail.peer.id).length > 0) this.records.set(id, evt.detail.peer)
        } else {
          this.lastSeen.set(id, Date.now())
        }
        if (name === 'peer:disconnect') this.records.delete(id)
        this.refresh(id)
      }
      this.libp2p.addEventListener(name, handler)
      this.unsubscribe.push(() => { this.libp2p.removeEventListener(name, handler) })
    }
    on('peer:connect', d => d)
    on('peer:disconnect', d => d)
    on('peer:identify', d => d.peerId)
    on('peer:update', d => d.peer.id)
    on('connection:open', d => d.remotePeer)
    on('connection:close', d => d.remotePeer)
  }

  stop (): void {
    for (const u of this.unsubscribe.splice(0)) u()
    this.records.clear()
    this.started = false
  }

  /** Mark a peer as heard from (any valid message of a WGT protocol). */
  touch (peerId: string): void {
    this.lastSeen.set(peerId, Date.now())
  }

  /** Recompute a peer's entry and tell listeners. */
  refresh (peerId: string): void {
    if (!this.started) return
    this.get(peerId).then(
      entry => { this.emit('peer:update', entry) },
      (err: unknown) => {
        if (err instanceof WgtError && err.code === 'NOT_FOUND') {
          this.lastSeen.delete(peerId)
          this.emit('peer:remove', { peerId })
        }
      })
  }

  /** Re-emit every connected peer's entry: called on the metrics tick so RTT and rates stay live. */
  async refreshConnected (): Promise<PeerEntry[]> {
    const entries = await Promise.all(this.connectedIds().map(async id => await this.get(id).catch(() => null)))
    const live = entries.filter((e): e is PeerEntry => e != null)
    for (const e of live) this.emit('peer:update', e)
    return live
  }

  private emit<K extends keyof PeerDirectoryEvents> (name: K, detail: PeerDirectoryEvents[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(name, { detail }))
  }

  connectedIds (): string[] {
    return this.libp2p.getPeers().map(p => p.toString())
  }

  /** Every peer we know: connected ones and those remembered in the peer store. */
  async list (): Promise<PeerEntry[]> {
    const ids = new Set(this.connectedIds())
    for (const peer of await this.libp2p.peerStore.all()) ids.add(peer.id.toString())
    ids.delete(this.libp2p.peerId.toString())
    const entries = await Promise.all([...ids].map(async id => await this.get(id).catch(() => null)))
    return entries.filter((e): e is PeerEntry => e != null)
      .sort((a, b) => Number(b.connected) - Number(a.connected) || a.peerId.localeCompare(b.peerId))
  }

  async get (peerId: string): Promise<PeerEntry> {
    const id = parsePeerId(peerId)
    const key = id.toString()
    const connections = this.libp2p.getConnections(id).map(describeConnection)
    let stored = connections.length > 0 ? this.records.get(key) : undefined
    if (stored == null) {
      try {
        stored = await this.libp2p.peerStore.get(id)
        // kept only while connected and started: peer:disconnect forgets it, stop() clears all;
        // a peer:update that arrived during the read is newer than what it read
        if (this.started && !this.records.has(key) && this.libp2p.getConnections(id).length > 0) this.records.set(key, stored)
      } catch (err) {
        if ((err as Error).name !== 'NotFoundError') throw WgtError.from(err)
      }
    }
    if (stored == null && connections.length === 0) throw new WgtError('NOT_FOUND', `unknown peer ${key}`)
    const agentBytes = stored?.metadata.get('AgentVersion')
    const { kind, scope } = summarize(connections)
    return {
      peerId: key,
      addresses: (stored?.addresses ?? []).map(a => a.multiaddr.toString()),
      connected: connections.length > 0,
      connections,
      kind,
      scope,
      protocols: [...(stored?.protocols ?? [])].sort(),
      agent: agentBytes != null ? decoder.decode(agentBytes) : null,
      rtt: this.sources.rtt(key),
      traffic: this.sources.traffic(key),
      capacity: this.sources.capacity(key),
      trust: this.sources.trust(key),
      nickname: this.sources.nickname(key),
      reputation: this.sources.reputation(key),
      lastSeen: this.lastSeen.get(key) ?? null
    }
  }
}
