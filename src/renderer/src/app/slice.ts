/**
 * A capability's part of the UI state (DESIGN.md §1): its state and actions,
 * the API events it applies, and what it loads on every (re)connect. The
 * app composes the slices in app/slices.ts; nothing else knows their names.
 */
import type { StoreApi } from 'zustand/vanilla'
import type { WgtApi, WgtEventMap, WgtEventName } from '../../../shared/api/index.js'
import type { WgtState } from './slices.js'

export type Store = StoreApi<WgtState>
export type SetState = Store['setState']
export type GetState = Store['getState']

export interface UiSlice<S> {
  /** names the slice in messages ("Could not load the files") */
  name: string
  /** initial state and actions; `set` and `get` see the whole store */
  create: (set: SetState, get: GetState) => S
  /** events this slice applies, as they arrive (or replayed after its load) */
  events?: { [E in WgtEventName]?: (store: Store, data: WgtEventMap[E]) => void }
  /**
   * What to load from the node when the connection becomes ready. Events that
   * arrive meanwhile are held and applied after it, so nothing newer is
   * overwritten by older data.
   */
  load?: (api: WgtApi, store: Store) => Promise<void>
}
