/**
 * Electron main: hosts the node, binds its API to IPC, shows the renderer.
 * Thin on purpose: the node lives in ./node and knows nothing of Electron.
 */
import { join } from 'node:path'
import { app, dialog, ipcMain, Notification, protocol, session, shell, type NotificationConstructorOptions } from 'electron'
import { createNode } from './node/index.js'
import type { WgtNode } from './node/node.js'
import { APP_SCHEME, appPaths, rendererOrigin } from './app-paths.js'
import { bindApiToIpc } from './ipc.js'
import { shutdownOnce } from './lifecycle.js'
import { CallGrants } from './call-grants.js'
import { startCallNotifications } from './call-notifications.js'
import { MediaGrants } from './media-grants.js'
import { NotificationBudget, startChatNotifications } from './notifications.js'
import { serveRenderer } from './protocol.js'
import { createMainWindow, focusWindow, hardenSession, hardenWebContents, ourWindows } from './window.js'

// Both must happen before 'ready'.
protocol.registerSchemesAsPrivileged([{
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true }
}])
app.enableSandbox()

function main (): void {
  // One node per data directory: a second launch only brings the first window forward.
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  // A packaged app never takes its renderer from the environment: that origin gets the whole API.
  const origin = rendererOrigin(app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL)
  const paths = appPaths(import.meta.dirname, app.getAppPath())
  // camera, microphone and screen stay refused but for the calls the user placed or answered (CallGrants)
  const mediaGrants = new MediaGrants()
  let callGrants: CallGrants | undefined
  let starting: Promise<WgtNode> | undefined
  let unbind: (() => void) | undefined
  let stopNotifications: (() => void) | undefined
  let stopCallNotifications: (() => void) | undefined
  let stopping = false
  let startFailed = false

  const shutdown = shutdownOnce(async () => {
    stopping = true
    // a node that failed to start has nothing to stop; one still starting is awaited, then stopped
    const node = await starting?.catch(() => undefined)
    stopNotifications?.()
    stopCallNotifications?.()
    callGrants?.stop()
    unbind?.()
    await node?.stop()
  }, (code) => { app.exit(startFailed ? 1 : code) })

  const openWindow = (): void => {
    if (stopping || unbind == null) return
    const existing = ourWindows.values().next().value
    if (existing != null) focusWindow(existing)
    else createMainWindow(paths, origin)
  }

  app.on('second-instance', openWindow)
  app.on('activate', openWindow)
  app.on('web-contents-created', (_event, contents) => { hardenWebContents(contents, origin) })
  // app.exit() (called once the node has stopped) does not emit before-quit again
  app.on('before-quit', (event) => {
    event.preventDefault()
    void shutdown()
  })
  app.on('window-all-closed', () => {
    // on macOS an app (and here its node) stays up with no window, as users expect there
    if (process.platform !== 'darwin') app.quit()
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void shutdown() })

  app.whenReady().then(async () => {
    hardenSession(session.defaultSession, origin, mediaGrants)
    protocol.handle(APP_SCHEME, async (request) => await serveRenderer(request, paths.rendererDir))
    starting = createNode({ dataDir: join(app.getPath('userData'), 'node') })
    const node = await starting
    if (stopping) return
    callGrants = new CallGrants(node.api.on, mediaGrants)
    unbind = bindApiToIpc({ ipcMain, api: node.api, windows: () => [...ourWindows], isTrustedUrl: origin.isTrusted, shell })
    const notifying = {
      api: node.api,
      isSupported: () => Notification.isSupported(),
      create: (options: NotificationConstructorOptions) => new Notification(options),
      isFocused: () => [...ourWindows].some(w => !w.isDestroyed() && w.isFocused()),
      showWindow: openWindow,
      platform: process.platform,
      // one per-minute limit for messages and rings together
      budget: new NotificationBudget()
    }
    stopNotifications = startChatNotifications({
      ...notifying,
      // badges exist on macOS's Dock and Linux launchers only (Electron: @platform linux,darwin)
      setBadgeCount: process.platform === 'darwin' || process.platform === 'linux' ? count => app.setBadgeCount(count) : undefined
    })
    stopCallNotifications = startCallNotifications(notifying)
    openWindow()
  }).catch((err: unknown) => {
    startFailed = true
    const message = err instanceof Error ? err.message : String(err)
    console.error('wgt: could not start', err)
    dialog.showErrorBox('WGT could not start', message)
    void shutdown()
  })
}

main()
