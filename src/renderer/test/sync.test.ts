import { describe, expect, it } from 'vitest'
import type { WgtApi, WgtEventMap, WgtEventName } from '../../shared/api.js'
import { EventHub } from '../../shared/rpc.js'
import { WgtError } from '../../shared/errors.js'
import type { PeerEntry } from '../../shared/types.js'
import { createWgtStore } from '../src/store.js'
import { syncStore } from '../src/sync.js'
import { peer, sample } from './fixtures.js'

/** A small fake of the API: listPeers resolves when the test says so, events come from a hub. */
function fakeApi (): { api: WgtApi, hub: EventHub, resolvePeers: (p: PeerEntry[]) => void, failNext: WgtError | null } {
  const hub = new EventHub()
  let resolvePeers: (p: PeerEntry[]) => void = () => {}
  const state = { failNext: null as WgtError | null }
  const api = {
    on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
    getIdentity: async () => ({ peerId: 'QmSELFSELFSE', agent: 'wgt', multiaddrs: [], protocols: [], startedAt: 0 }),
    getReachability: async () => ({ status: 'unknown' as const, reason: 'r', addresses: [] }),
    listPeers: async () => {
      if (state.failNext != null) throw state.failNext
      return await new Promise<PeerEntry[]>(resolve => { resolvePeers = resolve })
    },
    getHistory: async () => ({ intervalMs: 1000, samples: [sample(1)] })
  } as unknown as WgtApi
  return {
    api,
    hub,
    resolvePeers: (p) => { resolvePeers(p) },
    get failNext () { return state.failNext },
    set failNext (v) { state.failNext = v }
  }
}

describe('syncStore', () => {
  it('replays events that arrive while the snapshot loads on top of it', async () => {
    const f = fakeApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    const loading = sync.resync()
    await new Promise(resolve => setTimeout(resolve, 0))
    // newer than the snapshot: must survive it
    f.hub.emit('peer:update', peer('QmAAAAAAAAAA', { agent: 'newer' }))
    f.hub.emit('peer:remove', { peerId: 'QmBBBBBBBBBB' })
    f.hub.emit('metrics:sample', sample(2))
    f.resolvePeers([peer('QmAAAAAAAAAA', { agent: 'older' }), peer('QmBBBBBBBBBB')])
    await loading
    const s = store.getState()
    expect(Object.keys(s.peers)).toEqual(['QmAAAAAAAAAA'])
    expect(s.peers.QmAAAAAAAAAA.agent).toBe('newer')
    expect(s.history.map(x => x.t)).toEqual([1, 2])

    f.hub.emit('peer:update', peer('QmCCCCCCCCCC'))
    expect(Object.keys(store.getState().peers).sort()).toEqual(['QmAAAAAAAAAA', 'QmCCCCCCCCCC'])
    sync.stop()
    f.hub.emit('peer:update', peer('QmDDDDDDDDDD'))
    expect(store.getState().peers.QmDDDDDDDDDD).toBeUndefined()
  })

  it('reports load failures, but not disconnects (the banner shows those)', async () => {
    const f = fakeApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    f.failNext = new WgtError('NOT_RUNNING', 'down')
    await sync.resync()
    expect(store.getState().loadError).toBeNull()
    f.failNext = new WgtError('INTERNAL', 'boom')
    await sync.resync()
    expect(store.getState().loadError).toBe('INTERNAL: boom')
    sync.stop()
  })
})
