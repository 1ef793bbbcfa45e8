/**
 * Keeps the store in step with the node: every slice's events are subscribed
 * first, then each slice loads its state; events that arrive while a load is
 * in flight are replayed on top of it. Slices load independently: one
 * failing (the files service, say) does not hide the others.
 */
import type { WgtApi, WgtEventMap, WgtEventName } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import type { UiSlice } from './slice.js'
import { SLICES, type WgtStore } from './slices.js'

export interface StoreSync {
  /** load (or reload, e.g. after a reconnect) every slice's state */
  resync: () => Promise<void>
  stop: () => void
}

type Handler = (store: WgtStore, data: unknown) => void

export function syncStore (api: WgtApi, store: WgtStore, slices: ReadonlyArray<UiSlice<any>> = SLICES): StoreSync {
  let generation = 0
  let buffer: Array<{ slice: number, handler: Handler, data: unknown }> | null = null
  const loading = new Set<number>()

  const unsubscribers: Array<() => void> = []
  slices.forEach((slice, index) => {
    for (const [event, handler] of Object.entries(slice.events ?? {}) as Array<[WgtEventName, Handler]>) {
      unsubscribers.push(api.on(event, (data: WgtEventMap[typeof event]) => {
        if (buffer != null && loading.has(index)) buffer.push({ slice: index, handler, data })
        else handler(store, data)
      }))
    }
  })

  const resync = async (): Promise<void> => {
    const mine = ++generation
    buffer = []
    await Promise.all(slices.map(async (slice, index) => {
      if (slice.load == null) return
      loading.add(index)
      const name = slice.name
      try {
        await slice.load(api, store)
        if (mine !== generation) return
        store.getState().loadFailed(name, null)
      } catch (err) {
        if (mine !== generation) return
        const e = WgtError.from(err)
        // a disconnect mid-load is shown by the connection banner; the reconnect reloads
        if (e.code !== 'NOT_RUNNING') store.getState().loadFailed(name, { code: e.code, message: e.message })
      } finally {
        loading.delete(index)
        if (mine === generation && buffer != null) {
          const replay = buffer.filter(b => b.slice === index)
          buffer = buffer.filter(b => b.slice !== index)
          for (const b of replay) b.handler(store, b.data)
        }
      }
    }))
    if (mine === generation) buffer = null
  }

  return {
    resync,
    stop: () => {
      generation++
      buffer = null
      for (const u of unsubscribers.splice(0)) u()
    }
  }
}
