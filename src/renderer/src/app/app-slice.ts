/** The frame's own state: which view is shown, and problems loading a capability's state. */
import type { UiSlice } from './slice.js'

export const VIEW_IDS = ['map', 'network', 'files', 'chat', 'compute', 'contacts', 'settings'] as const
export type ViewId = typeof VIEW_IDS[number]

export interface AppState {
  view: ViewId
  /** per slice name: the last failure to load its state, shown at the top of the view */
  loadErrors: Readonly<Record<string, { code: string, message: string }>>
  showView: (view: ViewId) => void
  loadFailed: (slice: string, error: { code: string, message: string } | null) => void
}

const VIEW_KEY = 'wgt.view'

function initialView (): ViewId {
  try {
    const v = sessionStorage.getItem(VIEW_KEY)
    const known = VIEW_IDS.find(id => id === v)
    if (known != null) return known
  } catch {}
  return 'map'
}

export const appSlice: UiSlice<AppState> = {
  name: 'app',
  create: (set) => ({
    view: typeof sessionStorage === 'undefined' ? 'map' : initialView(),
    loadErrors: {},
    showView: (view) => {
      try { sessionStorage.setItem(VIEW_KEY, view) } catch {}
      set({ view })
    },
    loadFailed: (slice, error) => {
      set(state => {
        const next = { ...state.loadErrors }
        if (error == null) delete next[slice]
        else next[slice] = error
        return { loadErrors: next }
      })
    }
  })
}
