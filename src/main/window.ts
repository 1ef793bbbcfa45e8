/** The main window and the hardening every web contents gets. */
import { BrowserWindow, desktopCapturer, screen, webContents, type Session, type WebContents, type WebFrameMain } from 'electron'
import type { AppPaths, RendererOrigin } from './app-paths.js'
import { devRendererCsp } from './csp.js'
import type { WindowsShown } from './ipc.js'
import type { MediaGrants } from './media-grants.js'
import { applyPermissionPolicy, type CaptureSource, type DisplayFrameLike } from './permissions.js'
import { pickCaptureSource, type SourceLike } from './screen-picker.js'

/**
 * Applied to every web contents the app ever creates (app 'web-contents-created'):
 * no new windows, no navigation away from our renderer, no <webview>.
 */
export function hardenWebContents (contents: WebContents, origin: RendererOrigin): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => {
    if (!origin.isTrusted(event.url)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (!origin.isTrusted(event.url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => { event.preventDefault() })
}

/** Permissions (camera, microphone and screen only while `grants` allows), and the CSP in development. */
export function hardenSession (session: Session, origin: RendererOrigin, grants: MediaGrants): void {
  applyPermissionPolicy(session, { isTrusted: origin.isTrusted, grants, chooseSource })
  // In production the app:// handler attaches the CSP itself; the dev server needs it added.
  const dev = origin.devServer
  if (dev != null) {
    const csp = devRendererCsp(dev.origin)
    session.webRequest.onHeadersReceived({ urls: [`${dev.origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
    })
  }
}

/** The screen picker, as a modal window over the window that asked. */
async function chooseSource (frame: DisplayFrameLike, signal: AbortSignal): Promise<CaptureSource | null> {
  const contents = webContents.fromFrame(frame as WebFrameMain)
  const parent = contents == null ? undefined : BrowserWindow.fromWebContents(contents) ?? undefined
  return await pickCaptureSource({
    sources: captureSources,
    createWindow: options => new BrowserWindow({ ...options, parent: options.parent as BrowserWindow | undefined }),
    parent
  }, signal)
}

/** Every screen and window, with thumbnails small enough for a grid, as JPEG to keep the picker page small. */
async function captureSources (): Promise<SourceLike[]> {
  const sources = await desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: { width: 320, height: 180 } })
  const primary = String(screen.getPrimaryDisplay().id)
  return sources.map(s => ({
    id: s.id,
    name: s.name,
    thumbnail: s.thumbnail.isEmpty() ? '' : `data:image/jpeg;base64,${s.thumbnail.toJPEG(75).toString('base64')}`,
    primary: s.display_id === primary
  }))
}

/** The windows this app created, for the IPC sender check and event delivery. */
export const ourWindows = new Set<BrowserWindow>()

const shownListeners = new Set<() => void>()
function shownChanged (): void {
  for (const l of shownListeners) l()
}

/** Whether any of our windows is on screen (not hidden to the tray, not minimized), for ipc.ts. */
export const ourWindowsShown: WindowsShown = {
  any: () => [...ourWindows].some(w => !w.isDestroyed() && w.isVisible() && !w.isMinimized()),
  onChange: listener => { shownListeners.add(listener); return () => { shownListeners.delete(listener) } }
}

export function createMainWindow (paths: AppPaths, origin: RendererOrigin): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'WGT',
    icon: paths.icon,
    backgroundColor: '#10141a',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false
    }
  })
  ourWindows.add(win)
  win.on('closed', () => { ourWindows.delete(win); shownChanged() })
  win.on('show', shownChanged)
  win.on('hide', shownChanged)
  win.on('minimize', shownChanged)
  win.on('restore', shownChanged)
  win.once('ready-to-show', () => { win.show() })
  win.loadURL(origin.entryUrl).catch((err: unknown) => {
    console.error(`wgt: could not load the renderer from ${origin.entryUrl}`, err)
  })
  return win
}

export function focusWindow (win: BrowserWindow): void {
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
