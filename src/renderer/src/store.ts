/**
 * The UI's state: a mirror of what the node reports. Peers come only from
 * listPeers() and peer:update / peer:remove events (the node's peer directory
 * is the source of truth); the store never adds a peer on its own.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import type {
  FileEntry, FileHealth, FileOffer, MetricsHistory, MetricsSample, NodeIdentity, PeerEntry, PeerIdString, Reachability, StorageInfo,
  TransferProgress
} from '../../shared/types.js'
import {
  claimTransfer, filesFromList, withDrop, withOffer, withTransfer,
  type DropJob, type Files, type HealthState, type Transfers
} from './files-state.js'

/** Enough for ten minutes at a one-second tick; older points are dropped. */
export const HISTORY_CAP = 600

export type Peers = Readonly<Record<PeerIdString, PeerEntry>>

export interface Snapshot {
  identity: NodeIdentity
  reachability: Reachability
  peers: PeerEntry[]
  history: MetricsHistory
}

export interface WgtState {
  identity: NodeIdentity | null
  reachability: Reachability | null
  peers: Peers
  history: readonly MetricsSample[]
  /** the node's metrics tick, from getHistory() */
  intervalMs: number | null
  /** the last failure to load the snapshot, shown to the user */
  loadError: string | null

  applySnapshot: (snapshot: Snapshot) => void
  peerUpdated: (entry: PeerEntry) => void
  peerRemoved: (peerId: PeerIdString) => void
  sampleArrived: (sample: MetricsSample) => void
  identityChanged: (identity: NodeIdentity) => void
  reachabilityChanged: (reachability: Reachability) => void
  loadFailed: (message: string | null) => void

  files: Files
  transfers: Transfers
  offers: readonly FileOffer[]
  health: Readonly<Record<string, HealthState>>
  storage: StorageInfo | null
  drops: readonly DropJob[]
  /** the last failure to load the files list, shown in the files card */
  filesError: string | null
  /** a file is being dragged over the window; the peer row under it, if any */
  dragging: boolean
  dropPeer: PeerIdString | null

  applyFiles: (files: readonly FileEntry[], storage: StorageInfo) => void
  filesFailed: (message: string | null) => void
  fileUpdated: (entry: FileEntry) => void
  progressArrived: (p: TransferProgress) => void
  offerArrived: (offer: FileOffer) => void
  dismissOffer: (offer: FileOffer) => void
  healthChecking: (id: string) => void
  healthChecked: (id: string, result: { health: FileHealth } | { error: string }) => void
  storageChanged: (storage: StorageInfo) => void
  dropAdded: (drop: DropJob) => void
  dropChanged: (key: string, change: Partial<DropJob>) => void
  dropDismissed: (key: string) => void
  transferDismissed: (transfer: string) => void
  dragChanged: (dragging: boolean, dropPeer: PeerIdString | null) => void
}

function lastHealth (h: HealthState | undefined): FileHealth | null {
  if (h == null) return null
  return h.status === 'ok' ? h.health : h.last
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

/**
 * Append a sample, keeping time order and at most `cap` entries. A sample not
 * newer than the last one is dropped: after a resync the same tick can arrive
 * both in getHistory() and as an event.
 */
export function appendSample (history: readonly MetricsSample[], sample: MetricsSample, cap = HISTORY_CAP): readonly MetricsSample[] {
  const last = history[history.length - 1]
  if (last != null && sample.t <= last.t) return history
  const next = history.length >= cap ? history.slice(history.length - cap + 1) : history.slice()
  next.push(sample)
  return next
}

export function capHistory (samples: readonly MetricsSample[], cap = HISTORY_CAP): readonly MetricsSample[] {
  const sorted = [...samples].sort((a, b) => a.t - b.t)
  return sorted.length > cap ? sorted.slice(sorted.length - cap) : sorted
}

/** Connected peers in a stable order (by PeerId) so rows do not jump around as figures change. */
export function connectedPeers (peers: Peers): PeerEntry[] {
  return Object.values(peers).filter(p => p.connected).sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
}

export function knownDisconnectedCount (peers: Peers): number {
  let n = 0
  for (const p of Object.values(peers)) if (!p.connected) n++
  return n
}

export type WgtStore = StoreApi<WgtState>

export function createWgtStore (): WgtStore {
  return createStore<WgtState>()((set) => ({
    identity: null,
    reachability: null,
    peers: {},
    history: [],
    intervalMs: null,
    loadError: null,

    applySnapshot: (s) => {
      set({
        identity: s.identity,
        reachability: s.reachability,
        peers: peersFromList(s.peers),
        history: capHistory(s.history.samples),
        intervalMs: s.history.intervalMs,
        loadError: null
      })
    },
    peerUpdated: (entry) => { set(state => ({ peers: withPeer(state.peers, entry) })) },
    peerRemoved: (peerId) => { set(state => ({ peers: withoutPeer(state.peers, peerId) })) },
    sampleArrived: (sample) => { set(state => ({ history: appendSample(state.history, sample) })) },
    identityChanged: (identity) => { set({ identity }) },
    reachabilityChanged: (reachability) => { set({ reachability }) },
    loadFailed: (message) => { set({ loadError: message }) },

    files: {},
    transfers: {},
    offers: [],
    health: {},
    storage: null,
    drops: [],
    filesError: null,
    dragging: false,
    dropPeer: null,

    applyFiles: (files, storage) => { set({ files: filesFromList(files), storage, filesError: null }) },
    filesFailed: (message) => { set({ filesError: message }) },
    fileUpdated: (entry) => { set(state => ({ files: { ...state.files, [entry.id]: entry } })) },
    progressArrived: (p) => { set(state => ({ transfers: withTransfer(state.transfers, p), drops: claimTransfer(state.drops, p) })) },
    offerArrived: (offer) => { set(state => ({ offers: withOffer(state.offers, offer) })) },
    dismissOffer: (offer) => { set(state => ({ offers: state.offers.filter(o => o !== offer) })) },
    healthChecking: (id) => { set(state => ({ health: { ...state.health, [id]: { status: 'checking', last: lastHealth(state.health[id]) } } })) },
    healthChecked: (id, result) => {
      set(state => ({
        health: {
          ...state.health,
          [id]: 'health' in result ? { status: 'ok', health: result.health } : { status: 'error', message: result.error, last: lastHealth(state.health[id]) }
        }
      }))
    },
    storageChanged: (storage) => { set({ storage }) },
    dropAdded: (drop) => { set(state => ({ drops: [...state.drops, drop] })) },
    dropChanged: (key, change) => { set(state => ({ drops: withDrop(state.drops, key, change) })) },
    dropDismissed: (key) => { set(state => ({ drops: state.drops.filter(d => d.key !== key) })) },
    transferDismissed: (transfer) => {
      set(state => {
        const next = { ...state.transfers }
        delete next[transfer]
        return { transfers: next }
      })
    },
    dragChanged: (dragging, dropPeer) => {
      set(state => state.dragging === dragging && state.dropPeer === dropPeer ? state : { dragging, dropPeer })
    }
  }))
}
