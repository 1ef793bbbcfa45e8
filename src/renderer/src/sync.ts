/**
 * Keeps the store in step with the node: subscribe to events first, then load
 * a snapshot; events that arrive while the snapshot is in flight are replayed
 * on top of it so nothing newer is overwritten by older data.
 */
import type { WgtApi, WgtEventMap, WgtEventName } from '../../shared/api.js'
import { WgtError } from '../../shared/errors.js'
import type { WgtStore } from './store.js'

type Buffered = { [E in WgtEventName]: { event: E, data: WgtEventMap[E] } }[WgtEventName]

export interface StoreSync {
  /** load (or reload, e.g. after a reconnect) the full snapshot */
  resync: () => Promise<void>
  stop: () => void
}

export function syncStore (api: WgtApi, store: WgtStore): StoreSync {
  let buffer: Buffered[] | null = null
  let generation = 0

  // Shards come and go with shares, fetches, repairs and peers placing on us; the
  // figure is refreshed when our own files change or a transfer ends (one call in flight at most).
  let storageLoading = false
  let storageStale = false
  const refreshStorage = (): void => {
    if (storageLoading) { storageStale = true; return }
    storageLoading = true
    const mine = generation
    api.getStorage().then(storage => {
      if (mine === generation) store.getState().storageChanged(storage)
    }, () => {
      // the next files event or resync tries again; a load failure is shown by loadFiles
    }).finally(() => {
      storageLoading = false
      if (storageStale) { storageStale = false; refreshStorage() }
    })
  }

  const apply = (b: Buffered): void => {
    const s = store.getState()
    switch (b.event) {
      case 'peer:update': s.peerUpdated(b.data); break
      case 'peer:remove': s.peerRemoved(b.data.peerId); break
      case 'metrics:sample': s.sampleArrived(b.data); break
      case 'identity': s.identityChanged(b.data); break
      case 'reachability': s.reachabilityChanged(b.data); break
      case 'file:progress':
        s.progressArrived(b.data)
        if (b.data.phase === 'done' || b.data.phase === 'failed') refreshStorage()
        break
      case 'files:update': s.fileUpdated(b.data); refreshStorage(); break
      case 'file:offer': s.offerArrived(b.data); break
    }
  }
  const handle = <E extends WgtEventName>(event: E) => (data: WgtEventMap[E]): void => {
    const b = { event, data } as Buffered
    if (buffer != null) buffer.push(b)
    else apply(b)
  }

  const unsubscribers = [
    api.on('peer:update', handle('peer:update')),
    api.on('peer:remove', handle('peer:remove')),
    api.on('metrics:sample', handle('metrics:sample')),
    api.on('identity', handle('identity')),
    api.on('reachability', handle('reachability')),
    api.on('file:progress', handle('file:progress')),
    api.on('files:update', handle('files:update')),
    api.on('file:offer', handle('file:offer'))
  ]

  // Files load on their own: a failing files service must not hide the peers, nor the reverse.
  // 'files:update' events that race the list only add or replace entries, so no buffering is needed.
  const loadFiles = async (mine: number): Promise<void> => {
    try {
      const [files, storage] = await Promise.all([api.listFiles(), api.getStorage()])
      if (mine !== generation) return
      store.getState().applyFiles(files, storage)
    } catch (err) {
      if (mine !== generation) return
      const e = WgtError.from(err)
      if (e.code !== 'NOT_RUNNING') store.getState().filesFailed(`${e.code}: ${e.message}`)
    }
  }

  const resync = async (): Promise<void> => {
    const mine = ++generation
    buffer = []
    const files = loadFiles(mine)
    try {
      const [identity, reachability, peers, history] = await Promise.all([
        api.getIdentity(), api.getReachability(), api.listPeers(), api.getHistory()
      ])
      if (mine !== generation) return
      store.getState().applySnapshot({ identity, reachability, peers, history })
      const replay = buffer
      buffer = null
      for (const b of replay) apply(b)
    } catch (err) {
      if (mine !== generation) return
      buffer = null
      const e = WgtError.from(err)
      // a disconnect mid-load is shown by the connection banner; the reconnect reloads
      if (e.code !== 'NOT_RUNNING') store.getState().loadFailed(`${e.code}: ${e.message}`)
    }
    await files
  }

  return {
    resync,
    stop: () => {
      generation++
      buffer = null
      for (const u of unsubscribers) u()
    }
  }
}
