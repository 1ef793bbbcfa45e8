/** The main window and the hardening every web contents gets. */
import { BrowserWindow, type Session, type WebContents } from 'electron'
import type { AppPaths, RendererOrigin } from './app-paths.js'
import { devRendererCsp } from './csp.js'

/** Permissions the renderer may get: microphone/camera for calls, and writing to the clipboard (copy buttons). */
const ALLOWED_PERMISSIONS = new Set<string>(['media', 'clipboard-sanitized-write'])

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

export function hardenSession (session: Session, origin: RendererOrigin): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(ALLOWED_PERMISSIONS.has(permission) && origin.isTrusted(details.requestingUrl))
  })
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => {
    return ALLOWED_PERMISSIONS.has(permission) && origin.isTrusted(requestingOrigin)
  })
  // In production the app:// handler attaches the CSP itself; the dev server needs it added.
  const dev = origin.devServer
  if (dev != null) {
    const csp = devRendererCsp(dev.origin)
    session.webRequest.onHeadersReceived({ urls: [`${dev.origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
    })
  }
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
