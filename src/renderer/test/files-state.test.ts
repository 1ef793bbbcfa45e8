import { describe, expect, it } from 'vitest'
import type { WgtApi, WgtEventMap, WgtEventName } from '../../shared/api.js'
import { WgtError } from '../../shared/errors.js'
import { EventHub } from '../../shared/rpc.js'
import type { FileEntry, FileHealth, FileOffer, TransferProgress } from '../../shared/types.js'
import {
  baseName, claimTransfer, healthCells, needsRepair, progressFraction, segmentState, sortedFiles, filesFromList, transferRows,
  withOffer, withTransfer, type DropJob
} from '../src/files-state.js'
import { shareFiles } from '../src/file-actions.js'
import type { HostFiles } from '../src/api/host-files.js'
import { callTimeout } from '../src/api/ws-client.js'
import { createWgtStore } from '../src/store.js'
import { syncStore } from '../src/sync.js'

const ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const LINK = `wgt://${ID}#${'A'.repeat(43)}`

function progress (transfer: string, over: Partial<TransferProgress> = {}): TransferProgress {
  return { transfer, kind: 'share', label: 'a.txt', fileId: null, phase: 'encode', done: 1, total: 4, unit: 'bytes', ...over }
}

function drop (key: string, over: Partial<DropJob> = {}): DropJob {
  return { key, name: 'a.txt', label: 'a.txt', size: 4, toPeer: null, stage: 'share', uploaded: 0, transfer: null, link: null, fileId: null, error: null, ...over }
}

function entry (id: string, createdAt: number): FileEntry {
  return { id, link: LINK, name: id, size: 1, k: 4, m: 2, segments: 1, direction: 'shared', path: null, createdAt }
}

function health (reachable: number[], k = 4, total = 6): FileHealth {
  const segments = reachable.map((r, index) => ({ index, k, total, reachable: r, holders: [] }))
  return { id: ID, checkedAt: 1, manifestReachable: true, segments, minReachable: Math.min(...reachable), recoverable: reachable.every(r => r >= k) }
}

describe('transfers', () => {
  it('keeps the latest event per transfer and only the newest finished ones', () => {
    let t = withTransfer({}, progress('a'))
    t = withTransfer(t, progress('a', { done: 3 }))
    expect(Object.keys(t)).toEqual(['a'])
    expect(t.a.done).toBe(3)
    for (const id of ['b', 'c', 'd']) t = withTransfer(t, progress(id, { phase: 'done' }), 2)
    expect(Object.keys(t)).toEqual(['a', 'c', 'd']) // 'a' still running stays; the oldest finished goes
  })

  it('lets a drop adopt the first unclaimed share transfer with its file name, once', () => {
    const drops = [drop('1', { label: 'b.txt' }), drop('2'), drop('3')]
    const once = claimTransfer(drops, progress('t1'))
    expect(once.map(d => d.transfer)).toEqual([null, 't1', null])
    expect(claimTransfer(once, progress('t1', { done: 2 }))).toBe(once)
    expect(claimTransfer(once, progress('t2')).map(d => d.transfer)).toEqual([null, 't1', 't2'])
    expect(claimTransfer(drops, progress('f', { kind: 'fetch' }))).toBe(drops)
    expect(claimTransfer([drop('u', { stage: 'upload' })], progress('t3'))[0].transfer).toBeNull()
  })

  it('lists drops with their transfer first, then the other transfers newest first', () => {
    const transfers = withTransfer(withTransfer(withTransfer({}, progress('t1')), progress('x', { kind: 'fetch' })), progress('y', { kind: 'repair' }))
    const rows = transferRows([drop('1', { transfer: 't1' })], transfers)
    expect(rows.map(r => r.key)).toEqual(['drop:1', 't:y', 't:x'])
    expect(rows[0].kind === 'drop' && rows[0].progress?.transfer).toBe('t1')
  })

  it('computes bar fractions, unknown totals included', () => {
    expect(progressFraction({ done: 1, total: 4 })).toBe(0.25)
    expect(progressFraction({ done: 5, total: 4 })).toBe(1)
    expect(progressFraction({ done: 0, total: 0 })).toBeNull()
  })
})

describe('files, offers and health', () => {
  it('sorts files newest first and dedupes offers by sender and link', () => {
    expect(sortedFiles(filesFromList([entry('a', 1), entry('b', 3), entry('c', 2)])).map(f => f.id)).toEqual(['b', 'c', 'a'])
    const offer: FileOffer = { from: 'QmPEER', link: LINK, name: 'n', size: 1, receivedAt: 1 }
    const offers = withOffer(withOffer([], offer), { ...offer, receivedAt: 2 })
    expect(offers).toHaveLength(1)
    expect(offers[0].receivedAt).toBe(2)
    expect(withOffer(offers, { ...offer, from: 'QmOTHER' })).toHaveLength(2)
    expect(withOffer(withOffer([], offer), { ...offer, link: 'x' }, 1).map(o => o.link)).toEqual(['x'])
  })

  it('grades segments, groups many into few cells showing the worst, and says when repair helps', () => {
    expect(segmentState({ reachable: 6, k: 4, total: 6 })).toBe('complete')
    expect(segmentState({ reachable: 4, k: 4, total: 6 })).toBe('degraded')
    expect(segmentState({ reachable: 3, k: 4, total: 6 })).toBe('lost')
    const many = health([...Array(99).fill(6), 3])
    const cells = healthCells(many, 10)
    expect(cells).toHaveLength(10)
    expect(cells[9]).toMatchObject({ from: 90, to: 99, state: 'lost', reachable: 3 })
    expect(cells[0].state).toBe('complete')
    expect(healthCells(health([6, 5]), 48).map(c => c.state)).toEqual(['complete', 'degraded'])
    expect(needsRepair(health([6, 5]))).toBe(true)
    expect(needsRepair(health([6, 6]))).toBe(false)
    expect(needsRepair(health([6, 3]))).toBe(false) // not recoverable: repair cannot help
    expect(baseName('C:\\up\\x\\a b.txt')).toBe('a b.txt')
    expect(baseName('/data/uploads/ab/c.txt')).toBe('c.txt')
  })

  it('keeps the last health result while re-checking and after a failed check', () => {
    const store = createWgtStore()
    const s = store.getState()
    s.healthChecked(ID, { health: health([6]) })
    s.healthChecking(ID)
    expect(store.getState().health[ID]).toMatchObject({ status: 'checking', last: { minReachable: 6 } })
    s.healthChecked(ID, { error: 'no peers' })
    expect(store.getState().health[ID]).toMatchObject({ status: 'error', message: 'no peers', last: { minReachable: 6 } })
  })
})

