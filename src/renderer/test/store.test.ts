import { describe, expect, it } from 'vitest'
import { appendSample, capHistory, connectedPeers, createWgtStore, knownDisconnectedCount, withPeer, withoutPeer } from '../src/store.js'
import { peer, sample } from './fixtures.js'

describe('peer reducers', () => {
  it('adds, replaces and removes by PeerId without touching the input', () => {
    const empty = {}
    const one = withPeer(empty, peer('QmAAAAAAAAAA'))
    expect(Object.keys(empty)).toEqual([])
    const updated = withPeer(one, peer('QmAAAAAAAAAA', { agent: 'x' }))
    expect(updated.QmAAAAAAAAAA.agent).toBe('x')
    expect(one.QmAAAAAAAAAA.agent).toBeNull()
    expect(withoutPeer(updated, 'QmAAAAAAAAAA')).toEqual({})
  })
  it('removing an unknown peer keeps the same object (no re-render)', () => {
    const one = withPeer({}, peer('QmAAAAAAAAAA'))
    expect(withoutPeer(one, 'QmBBBBBBBBBB')).toBe(one)
  })
  it('lists connected peers in a stable order and counts the rest', () => {
    let peers = withPeer({}, peer('QmCCCCCCCCCC'))
    peers = withPeer(peers, peer('QmAAAAAAAAAA'))
    peers = withPeer(peers, peer('QmBBBBBBBBBB', { connected: false }))
    expect(connectedPeers(peers).map(p => p.peerId)).toEqual(['QmAAAAAAAAAA', 'QmCCCCCCCCCC'])
    expect(knownDisconnectedCount(peers)).toBe(1)
  })
})

describe('history ring', () => {
  it('caps the length, dropping the oldest', () => {
    let h = capHistory([])
    for (let t = 1; t <= 7; t++) h = appendSample(h, sample(t), 5)
    expect(h.map(s => s.t)).toEqual([3, 4, 5, 6, 7])
  })
  it('drops samples that are not newer than the last (resync overlap)', () => {
    const h = appendSample(appendSample([], sample(10)), sample(20))
    expect(appendSample(h, sample(20))).toBe(h)
    expect(appendSample(h, sample(5))).toBe(h)
  })
  it('sorts and caps a fetched history', () => {
    expect(capHistory([sample(3), sample(1), sample(2)], 2).map(s => s.t)).toEqual([2, 3])
  })
})

describe('store', () => {
  it('mirrors snapshot and events', () => {
    const store = createWgtStore()
    const s = store.getState()
    s.applySnapshot({
      identity: { peerId: 'QmSELFSELFSE', agent: 'wgt', multiaddrs: [], protocols: [], startedAt: 0 },
      reachability: { status: 'unknown', reason: 'no AutoNAT result yet', addresses: [] },
      peers: [peer('QmAAAAAAAAAA')],
      history: { intervalMs: 1000, samples: [sample(1)] }
    })
    s.peerUpdated(peer('QmBBBBBBBBBB'))
    s.peerRemoved('QmAAAAAAAAAA')
    s.sampleArrived(sample(2))
    const now = store.getState()
    expect(Object.keys(now.peers)).toEqual(['QmBBBBBBBBBB'])
    expect(now.history.map(x => x.t)).toEqual([1, 2])
    expect(now.intervalMs).toBe(1000)
    expect(now.identity?.peerId).toBe('QmSELFSELFSE')
  })
  it('a snapshot clears a previous load error', () => {
    const store = createWgtStore()
    store.getState().loadFailed('INTERNAL: boom')
    store.getState().applySnapshot({
      identity: { peerId: 'QmSELFSELFSE', agent: 'wgt', multiaddrs: [], protocols: [], startedAt: 0 },
      reachability: { status: 'unknown', reason: 'r', addresses: [] },
      peers: [],
      history: { intervalMs: 1000, samples: [] }
    })
    expect(store.getState().loadError).toBeNull()
  })
})
