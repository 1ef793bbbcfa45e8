/** The frame's own state: which view is shown, and problems loading a capability's state. */
import type { UiSlice } from './slice.js'

export type ViewId = 'network' | 'files' | 'settings'

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
    if (v === 'network' || v === 'files' || v === 'settings') return v
  } catch {}
  return 'network'
}

export const appSlice: UiSlice<AppState> = {
  name: 'app',
  create: (set) => ({
    view: typeof sessionStorage === 'undefined' ? 'network' : initialView(),
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
