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

  const apply = (b: Buffered): void => {
    const s = store.getState()
    switch (b.event) {
      case 'peer:update': s.peerUpdated(b.data); break
      case 'peer:remove': s.peerRemoved(b.data.peerId); break
      case 'metrics:sample': s.sampleArrived(b.data); break
      case 'identity': s.identityChanged(b.data); break
      case 'reachability': s.reachabilityChanged(b.data); break
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
    api.on('reachability', handle('reachability'))
  ]

  const resync = async (): Promise<void> => {
    const mine = ++generation
    buffer = []
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
