/**
 * Skips libp2p's peer-store merges that would change nothing but the record's
 * update stamp: a stream's protocol the peer's record already lists, or
 * addresses it already holds.
 *
 * Why: libp2p merges the negotiated protocol into the remote peer's record on
 * every stream opened or accepted (libp2p/dist/src/connection.js), and awaits
 * it before the stream is handed over; kad-dht merges the addresses of every
 * peer a query response names. A merge reads the record and always writes it
 * back (it stamps `updated`): a LevelDB read and write under the peer's write
 * lock each time, on both ends of every stream. Sharing 64 MiB, each daemon
 * made 200-300 of them (issue 12); with 256 MiB they were ~0.8 s of a
 * holder's profile (classic-level _get/_put and the peer-record codec), and
 * their write sat in the latency of every stream.
 *
 * What is skipped: a merge whose data is only `protocols` and/or `multiaddrs`,
 * when the record as last written through this peer store (the Peer its last
 * write returned) already lists every one of them, no write that could remove
 * something (patch, save, delete, a merge of other data) is under way for that
 * peer, and that last write is younger than refreshMs. Merge-mode writes only
 * add (addresses keep their first `observed`), so such a merge would have
 * written the same record with a new `updated`, and not emitted peer:update.
 * refreshMs keeps that stamp well inside the peer store's 6 h expiry
 * (MAX_PEER_AGE) for a peer in use. Every other write runs as before.
 */
import type { Peer, PeerData, PeerId, PeerStore } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** a record written this recently is not rewritten just to restamp it */
export const MERGE_REFRESH_MS = 60_000
/** peers whose last written record is remembered; beyond it the oldest are forgotten (a forgotten peer is merged as before) */
export const MERGE_KNOWN_PEERS = 1024

interface Known { peer: Peer, protocols: Set<string>, addresses: Set<string>, at: number }

export function skipMergesThatChangeNothing (peerStore: PeerStore, { refreshMs = MERGE_REFRESH_MS, maxPeers = MERGE_KNOWN_PEERS, now = Date.now } = {}): { skipped: () => number } {
  /** peer → the record its last completed write returned */
  const known = new Map<string, Known>()
  /** peer → writes under way that may change more than add protocols (patch, save, delete, other merges) */
  const changing = new Map<string, number>()
  let skipped = 0

  /** protocols and multiaddrs to add, and nothing else: what a merge that changes nothing may carry */
  const onlyAdds = (data: PeerData): boolean =>
    Object.keys(data).length > 0 && Object.entries(data).every(([k, v]) => (k === 'protocols' || k === 'multiaddrs') && Array.isArray(v))
  /** the peer store keeps a peer's own addresses without their /p2p/<peer> tail */
  const addressOf = (ma: Multiaddr, id: string): string => {
    const s = ma.toString()
    return s.endsWith(`/p2p/${id}`) ? s.slice(0, -`/p2p/${id}`.length) : s
  }
  const changesNothing = (k: Known, data: PeerData, id: string): boolean =>
    (data.protocols ?? []).every(p => k.protocols.has(p)) && (data.multiaddrs ?? []).every(ma => k.addresses.has(addressOf(ma, id)))
  const remember = (key: string, peer: Peer): void => {
    known.delete(key)
    known.set(key, { peer, protocols: new Set(peer.protocols), addresses: new Set(peer.addresses.map(a => a.multiaddr.toString())), at: now() })
    if (known.size > maxPeers) known.delete(known.keys().next().value as string)
  }

  /**
   * The peer store serializes the writes of one peer (its write lock), so the
   * record a write returns is the stored one until the next write. While a
   * write that may remove something is under way, nothing is known.
   */
  const write = async <T extends Peer | undefined>(id: PeerId, run: () => Promise<T>, changes: boolean): Promise<T> => {
    const key = id.toString()
    if (changes) {
      known.delete(key)
      changing.set(key, (changing.get(key) ?? 0) + 1)
    }
    let result: T | undefined
    try {
      result = await run()
      return result
    } finally {
      if (changes) {
        const left = (changing.get(key) ?? 1) - 1
        if (left === 0) changing.delete(key)
        else changing.set(key, left)
      }
      if (changing.has(key) || result == null) known.delete(key)
      else remember(key, result)
    }
  }

  const merge = peerStore.merge.bind(peerStore)
  const patch = peerStore.patch.bind(peerStore)
  const save = peerStore.save.bind(peerStore)
  const del = peerStore.delete.bind(peerStore)
  peerStore.merge = async (id, data, options) => {
    if (!onlyAdds(data)) return await write(id, async () => await merge(id, data, options), true)
    const key = id.toString()
    const k = known.get(key)
    if (k != null && !changing.has(key) && now() - k.at < refreshMs && changesNothing(k, data, key)) {
      skipped++
      return k.peer
    }
    return await write(id, async () => await merge(id, data, options), false)
  }
  peerStore.patch = async (id, data, options) => await write(id, async () => await patch(id, data, options), true)
  peerStore.save = async (id, data, options) => await write(id, async () => await save(id, data, options), true)
  peerStore.delete = async (id, options) => { await write(id, async () => { await del(id, options); return undefined }, true) }
  return { skipped: () => skipped }
}
