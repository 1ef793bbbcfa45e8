/** Light/dark theme: follows the system unless the user picked one; the pick is kept in localStorage. */
import { useEffect, useSyncExternalStore } from 'react'

export type ThemePreference = 'system' | 'light' | 'dark'
export type Theme = 'light' | 'dark'

const KEY = 'wgt.theme'
const ORDER: ThemePreference[] = ['system', 'light', 'dark']

export function parsePreference (value: string | null): ThemePreference {
  return value === 'light' || value === 'dark' ? value : 'system'
}

export function nextPreference (p: ThemePreference): ThemePreference {
  return ORDER[(ORDER.indexOf(p) + 1) % ORDER.length]
}

export function resolveTheme (p: ThemePreference, systemDark: boolean): Theme {
  if (p === 'system') return systemDark ? 'dark' : 'light'
  return p
}

function readPreference (): ThemePreference {
  try { return parsePreference(localStorage.getItem(KEY)) } catch { return 'system' }
}

const listeners = new Set<() => void>()
let preference: ThemePreference = typeof localStorage === 'undefined' ? 'system' : readPreference()

export function setPreference (p: ThemePreference): void {
  preference = p
  try {
    if (p === 'system') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, p)
  } catch {
    // storage can be disabled (private mode); the choice then lasts for this page only
  }
  for (const l of listeners) l()
}

function subscribePreference (l: () => void): () => void {
  listeners.add(l)
  return () => { listeners.delete(l) }
}

const darkQuery = '(prefers-color-scheme: dark)'

function subscribeSystem (l: () => void): () => void {
  const mq = window.matchMedia(darkQuery)
  mq.addEventListener('change', l)
  return () => { mq.removeEventListener('change', l) }
}

/** The preference, the resolved theme, and keeps <html data-theme> in step with it. */
export function useTheme (): { preference: ThemePreference, theme: Theme } {
  const pref = useSyncExternalStore(subscribePreference, () => preference)
  const systemDark = useSyncExternalStore(subscribeSystem, () => window.matchMedia(darkQuery).matches)
  const theme = resolveTheme(pref, systemDark)
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  return { preference: pref, theme }
}

/** Set <html data-theme> before the first render so a stored choice never flashes the other theme. */
export function applyInitialTheme (): void {
  document.documentElement.dataset.theme = resolveTheme(preference, window.matchMedia(darkQuery).matches)
}
