/** The main window and the hardening every web contents gets. */
import { BrowserWindow, desktopCapturer, screen, type Session, type WebContents } from 'electron'
import type { AppPaths, RendererOrigin } from './app-paths.js'
import { devRendererCsp } from './csp.js'
import type { MediaGrants } from './media-grants.js'
import { applyPermissionPolicy, type ScreenSource } from './permissions.js'

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
  applyPermissionPolicy(session, { isTrusted: origin.isTrusted, grants, screens })
  // In production the app:// handler attaches the CSP itself; the dev server needs it added.
  const dev = origin.devServer
  if (dev != null) {
    const csp = devRendererCsp(dev.origin)
    session.webRequest.onHeadersReceived({ urls: [`${dev.origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
    })
  }
}

/** Every screen, the primary one first; no thumbnails, which would capture each screen once. */
async function screens (): Promise<ScreenSource[]> {
  const sources = await desktopCapturer.getSources({ types: ['screen'], thumbnailSize: { width: 0, height: 0 } })
  const primary = String(screen.getPrimaryDisplay().id)
  return sources.sort((a, b) => Number(b.display_id === primary) - Number(a.display_id === primary))
}

/** The windows this app created, for the IPC sender check and event delivery. */
export const ourWindows = new Set<BrowserWindow>()

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
  win.on('closed', () => { ourWindows.delete(win) })
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