let storageUsed = 0

function filesApi (): { api: WgtApi, hub: EventHub, calls: string[], failShare: WgtError | null } {
  const hub = new EventHub()
  const state = { failShare: null as WgtError | null, calls: [] as string[] }
  const api = {
    on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
    getIdentity: async () => ({ peerId: 'QmSELFSELFSE', agent: 'wgt', multiaddrs: [], protocols: [], startedAt: 0 }),
    getReachability: async () => ({ status: 'unknown' as const, reason: 'r', addresses: [] }),
    listPeers: async () => [],
    getHistory: async () => ({ intervalMs: 1000, samples: [] }),
    listFiles: async () => [entry(ID, 1)],
    getStorage: async () => ({ used: storageUsed, quota: 100, shards: 0, downloadDir: '/dl' }),
    shareFile: async (path: string) => {
      state.calls.push(`share ${path}`)
      hub.emit('file:progress', progress('node-1', { label: baseName(path) }))
      if (state.failShare != null) throw state.failShare
      return { link: LINK, id: ID, name: baseName(path), size: 4, k: 4, m: 2 }
    },
    offerFile: async (peer: string, link: string) => { state.calls.push(`offer ${peer} ${link}`) }
  } as unknown as WgtApi
  return { api, hub, calls: state.calls, get failShare () { return state.failShare }, set failShare (v) { state.failShare = v } }
}

describe('files sync and drop actions', () => {
  it('loads files and storage with the snapshot, then follows files events', async () => {
    const f = filesApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    await sync.resync()
    expect(Object.keys(store.getState().files)).toEqual([ID])
    expect(store.getState().storage?.downloadDir).toBe('/dl')
    storageUsed = 42
    f.hub.emit('files:update', entry('bafkreinew', 5))
    f.hub.emit('file:offer', { from: 'QmPEER', link: LINK, name: 'n', size: 1, receivedAt: 1 })
    f.hub.emit('file:progress', progress('t9', { kind: 'fetch' }))
    const s = store.getState()
    expect(Object.keys(s.files).sort()).toEqual([ID, 'bafkreinew'].sort())
    expect(s.offers).toHaveLength(1)
    expect(s.transfers.t9.kind).toBe('fetch')
    // the stored-shards figure follows changes to our files
    await expect.poll(() => store.getState().storage?.used).toBe(42)
    sync.stop()
  })

  it('uploads in a browser, shares, follows the node transfer, and offers to the peer it was dropped on', async () => {
    const f = filesApi()
    const store = createWgtStore()
    const sync = syncStore(f.api, store)
    const uploaded: number[] = []
    const host: HostFiles = {
      kind: 'browser',
      localPath: async (file, onProgress) => { onProgress(2); uploaded.push(file.size); onProgress(file.size); return `/data/uploads/r1/${file.name}` },
      download: null
    }
    await shareFiles({ api: f.api, host, store }, [new File(['abcd'], 'a.txt')], 'QmPEERPEERPE')
    const [d] = store.getState().drops
    expect(d).toMatchObject({ stage: 'done', link: LINK, fileId: ID, uploaded: 4, transfer: 'node-1', label: 'a.txt', toPeer: 'QmPEERPEERPE' })
    expect(f.calls).toEqual(['share /data/uploads/r1/a.txt', `offer QmPEERPEERPE ${LINK}`])
    sync.stop()
  })

  it('records every failure on the drop: no path in Electron, a refused share', async () => {
    const f = filesApi()
    const store = createWgtStore()
    const electron: HostFiles = {
      kind: 'electron',
      localPath: async () => { throw new WgtError('INVALID_INPUT', 'a.txt is not a file on this computer\'s disk') },
      download: null
    }
    await shareFiles({ api: f.api, host: electron, store }, [new File(['x'], 'a.txt')], null)
    expect(store.getState().drops[0]).toMatchObject({ stage: 'failed', error: expect.stringContaining('not a file on this computer') })
    f.failShare = new WgtError('QUOTA_EXCEEDED', 'no room for the shards')
    const host: HostFiles = { kind: 'electron', localPath: async file => `/home/u/${file.name}`, download: null }
    await shareFiles({ api: f.api, host, store }, [new File(['x'], 'b.txt')], null)
    expect(store.getState().drops[1]).toMatchObject({ stage: 'failed', error: 'no room for the shards', link: null })
    expect(f.calls).toEqual(['share /home/u/b.txt'])
  })

  it('gives file-moving calls no deadline in the browser client, and health a long one', () => {
    expect(callTimeout('shareFile', 60_000)).toBeNull()
    expect(callTimeout('fetchFile', 60_000)).toBeNull()
    expect(callTimeout('repairFile', 60_000)).toBeNull()
    expect(callTimeout('fileHealth', 60_000)).toBe(180_000)
    expect(callTimeout('listPeers', 60_000)).toBe(60_000)
  })
})
