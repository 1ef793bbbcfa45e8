/** settings in the UI: what the user chose for the node, and what it runs on. */
import type { About, NodeSettings } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'

export interface SettingsState {
  settings: NodeSettings | null
  about: About | null
  settingsChanged: (settings: NodeSettings) => void
}

export const settingsSlice: UiSlice<SettingsState> = {
  name: 'the settings',
  create: (set) => ({
    settings: null,
    about: null,
    settingsChanged: (settings) => { set({ settings }) }
  }),
  events: {
    // a change from another window, the CLI or the tray menu
    'settings:update': (store, settings) => { store.getState().settingsChanged(settings) }
  },
  load: async (api, store) => {
    const [settings, about] = await Promise.all([api.getSettings(), api.getAbout()])
    store.setState({ settings, about })
  }
}

/** A byte count as people type it: 500000000, 500 MB, 10 GiB, 1.5T (powers of 1000 for kB/MB/GB/TB, 1024 otherwise). */
export function parseByteSize (text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (m == null) return null
  const units: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, k: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, t: 2 ** 40, tib: 2 ** 40 }
  const unit = m[2].toLowerCase()
  if (!Object.hasOwn(units, unit)) return null
  const n = Math.floor(Number(m[1]) * units[unit])
  return Number.isSafeInteger(n) && n >= 0 ? n : null
}
