/**
 * The UI's capabilities. Adding one: its folder with a slice and views, one
 * line in SLICES below, one in WgtState, and one in views.ts.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import { callsSlice, type CallsState } from '../calls/slice.js'
import { chatSlice, type ChatState } from '../chat/slice.js'
import { computeSlice, type ComputeState } from '../compute/slice.js'
import { filesSlice, type FilesState } from '../files/slice.js'
import { guardSlice, type GuardState } from '../guard/slice.js'
import { metricsSlice, type MetricsState } from '../metrics/slice.js'
import { netSlice, type NetState } from '../net/slice.js'
import { settingsSlice, type SettingsState } from '../settings/slice.js'
import { appSlice, type AppState } from './app-slice.js'
import type { UiSlice } from './slice.js'

export type WgtState = AppState & NetState & GuardState & MetricsState & FilesState & ChatState & CallsState & ComputeState & SettingsState

export const SLICES: ReadonlyArray<UiSlice<any>> = [
  appSlice,
  netSlice,
  guardSlice,
  metricsSlice,
  filesSlice,
  chatSlice,
  callsSlice,
  computeSlice,
  settingsSlice
]

export type WgtStore = StoreApi<WgtState>

export function createWgtStore (): WgtStore {
  return createStore<WgtState>()((set, get) => Object.assign({}, ...SLICES.map(s => s.create(set, get))) as WgtState)
}
