/**
 * Electron main: hosts the node, binds its API to IPC, shows the renderer.
 * Thin on purpose: the node lives in ./node and knows nothing of Electron.
 */
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { app, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, shell, Tray, type BrowserWindow, type NotificationConstructorOptions } from 'electron'
import { createNode } from './node/index.js'
import type { WgtNode } from './node/node.js'
import { APP_SCHEME, appPaths, rendererOrigin } from './app-paths.js'
import { bindApiToIpc } from './ipc.js'
import { shutdownOnce } from './lifecycle.js'
import { CallGrants } from './call-grants.js'
import { DesktopShell } from './desktop-shell.js'
import { MediaGrants } from './media-grants.js'
import { serveRenderer } from './protocol.js'
import { TRAY_STATES, trayIconFile, type TrayState } from './tray.js'
import { createMainWindow, focusWindow, hardenSession, hardenWebContents, ourWindows, ourWindowsShown } from './window.js'

// Both must happen before 'ready'.
protocol.registerSchemesAsPrivileged([{
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true }
}])
app.enableSandbox()
// Windows shows an installed app's notifications only under its AppUserModelID, which the
// NSIS installer's shortcut carries: electron-builder.json's appId
if (process.platform === 'win32') app.setAppUserModelId('org.wgt.desktop')

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
  let stopping = false
  let startFailed = false

  // created before 'ready': wgt:// links can arrive that early (macOS's open-url)
  const devAppPath = process.defaultApp && process.argv[1] != null ? resolve(process.argv[1]) : undefined
  const desktop = new DesktopShell<BrowserWindow>({
    app,
    platform: process.platform,
    argv: process.argv,
    execPath: process.execPath,
    env: process.env,
    homeDir: homedir(),
    devAppPath,
    isTrustedUrl: origin.isTrusted,
    windows: {
      first: () => ourWindows.values().next().value,
      all: () => ourWindows,
      create: () => createMainWindow(paths, origin),
      focus: focusWindow
    },
    tray: {
      createTray: image => new Tray(image as Electron.NativeImage),
      buildMenu: template => Menu.buildFromTemplate(template),
      icon: trayIcon(dirname(paths.icon)),
      chooseFile: async () => {
        const chosen = await dialog.showOpenDialog({ title: 'Share a file', buttonLabel: 'Share', properties: ['openFile'] })
        return chosen.canceled ? null : chosen.filePaths[0] ?? null
      },
      quit: () => { app.quit() }
    },
    notifications: {
      isSupported: () => Notification.isSupported(),
      create: (options: NotificationConstructorOptions) => new Notification(options),
      // badges exist on macOS's Dock and Linux launchers only (Electron: @platform linux,darwin)
      setBadgeCount: process.platform === 'darwin' || process.platform === 'linux' ? count => app.setBadgeCount(count) : undefined
    },
    showError: (title, message) => { dialog.showErrorBox(title, message) }
  })

  const shutdown = shutdownOnce(async () => {
    stopping = true
    // a node that failed to start has nothing to stop; one still starting is awaited, then stopped
    const node = await starting?.catch(() => undefined)
    desktop.stop()
    callGrants?.stop()
    unbind?.()
    await node?.stop()
  }, (code) => { app.exit(startFailed ? 1 : code) })

  app.on('activate', () => { desktop.openWindow() })
  app.on('web-contents-created', (_event, contents) => { hardenWebContents(contents, origin) })
  // app.exit() (called once the node has stopped) does not emit before-quit again
  app.on('before-quit', (event) => {
    // from here a window's close button closes it, even with close to tray
    desktop.quitting()
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
    unbind = bindApiToIpc({ ipcMain, api: node.api, windows: () => [...ourWindows], isTrustedUrl: origin.isTrusted, shell, shown: ourWindowsShown })
    await desktop.start(node.api)
  }).catch((err: unknown) => {
    startFailed = true
    const message = err instanceof Error ? err.message : String(err)
    console.error('wgt: could not start', err)
    dialog.showErrorBox('WGT could not start', message)
    void shutdown()
  })
}

/**
 * The tray's icons, from resources/ (template images on macOS). All are read
 * at the first call, which is the tray's creation: a missing file fails it
 * loudly there rather than leaving an empty icon or failing on a later change.
 */
function trayIcon (resourcesDir: string): (state: TrayState) => Electron.NativeImage {
  let icons: Map<TrayState, Electron.NativeImage> | undefined
  const load = (state: TrayState): Electron.NativeImage => {
    const file = join(resourcesDir, trayIconFile(state, process.platform))
    const image = nativeImage.createFromPath(file)
    if (image.isEmpty()) throw new Error(`the tray icon ${file} is missing or unreadable`)
    if (process.platform === 'darwin') image.setTemplateImage(true)
    return image
  }
  return state => {
    icons ??= new Map(TRAY_STATES.map(s => [s, load(s)]))
    const image = icons.get(state)
    if (image == null) throw new Error(`no tray icon for ${state}`)
    return image
  }
}

main()
