import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICIES, type Contact, type FileOffer, type OperationInfo, type PeerEntry, type WgtApi, type WgtEventMap, type WgtEventName } from '../../shared/api/index.js'
import { WgtError } from '../../shared/errors.js'
import { EventHub } from '../../shared/rpc.js'
import { createWgtStore } from '../src/app/slices.js'
import { syncStore } from '../src/app/sync.js'
import { VIEWS } from '../src/app/views.js'
import { inboxCount } from '../src/files/slice.js'
import { requestCount, standingOf } from '../src/guard/state.js'
import { appendSample, capHistory } from '../src/metrics/slice.js'
import { connectedPeers, knownPeers, withPeer, withoutPeer } from '../src/net/slice.js'
import { peer, sample, storageInfo } from './fixtures.js'

describe('peer reducers', () => {
  it('adds, replaces and removes by PeerId without touching the input', () => {
    const empty = {}
    const one = withPeer(empty, peer('QmAAAAAAAAAA'))
    expect(Object.keys(empty)).toEqual([])
    const updated = withPeer(one, peer('QmAAAAAAAAAA', { agent: 'x' }))
    expect(updated.QmAAAAAAAAAA.agent).toBe('x')
    expect(one.QmAAAAAAAAAA.agent).toBeNull()
    expect(withoutPeer(updated, 'QmAAAAAAAAAA')).toEqual({})
    expect(withoutPeer(one, 'QmBBBBBBBBBB')).toBe(one)
  })
  it('lists connected peers in a stable order, and known ones most recently seen first', () => {
    let peers = withPeer({}, peer('QmCCCCCCCCCC'))
    peers = withPeer(peers, peer('QmAAAAAAAAAA'))
    peers = withPeer(peers, peer('QmBBBBBBBBBB', { connected: false, lastSeen: 5 }))
    peers = withPeer(peers, peer('QmDDDDDDDDDD', { connected: false, lastSeen: 9 }))
    expect(connectedPeers(peers).map(p => p.peerId)).toEqual(['QmAAAAAAAAAA', 'QmCCCCCCCCCC'])
    expect(knownPeers(peers).map(p => p.peerId)).toEqual(['QmDDDDDDDDDD', 'QmBBBBBBBBBB'])
  })
})

describe('history ring', () => {
  it('caps the length, dropping the oldest, and ignores samples not newer than the last', () => {
    let h = capHistory([])
    for (let t = 1; t <= 7; t++) h = appendSample(h, sample(t), 5)
    expect(h.map(s => s.t)).toEqual([3, 4, 5, 6, 7])
    expect(appendSample(h, sample(7))).toBe(h)
    expect(capHistory([sample(3), sample(1), sample(2)], 2).map(s => s.t)).toEqual([2, 3])
  })
})

function op (id: string, over: Partial<OperationInfo> = {}): OperationInfo {
  return {
    id, kind: 'fetch', state: 'running', phase: 'receiving', label: 'f', fileId: null, from: null, result: null, error: null,
    progress: { fraction: 0.5, bytesDone: 1, bytesTotal: 2, rateBps: null, etaMs: null }, startedAt: 1, endedAt: null, ...over
  } as OperationInfo
}

function contact (peerId: string, trust: Contact['trust'], nickname: string | null = null, over: Partial<Contact> = {}): Contact {
  return { peerId, trust, nickname, addresses: [], since: 1, updatedAt: 1, undelivered: false, ...over }
}

