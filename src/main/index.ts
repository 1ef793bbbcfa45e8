/**
 * Electron main: hosts the node, binds its API to IPC, shows the renderer.
 * Thin on purpose: the node lives in ./node and knows nothing of Electron.
 */
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { app, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, shell, Tray, type BrowserWindow, type NotificationConstructorOptions } from 'electron'
import type { ShellCommand } from '../shared/shell.js'
import { createNode } from './node/index.js'
import type { WgtNode } from './node/node.js'
import { APP_SCHEME, appPaths, rendererOrigin } from './app-paths.js'
import { bindApiToIpc } from './ipc.js'
import { shutdownOnce } from './lifecycle.js'
import { CallGrants } from './call-grants.js'
import { startCallNotifications } from './call-notifications.js'
import { CloseToTray } from './close-to-tray.js'
import { watchDesktopSettings, type DesktopSettingsWatch } from './desktop-settings.js'
import { LinkListener, registerProtocolClient } from './links.js'
import { applyStartAtLogin, launchedAtLogin, type LoginItemContext } from './login-items.js'
import { MediaGrants } from './media-grants.js'
import { NotificationBudget, startChatNotifications } from './notifications.js'
import { startOfferNotifications } from './offer-notifications.js'
import { serveRenderer } from './protocol.js'
import { ShellCommandSender } from './shell-commands.js'
import { startTransferNotifications } from './transfer-notifications.js'
import { startTray, trayIconFile, type TrayHandle, type TrayState } from './tray.js'
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
  // what runs once the node is up, stopped in reverse on shutdown
  const stops: Array<() => void> = []
  let desktop: DesktopSettingsWatch | undefined
  let tray: TrayHandle | undefined
  let stopping = false
  let startFailed = false

  const commands = new ShellCommandSender(origin.isTrusted)
  const closeToTray = new CloseToTray({
    platform: process.platform,
    closeToTray: () => desktop?.current()?.closeToTray ?? null,
    hasTray: () => tray != null
  })

  const openWindow = (): BrowserWindow | undefined => {
    if (stopping || unbind == null) return undefined
    const existing: BrowserWindow | undefined = ourWindows.values().next().value
    if (existing != null) {
      focusWindow(existing)
      return existing
    }
    const win = createMainWindow(paths, origin)
    commands.attach(win)
    closeToTray.attach(win)
    return win
  }
  /** the window forward at what the command asks for (queued until its page has loaded) */
  const openCommand = (cmd: ShellCommand): void => {
    const win = openWindow()
    if (win != null) commands.send(win, cmd)
  }

  // wgt:// links: listening from here on, before 'ready' (macOS's open-url can come first); a second launch brings the window forward
  const links = new LinkListener({ app, argv: process.argv, onSecondInstance: () => { openWindow() } })
  const devAppPath = process.defaultApp && process.argv[1] != null ? resolve(process.argv[1]) : undefined
  if (!registerProtocolClient(app, { defaultApp: process.defaultApp, execPath: process.execPath, appPath: devAppPath })) {
    console.error('wgt: could not register as the handler of wgt:// links')
  }
  const loginItems: LoginItemContext = {
    platform: process.platform,
    app,
    execPath: process.execPath,
    appArgs: devAppPath == null ? [] : [devAppPath],
    env: process.env,
    homeDir: homedir()
  }

  const shutdown = shutdownOnce(async () => {
    stopping = true
    closeToTray.quit()
    links.stop()
    // a node that failed to start has nothing to stop; one still starting is awaited, then stopped
    const node = await starting?.catch(() => undefined)
    for (const stop of stops.reverse()) stop()
    callGrants?.stop()
    unbind?.()
    await node?.stop()
  }, (code) => { app.exit(startFailed ? 1 : code) })

  app.on('activate', () => { openWindow() })
  app.on('web-contents-created', (_event, contents) => { hardenWebContents(contents, origin) })
  // app.exit() (called once the node has stopped) does not emit before-quit again
  app.on('before-quit', (event) => {
    // from here a window's close button closes it, even with close to tray
    closeToTray.quit()
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
    const settings = watchDesktopSettings(node.api, (now, before) => {
      // applied at start too, so the entry names this executable (an AppImage moved, an update)
      if (before != null && before.startAtLogin === now.startAtLogin) return
      applyStartAtLogin(loginItems, now.startAtLogin).catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err)
        console.error('wgt: could not change starting at login', err)
        if (before != null) dialog.showErrorBox(now.startAtLogin ? 'WGT could not set itself to start at login' : 'WGT could not stop starting at login', message)
      })
    })
    desktop = settings
    stops.push(settings.stop)
    try {
      tray = startTray({
        api: node.api,
        createTray: image => new Tray(image as Electron.NativeImage),
        buildMenu: template => Menu.buildFromTemplate(template),
        icon: trayIcon(dirname(paths.icon)),
        showWindow: openWindow,
        open: openCommand,
        chooseFile: async () => {
          const chosen = await dialog.showOpenDialog({ title: 'Share a file', buttonLabel: 'Share', properties: ['openFile'] })
          return chosen.canceled ? null : chosen.filePaths[0] ?? null
        },
        showError: (title, message) => { dialog.showErrorBox(title, message) },
        quit: () => { app.quit() },
        platform: process.platform
      })
      stops.push(tray.stop)
    } catch (err) {
      // no tray: the window is the way back, so it is never hidden (close to tray and start hidden need one)
      console.error('wgt: could not show the tray icon', err)
    }
    const notifying = {
      api: node.api,
      isSupported: () => Notification.isSupported(),
      create: (options: NotificationConstructorOptions) => new Notification(options),
      isFocused: () => [...ourWindows].some(w => !w.isDestroyed() && w.isFocused()),
      showWindow: openWindow,
      open: openCommand,
      platform: process.platform,
      // one per-minute limit for every kind together
      budget: new NotificationBudget()
    }
    stops.push(
      startChatNotifications({
        ...notifying,
        allowed: () => settings.allows('messages'),
        // badges exist on macOS's Dock and Linux launchers only (Electron: @platform linux,darwin)
        setBadgeCount: process.platform === 'darwin' || process.platform === 'linux' ? count => app.setBadgeCount(count) : undefined
      }),
      startCallNotifications({ ...notifying, allowed: () => settings.allows('calls') }),
      startOfferNotifications({ ...notifying, allowed: () => settings.allows('offers') }),
      startTransferNotifications({ ...notifying, allowed: () => settings.allows('transfers') })
    )
    // started at login with "start hidden": the tray only (a link handed over below still opens the window)
    const hidden = tray != null && launchedAtLogin(process.platform, process.argv, app) && await node.api.getSettings().then(
      s => s.desktop.startHidden,
      (err: unknown) => { console.error('wgt: could not read whether to start hidden; showing the window', err); return false }
    )
    if (stopping) return
    if (!hidden) openWindow()
    links.start(openCommand)
  }).catch((err: unknown) => {
    startFailed = true
    const message = err instanceof Error ? err.message : String(err)
    console.error('wgt: could not start', err)
    dialog.showErrorBox('WGT could not start', message)
    void shutdown()
  })
}

/** The tray's icon for a state, from resources/ (template images on macOS); a missing file fails loudly rather than showing an empty tray. */
function trayIcon (resourcesDir: string): (state: TrayState) => Electron.NativeImage {
  return state => {
    const file = join(resourcesDir, trayIconFile(state, process.platform))
    const image = nativeImage.createFromPath(file)
    if (image.isEmpty()) throw new Error(`the tray icon ${file} is missing or unreadable`)
    if (process.platform === 'darwin') image.setTemplateImage(true)
    return image
  }
}

main()
