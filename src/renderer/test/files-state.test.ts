import { describe, expect, it } from 'vitest'
import type { FileEntry, FileHealth, FileOffer, OperationInfo, WgtApi, WgtEventMap, WgtEventName } from '../../shared/api/index.js'
import { WgtError } from '../../shared/errors.js'
import { EventHub } from '../../shared/rpc.js'
import type { HostFiles } from '../src/api/host-files.js'
import { createWgtStore } from '../src/app/slices.js'
import { shareFiles } from '../src/files/actions.js'
import { inboxCount, runningCount } from '../src/files/slice.js'
import {
  baseName, healthCells, needsRepair, operationsFromList, segmentState, sortedFiles, sortedOperations, filesFromList, withOffer, withOperation
} from '../src/files/state.js'

const ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const LINK = `wgt://${ID}#${'A'.repeat(43)}`

function op (id: string, over: Partial<OperationInfo> = {}): OperationInfo {
  return {
    id, kind: 'share', state: 'running', phase: 'sending', label: 'a.txt', fileId: null, from: null, result: null, error: null,
    progress: { fraction: 0.5, bytesDone: 2, bytesTotal: 4, rateBps: null, etaMs: null }, startedAt: 1, endedAt: null, ...over
  } as OperationInfo
}

function entry (id: string, createdAt: number, direction: FileEntry['direction'] = 'shared'): FileEntry {
  return { id, link: LINK, name: id, size: 1, k: 4, m: 2, segments: 1, direction, path: null, from: null, createdAt }
}

function health (reachable: number[], k = 4, total = 6): FileHealth {
  const segments = reachable.map((r, index) => ({ index, k, total, reachable: r, holders: [], lost: [] }))
  return { id: ID, checkedAt: 1, manifestReachable: true, segments, minReachable: Math.min(...reachable), recoverable: reachable.every(r => r >= k) }
}

describe('operations', () => {
  it('keep the latest state of each, every running one and only the newest ended ones', () => {
    let ops = operationsFromList([])
    for (let i = 0; i < 12; i++) ops = withOperation(ops, op(`e${i}`, { state: 'done', endedAt: i }), 8)
    ops = withOperation(ops, op('r1', { startedAt: 5 }))
    ops = withOperation(ops, op('r0', { startedAt: 2 }))
    expect(Object.keys(ops)).toHaveLength(10)
    const sorted = sortedOperations(ops).map(o => o.id)
    expect(sorted.slice(0, 3)).toEqual(['r0', 'r1', 'e11'])
    expect(sorted).not.toContain('e3')
    expect(runningCount({ operations: ops })).toBe(2)
  })

  it('leave compute jobs to the Compute view', () => {
    const job = op('c1', { kind: 'compute', phase: 'computing' } as Partial<OperationInfo>)
    expect(operationsFromList([job, op('f1')])).toEqual({ f1: op('f1') })
    const ops = operationsFromList([])
    expect(withOperation(ops, job)).toBe(ops)
  })
})

describe('files, offers and health', () => {
  it('sorts files newest first by direction and keeps offers newest first, one per id', () => {
    const files = filesFromList([entry('b1', 1), entry('b2', 3), entry('b3', 2, 'received')])
    expect(sortedFiles(files).map(f => f.id)).toEqual(['b2', 'b3', 'b1'])
    expect(sortedFiles(files, 'received').map(f => f.id)).toEqual(['b3'])
    const o = (id: string, receivedAt: number, request = false): FileOffer => ({ id, from: 'QmPEER', link: LINK, name: 'n', size: 1, receivedAt, request })
    const offers = withOffer(withOffer(withOffer([], o('x', 1)), o('y', 3)), o('x', 2))
    expect(offers.map(f => f.id)).toEqual(['y', 'x'])
    expect(inboxCount({ offers })).toBe(2)
    // a stranger's offer under the 'contacts' policy is a request: counted under Contacts, not here
    expect(inboxCount({ offers: withOffer(offers, o('z', 4, true)) })).toBe(2)
    expect(baseName('C:\\Users\\u\\a.txt')).toBe('a.txt')
  })

  it('grades segments, groups many into few cells showing the worst, and says when repair helps', () => {
    expect(segmentState({ reachable: 6, k: 4, total: 6 })).toBe('complete')
    expect(segmentState({ reachable: 4, k: 4, total: 6 })).toBe('degraded')
    expect(segmentState({ reachable: 3, k: 4, total: 6 })).toBe('lost')
    const many = health([...Array(100).fill(6), 3, ...Array(99).fill(6)])
    const cells = healthCells(many, 48)
    expect(cells.length).toBeLessThanOrEqual(48)
    expect(cells.filter(c => c.state === 'lost')).toHaveLength(1)
    expect(needsRepair(health([6, 5]))).toBe(true)
    expect(needsRepair(health([6, 6]))).toBe(false)
    expect(needsRepair(health([6, 3]))).toBe(false)
  })

  it('keeps the last health result while re-checking and after a failed check', () => {
    const store = createWgtStore()
    const s = store.getState()
    s.healthChecked(ID, { health: health([6]) })
    s.healthChecking(ID)
    expect(store.getState().health[ID]).toMatchObject({ status: 'checking', last: { minReachable: 6 } })
    s.healthChecked(ID, { error: { title: 't', advice: 'a', detail: 'UNAVAILABLE: no peers', code: 'UNAVAILABLE' } })
    expect(store.getState().health[ID]).toMatchObject({ status: 'error', error: { code: 'UNAVAILABLE' }, last: { minReachable: 6 } })
  })
})