/** The API as the slices load it: listPeers resolves when the test says so; events come from a hub. */
function fakeApi () {
  const hub = new EventHub()
  let resolvePeers: (p: PeerEntry[]) => void = () => {}
  const state = { failPeers: null as WgtError | null, failFiles: null as WgtError | null, contacts: null as Promise<Contact[]> | null }
  const api = {
    on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
    getIdentity: async () => ({ peerId: 'QmSELFSELFSE', agent: 'wgt', multiaddrs: [], protocols: [], startedAt: 0 }),
    getReachability: async () => ({ status: 'unknown' as const, reason: 'r', addresses: [] }),
    listPeers: async () => {
      if (state.failPeers != null) throw state.failPeers
      return await new Promise<PeerEntry[]>(resolve => { resolvePeers = resolve })
    },
    getHistory: async () => ({ intervalMs: 1000, samples: [sample(1)] }),
    listFiles: async () => { if (state.failFiles != null) throw state.failFiles; return [] },
    listOperations: async () => [op('o1')],
    listOffers: async () => [],
    getStorage: async () => storageInfo(),
    getSettings: async () => ({ downloadDir: '/dl', keepFetchedShards: true }),
    getAbout: async () => ({ wgt: '0.1.0', node: '24', v8: '13', electron: null, chrome: null, libp2p: '3', platform: 'linux', arch: 'x64', dataDir: '/d' }),
    listContacts: async () => {
      if (state.contacts != null) return await state.contacts
      return [contact('QmFRIENDFRIE', 'contact', 'Old name'), contact('QmASKERASKER', 'request-received')]
    },
    getPolicies: async () => ({ ...DEFAULT_POLICIES }),
    listConversations: async () => [],
    listCalls: async () => [],
    getCallSettings: async () => ({ iceServers: [], mediaPath: 'auto' }),
    listBans: async () => [{ peerId: 'QmBANNEDBANN', until: Date.now() + 60_000, reason: '/wgt/shard/1.0.0: oversized message' }],
    listComputeJobs: async () => [],
    getComputeContribution: async () => ({ paused: null, running: [], recent: [], totals: { tasks: 0, failed: 0, cpuMs: 0, inputBytes: 0, outputBytes: 0 }, history: [] }),
    getComputeSettings: async () => ({ enabled: true, maxTasks: 2, memoryMb: 256, timeoutS: 120, idleOnly: false, idleLoadPercent: 25 })
  } as unknown as WgtApi
  return { api, hub, state, resolvePeers: (p: PeerEntry[]) => { resolvePeers(p) } }
}

describe('syncing the store with the node', () => {
  it('replays events that arrive while a slice loads on top of its state', async () => {
    const f = fakeApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    const loading = sync.resync()
    await new Promise(resolve => setTimeout(resolve, 0))
    // newer than the snapshot: must survive it
    f.hub.emit('peer:update', peer('QmAAAAAAAAAA', { agent: 'newer' }))
    f.hub.emit('peer:remove', { peerId: 'QmBBBBBBBBBB' })
    f.resolvePeers([peer('QmAAAAAAAAAA', { agent: 'older' }), peer('QmBBBBBBBBBB')])
    await loading
    const s = store.getState()
    expect(Object.keys(s.peers)).toEqual(['QmAAAAAAAAAA'])
    expect(s.peers.QmAAAAAAAAAA.agent).toBe('newer')
    expect(s.history.map(x => x.t)).toEqual([1])
    expect(Object.keys(s.operations)).toEqual(['o1'])
    expect(s.settings?.downloadDir).toBe('/dl')

    f.hub.emit('metrics:sample', sample(2))
    f.hub.emit('operation:update', op('o1', { state: 'done', endedAt: 5 }))
    const offer: FileOffer = { id: 'x1', from: 'QmPEER', link: 'wgt://l', name: 'n', size: 1, receivedAt: 3, request: false }
    f.hub.emit('offer:new', offer)
    expect(store.getState().history.map(x => x.t)).toEqual([1, 2])
    expect(store.getState().operations.o1.state).toBe('done')
    expect(store.getState().offers).toEqual([offer])
    f.hub.emit('offer:remove', { id: 'x1' })
    expect(store.getState().offers).toEqual([])
    sync.stop()
    f.hub.emit('peer:update', peer('QmDDDDDDDDDD'))
    expect(store.getState().peers.QmDDDDDDDDDD).toBeUndefined()
  })

  it('reports a slice that fails to load by name, leaves the others, and says nothing of disconnects', async () => {
    const f = fakeApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    f.state.failPeers = new WgtError('NOT_RUNNING', 'down')
    await sync.resync()
    expect(store.getState().loadErrors).toEqual({})
    f.state.failPeers = null
    f.state.failFiles = new WgtError('INTERNAL', 'boom')
    const loading = sync.resync()
    await new Promise(resolve => setTimeout(resolve, 0))
    f.resolvePeers([peer('QmAAAAAAAAAA')])
    await loading
    expect(store.getState().loadErrors).toEqual({ 'the files': { code: 'INTERNAL', message: 'boom' } })
    expect(Object.keys(store.getState().peers)).toEqual(['QmAAAAAAAAAA'])
    sync.stop()
  })
})

