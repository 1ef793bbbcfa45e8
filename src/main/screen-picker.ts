/**
 * The picker getDisplayMedia answers with (permissions.ts): the user chooses a
 * screen or a window, by its thumbnail and name, in a small modal window of
 * main's own over the app's window.
 *
 * Why a window of main's and not a dialog drawn by the renderer: the renderer
 * is the one asking to capture. If it also chose, a compromised renderer could
 * "choose" any window (a password manager, another chat) without the user
 * seeing a thing during a call. Here the choice comes only from a page the
 * renderer cannot reach: it has no preload and no IPC, loads no network
 * resource, runs only the script main injects, and its answer is checked
 * against the sources main offered. It also needs no new IPC channel or
 * preload bundle, which would widen what the renderer can call.
 *
 * Electron objects are passed in (structurally typed) so this is tested with
 * the fake Electron; the page itself is tested in Chromium.
 */
import { inert } from './notifications.js'
import type { CaptureSource } from './permissions.js'
import { PICKER_SCRIPT, PICKER_URL, type PageSource } from './screen-picker-page.js'

/** Windows offered at most (screens always are): each carries a thumbnail into the page. */
export const MAX_WINDOWS = 48
/** A source's name is cut to this many characters. */
export const MAX_NAME_CHARS = 200
/** A thumbnail longer than this (as a data URL) is left out, and the source shown by name. */
export const MAX_THUMBNAIL_CHARS = 256 * 1024

/** A capturable screen or window, as the Electron glue reads desktopCapturer.getSources. */
export interface SourceLike {
  /** desktopCapturer's id: 'screen:…' or 'window:…' */
  id: string
  name: string
  /** a data:image URL, or '' when the system gave none */
  thumbnail: string
  /** the primary display, listed first */
  primary: boolean
}

/** The window settings the picker gets: sandboxed, isolated, nothing but the page. */
export const PICKER_WINDOW_OPTIONS = {
  modal: true,
  width: 760,
  height: 560,
  minWidth: 420,
  minHeight: 320,
  show: false,
  title: 'Share your screen',
  autoHideMenuBar: true,
  minimizable: false,
  maximizable: false,
  fullscreenable: false,
  webPreferences: {
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    webSecurity: true,
    webviewTag: false,
    spellcheck: false,
    devTools: false
  }
} as const

export type PickerWindowOptions = typeof PICKER_WINDOW_OPTIONS & { parent?: unknown }

/** What we use of a BrowserWindow. */
export interface PickerWindowLike {
  loadURL: (url: string) => Promise<void>
  show: () => void
  close: () => void
  isDestroyed: () => boolean
  once: (event: 'closed', listener: () => void) => unknown
  webContents: { executeJavaScript: (code: string) => Promise<unknown> }
}

export interface PickerOptions {
  /** desktopCapturer.getSources for screens and windows, with thumbnails */
  sources: () => Promise<SourceLike[]>
  /** new BrowserWindow(options) */
  createWindow: (options: PickerWindowOptions) => PickerWindowLike
  /** the window the picker sits over (its modal parent), when there is one */
  parent?: unknown
}

/**
 * Ask the user which screen or window to share. Null when they cancel (Cancel,
 * Escape, closing the window), when there is nothing to share, or when
 * `signal` aborts (the call ended): the window then closes.
 */
export async function pickCaptureSource (opts: PickerOptions, signal: AbortSignal): Promise<CaptureSource | null> {
  if (signal.aborted) return null
  const offered = pageSources(await opts.sources())
  if (signal.aborted || offered.length === 0) return null
  const win = opts.createWindow(opts.parent == null ? { ...PICKER_WINDOW_OPTIONS } : { ...PICKER_WINDOW_OPTIONS, parent: opts.parent })
  let onAbort = (): void => {}
  try {
    const gone = new Promise<null>(resolve => {
      onAbort = () => { resolve(null) }
      win.once('closed', onAbort)
      signal.addEventListener('abort', onAbort, { once: true })
    })
    const ask = async (): Promise<unknown> => {
      await win.loadURL(PICKER_URL)
      win.show()
      return await win.webContents.executeJavaScript(`(${PICKER_SCRIPT})(${JSON.stringify(offered)})`)
    }
    const chosen = await Promise.race([ask(), gone])
    // the page is ours, but its answer is only ever one of the ids offered
    const source = offered.find(s => s.id === chosen)
    return source == null || signal.aborted ? null : { id: source.id, name: source.name }
  } finally {
    signal.removeEventListener('abort', onAbort)
    if (!win.isDestroyed()) win.close()
  }
}

/** Screens (primary first) then windows, named for people, bounded in number and size. */
export function pageSources (sources: SourceLike[]): PageSource[] {
  const screens = sources.filter(s => s.id.startsWith('screen:'))
    .sort((a, b) => Number(b.primary) - Number(a.primary))
  const windows = sources.filter(s => s.id.startsWith('window:')).slice(0, MAX_WINDOWS)
  return [
    ...screens.map((s, i) => page(s, 'screen', `Screen ${i + 1}`)),
    ...windows.map(s => page(s, 'window', 'Untitled window'))
  ]
}

function page (s: SourceLike, kind: PageSource['kind'], fallback: string): PageSource {
  const chars = [...inert(s.name).trim()]
  const name = chars.length === 0 ? fallback : chars.length > MAX_NAME_CHARS ? `${chars.slice(0, MAX_NAME_CHARS - 1).join('')}…` : chars.join('')
  const thumbnail = s.thumbnail.length <= MAX_THUMBNAIL_CHARS && /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/.test(s.thumbnail) ? s.thumbnail : ''
  return { id: s.id, name, kind, thumbnail }
}