function filesApi () {
  const hub = new EventHub()
  const state = { failShare: null as WgtError | null, calls: [] as string[], shareState: 'done' as OperationInfo['state'] }
  const api = {
    on: <E extends WgtEventName>(e: E, l: (d: WgtEventMap[E]) => void) => hub.on(e, l),
    shareFile: async (path: string) => {
      state.calls.push(`share ${path}`)
      if (state.failShare != null) throw state.failShare
      return { operation: 'op1' }
    },
    waitOperation: async (id: string) => op(id, {
      state: state.shareState,
      result: state.shareState === 'done' ? { link: LINK, id: ID, name: 'a.txt', size: 4, k: 4, m: 2 } : null,
      error: state.shareState === 'done' ? null : { code: 'CANCELLED', message: 'cancelled' }
    }),
    offerFile: async (peer: string, link: string) => { state.calls.push(`offer ${peer} ${link}`) }
  } as unknown as WgtApi
  return { api, hub, state }
}

describe('dropping files', () => {
  it('uploads in a browser, starts the share, and sends the link to the peer it was dropped on once the share is done', async () => {
    const f = filesApi()
    const store = createWgtStore()
    const progress: number[] = []
    const host: HostFiles = {
      kind: 'browser',
      localPath: async (file, onProgress) => { onProgress(2); progress.push(store.getState().drops[0].uploaded); onProgress(file.size); return `/data/uploads/r1/${file.name}` },
      open: null,
      reveal: null,
      download: null,
      downloadComputeResult: null,
      shellCommands: null
    }
    await shareFiles({ api: f.api, host, store }, [new File(['abcd'], 'a.txt')], 'QmPEERPEERPE')
    expect(progress).toEqual([2])
    expect(store.getState().drops[0]).toMatchObject({ operation: 'op1', uploaded: 4, toPeer: 'QmPEERPEERPE', offer: 'sent', error: null })
    expect(f.state.calls).toEqual(['share /data/uploads/r1/a.txt', `offer QmPEERPEERPE ${LINK}`])

    // a cancelled share sends nothing
    f.state.shareState = 'cancelled'
    await shareFiles({ api: f.api, host, store }, [new File(['abcd'], 'b.txt')], 'QmPEERPEERPE')
    expect(f.state.calls).toHaveLength(3)
    expect(store.getState().drops[1]).toMatchObject({ offer: null, error: null })
  })

  it('records every failure on the drop as an error a person can act on', async () => {
    const f = filesApi()
    const store = createWgtStore()
    const electron: HostFiles = {
      kind: 'electron',
      localPath: async () => { throw new WgtError('INVALID_INPUT', 'a.txt is not a file on this computer\'s disk') },
      open: null,
      reveal: null,
      download: null,
      downloadComputeResult: null,
      shellCommands: null
    }
    await shareFiles({ api: f.api, host: electron, store }, [new File(['x'], 'a.txt')], null)
    expect(store.getState().drops[0].error).toMatchObject({ title: 'Could not share the file', code: 'INVALID_INPUT', detail: expect.stringContaining('not a file on this computer') })
    f.state.failShare = new WgtError('QUOTA_EXCEEDED', 'no room for the shards')
    const host: HostFiles = { kind: 'electron', localPath: async file => `/home/u/${file.name}`, open: null, reveal: null, download: null, downloadComputeResult: null, shellCommands: null }
    await shareFiles({ api: f.api, host, store }, [new File(['x'], 'b.txt')], null)
    expect(store.getState().drops[1].error).toMatchObject({ code: 'QUOTA_EXCEEDED', advice: expect.stringContaining('storage limit') })
    expect(f.state.calls).toEqual(['share /home/u/b.txt'])
  })
})