describe('the guard slice', () => {
  it('loads the book, the policies and the bans, and follows contact, policy and peer events', async () => {
    const f = fakeApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    let answer: (c: Contact[]) => void = () => {}
    f.state.contacts = new Promise(resolve => { answer = resolve })
    const loading = sync.resync()
    await new Promise(resolve => setTimeout(resolve, 0))
    // before the book is loaded, the peer directory says how we stand
    f.resolvePeers([peer('QmFRIENDFRIE', { trust: 'contact', nickname: 'From directory' })])
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(standingOf(store.getState(), 'QmFRIENDFRIE')).toEqual({ trust: 'contact', nickname: 'From directory' })
    // newer than the book being loaded: applied on top of it
    f.hub.emit('contact:update', contact('QmFRIENDFRIE', 'contact', 'Alice'))
    f.hub.emit('contact:remove', { peerId: 'QmASKERASKER' })
    answer([contact('QmFRIENDFRIE', 'contact', 'Old name'), contact('QmASKERASKER', 'request-received')])
    await loading
    let s = store.getState()
    expect(s.contactsLoaded).toBe(true)
    expect(Object.keys(s.contacts)).toEqual(['QmFRIENDFRIE'])
    expect(standingOf(s, 'QmFRIENDFRIE')).toEqual({ trust: 'contact', nickname: 'Alice' })
    // once loaded the book wins over a stale directory entry
    expect(standingOf(s, 'QmOTHEROTHER')).toEqual({ trust: 'stranger', nickname: null })
    expect(s.policies).toEqual(DEFAULT_POLICIES)
    expect(s.bans.map(b => b.peerId)).toEqual(['QmBANNEDBANN'])

    f.hub.emit('contact:update', contact('QmASKERASKER', 'request-received'))
    f.hub.emit('offer:new', { id: 'r1', from: 'QmSTRANGERSS', link: 'wgt://l', name: 'n', size: 1, receivedAt: 3, request: true })
    f.hub.emit('offer:new', { id: 'o1', from: 'QmFRIENDFRIE', link: 'wgt://m', name: 'm', size: 1, receivedAt: 4, request: false })
    s = store.getState()
    expect(requestCount(s)).toBe(2)
    expect(inboxCount(s)).toBe(1)
    expect(VIEWS.find(v => v.id === 'contacts')?.badge?.(s)).toBe(2)

    f.hub.emit('policy', { ...DEFAULT_POLICIES, offers: 'nobody' })
    expect(store.getState().policies?.offers).toBe('nobody')

    // bans follow the directory: a peer banned now is added, a ban lifted goes
    f.hub.emit('peer:update', peer('QmHOSTILEHOS', { reputation: { state: 'banned', violations: 9, bannedUntil: Date.now() + 5000, lastReason: 'flood' } }))
    f.hub.emit('peer:update', peer('QmBANNEDBANN'))
    expect(store.getState().bans).toEqual([expect.objectContaining({ peerId: 'QmHOSTILEHOS', reason: 'flood' })])
    sync.stop()
  })
})
