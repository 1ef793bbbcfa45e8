/** What every view reaches: the API, the store, the link to the node, and the host (Electron or browser). */
import { createContext, useContext, useSyncExternalStore } from 'react'
import { useStore } from 'zustand'
import type { WgtApi } from '../../../shared/api/index.js'
import type { ConnectionState } from '../../../shared/api-client.js'
import type { HostFiles } from '../api/host-files.js'
import type { WgtState, WgtStore } from './slices.js'

/** What the UI needs to know about the link to the node, whichever transport carries it. */
export interface Connection {
  state: () => ConnectionState
  onState: (listener: (state: ConnectionState) => void) => () => void
  retryNow: () => void
}

/** Electron's preload bridge: the node lives in the same app, so the link is always up. */
export const ALWAYS_READY: Connection = {
  state: () => ({ status: 'ready' }),
  onState: () => () => {},
  retryNow: () => {}
}

export interface AppContextValue {
  api: WgtApi
  store: WgtStore
  connection: Connection
  /** how dropped files reach the node, and fetched files reach the user */
  host: HostFiles
}

export const AppContext = createContext<AppContextValue | null>(null)

export function useApp (): AppContextValue {
  const ctx = useContext(AppContext)
  if (ctx == null) throw new Error('useApp outside AppContext')
  return ctx
}

export function useWgt<T> (selector: (s: WgtState) => T): T {
  return useStore(useApp().store, selector)
}

export function useConnectionState (connection: Connection): ConnectionState {
  return useSyncExternalStore(connection.onState, connection.state)
}
