/**
 * net in the UI: this node's identity and reachability, and the peers as the
 * node's peer directory reports them. Peers come only from listPeers() and
 * peer events (the directory is the source of truth); the UI never adds one.
 */
import type { NodeIdentity, PeerEntry, PeerIdString, Reachability } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'

export type Peers = Readonly<Record<PeerIdString, PeerEntry>>

export interface NetState {
  identity: NodeIdentity | null
  reachability: Reachability | null
  peers: Peers
  /** a file is being dragged over the window; the peer row under it, if any */
  dragging: boolean
  dropPeer: PeerIdString | null
  dragChanged: (dragging: boolean, dropPeer: PeerIdString | null) => void
}

export function peersFromList (list: readonly PeerEntry[]): Peers {
  const out: Record<PeerIdString, PeerEntry> = {}
  for (const p of list) out[p.peerId] = p
  return out
}

export function withPeer (peers: Peers, entry: PeerEntry): Peers {
  return { ...peers, [entry.peerId]: entry }
}

export function withoutPeer (peers: Peers, peerId: PeerIdString): Peers {
  if (!Object.hasOwn(peers, peerId)) return peers
  const out = { ...peers }
  delete out[peerId]
  return out
}

const byId = (a: PeerEntry, b: PeerEntry): number => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0

/** Connected peers in a stable order (by PeerId) so rows do not jump around as figures change. */
export function connectedPeers (peers: Peers): PeerEntry[] {
  return Object.values(peers).filter(p => p.connected).sort(byId)
}

/** Peers the node knows but is not connected to, most recently seen first. */
export function knownPeers (peers: Peers): PeerEntry[] {
  return Object.values(peers).filter(p => !p.connected).sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0) || byId(a, b))
}

export const netSlice: UiSlice<NetState> = {
  name: 'the node\'s identity and peers',
  create: (set) => ({
    identity: null,
    reachability: null,
    peers: {},
    dragging: false,
    dropPeer: null,
    dragChanged: (dragging, dropPeer) => {
      set(state => state.dragging === dragging && state.dropPeer === dropPeer ? state : { dragging, dropPeer })
    }
  }),
  events: {
    'peer:update': (store, entry) => { store.setState(s => ({ peers: withPeer(s.peers, entry) })) },
    'peer:remove': (store, { peerId }) => { store.setState(s => ({ peers: withoutPeer(s.peers, peerId) })) },
    identity: (store, identity) => { store.setState({ identity }) },
    reachability: (store, reachability) => { store.setState({ reachability }) }
  },
  load: async (api, store) => {
    const [identity, reachability, peers] = await Promise.all([api.getIdentity(), api.getReachability(), api.listPeers()])
    store.setState({ identity, reachability, peers: peersFromList(peers) })
  }
}
