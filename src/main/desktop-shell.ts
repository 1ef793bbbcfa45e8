/**
 * The desktop shell around the node: wgt:// links, the tray, close to tray,
 * start hidden and start at login, and OS notifications, put together.
 * Created before 'ready' (links can arrive that early), started once the
 * node is up, stopped on shutdown. Electron objects are passed in
 * (structurally typed) so the whole of it is tested without an Electron
 * binary; index.ts hands over the real ones.
 */
import type { NodeApi } from '../shared/api/index.js'
import type { ShellCommand } from '../shared/shell.js'
import { startCallNotifications } from './call-notifications.js'
import { CloseToTray, type ClosableWindowLike } from './close-to-tray.js'
import { watchDesktopSettings, type DesktopSettingsWatch } from './desktop-settings.js'
import { LinkListener, registerProtocolClient, type LinkAppLike } from './links.js'
import { launchedAtLogin, StartAtLoginApplier, type LoginItemAppLike, type LoginItemContext } from './login-items.js'
import { NotificationBudgets, startChatNotifications, type NotificationLike, type NotificationOptionsLike } from './notifications.js'
import { startOfferNotifications } from './offer-notifications.js'
import { ShellCommandSender, type CommandWindowLike } from './shell-commands.js'
import { startTransferNotifications } from './transfer-notifications.js'
import { startTray, type TrayHandle, type TrayOptions } from './tray.js'

export type ShellWindowLike = CommandWindowLike & ClosableWindowLike & { isFocused: () => boolean }

export interface DesktopShellOptions<W extends ShellWindowLike> {
  app: LinkAppLike & LoginItemAppLike
  /** process.platform, process.argv, process.execPath, process.env, os.homedir() */
  platform: string
  argv: readonly string[]
  execPath: string
  env: Record<string, string | undefined>
  homeDir: string
  /** process.defaultApp: run as `electron <folder>` in development, the folder being argv[1] resolved */
  devAppPath: string | undefined
  /** whether a URL is our renderer's: only such a window gets commands */
  isTrustedUrl: (url: string) => boolean
  windows: {
    /** the app's window, if one is open (shown or hidden) */
    first: () => W | undefined
    /** every window of ours, for the focus check */
    all: () => Iterable<W>
    /** open the main window (it shows itself once ready) */
    create: () => W
    /** restore, show and focus */
    focus: (win: W) => void
  }
  /** what makes the tray; null where there is none to make */
  tray: Pick<TrayOptions, 'createTray' | 'buildMenu' | 'icon' | 'chooseFile' | 'quit'> | null
  notifications: {
    isSupported: () => boolean
    create: (options: NotificationOptionsLike) => NotificationLike
    /** app.setBadgeCount where the platform has badges */
    setBadgeCount?: (count: number) => unknown
  }
  /** tell the person something failed (dialog.showErrorBox) */
  showError: (title: string, message: string) => void
}

export class DesktopShell<W extends ShellWindowLike> {
  private readonly links: LinkListener
  private readonly commands: ShellCommandSender
  private readonly closeToTray: CloseToTray
  private readonly loginItems: StartAtLoginApplier
  private readonly stops: Array<() => void> = []
  private desktop: DesktopSettingsWatch | undefined
  private tray: TrayHandle | undefined
  private started = false
  private stopped = false
  /** the "still running in the tray" notice, kept while shown (Electron drops the handlers of one garbage collected) */
  private trayNotice: NotificationLike | null = null
  private trayNoticeShown = false

  constructor (private readonly opts: DesktopShellOptions<W>) {
    this.commands = new ShellCommandSender(opts.isTrustedUrl)
    this.closeToTray = new CloseToTray({
      platform: opts.platform,
      closeToTray: () => this.desktop?.current()?.closeToTray ?? null,
      hasTray: () => this.tray != null,
      onHidden: () => { this.tellStillRunning() }
    })
    // listening from here on: macOS's open-url can come before 'ready'; a second launch brings the window forward
    this.links = new LinkListener({ app: opts.app, argv: opts.argv, onSecondInstance: () => { this.openWindow() } })
    if (!registerProtocolClient(opts.app, { defaultApp: opts.devAppPath != null, execPath: opts.execPath, appPath: opts.devAppPath })) {
      console.error('wgt: could not register as the handler of wgt:// links')
    }
    const loginItems: LoginItemContext = {
      platform: opts.platform,
      app: opts.app,
      execPath: opts.execPath,
      appArgs: opts.devAppPath == null ? [] : [opts.devAppPath],
      env: opts.env,
      homeDir: opts.homeDir
    }
    this.loginItems = new StartAtLoginApplier(loginItems)
  }

  /** The window forward, or a new one; undefined before start and after stop. */
  openWindow (): W | undefined {
    if (!this.started || this.stopped) return undefined
    const existing = this.opts.windows.first()
    if (existing != null) {
      this.opts.windows.focus(existing)
      return existing
    }
    const win = this.opts.windows.create()
    this.commands.attach(win)
    this.closeToTray.attach(win)
    return win
  }

  /** The window forward at what the command asks for (sent once its page has loaded). */
  openCommand (cmd: ShellCommand): void {
    const win = this.openWindow()
    if (win != null) this.commands.send(win, cmd)
  }

  /** The app is quitting (before-quit): windows close for real from now on. */
  quitting (): void { this.closeToTray.quit() }

  /** Once the node is up: settings, tray, notifications, then the window (unless started hidden) and the links that waited. */
  async start (api: NodeApi): Promise<void> {
    if (this.started || this.stopped) return
    this.started = true
    const { opts } = this
    const settings = watchDesktopSettings(api, (now, before) => {
      // applied at start too, so the entry names this executable (an AppImage moved, an update)
      if (before != null && before.startAtLogin === now.startAtLogin) return
      this.loginItems.set(now.startAtLogin).catch((err: unknown) => {
        console.error('wgt: could not change starting at login', err)
        if (before != null) opts.showError(now.startAtLogin ? 'WGT could not set itself to start at login' : 'WGT could not stop starting at login', message(err))
      })
    })
    this.desktop = settings
    this.stops.push(settings.stop)

    if (opts.tray != null) {
      try {
        this.tray = startTray({
          ...opts.tray,
          api,
          showWindow: () => { this.openWindow() },
          open: cmd => { this.openCommand(cmd) },
          showError: opts.showError,
          platform: opts.platform
        })
        this.stops.push(this.tray.stop)
      } catch (err) {
        // no tray: the window is the way back, so it is never hidden (close to tray and start hidden need one)
        console.error('wgt: could not show the tray icon', err)
      }
    }

    const notifying = {
      api,
      isSupported: opts.notifications.isSupported,
      create: opts.notifications.create,
      isFocused: () => [...opts.windows.all()].some(w => !w.isDestroyed() && w.isFocused()),
      showWindow: () => { this.openWindow() },
      open: (cmd: ShellCommand) => { this.openCommand(cmd) },
      platform: opts.platform,
      // the per-minute limits, for every kind together
      budgets: new NotificationBudgets()
    }
    this.stops.push(
      startChatNotifications({ ...notifying, setBadgeCount: opts.notifications.setBadgeCount, allowed: () => settings.allows('messages') }),
      startCallNotifications({ ...notifying, allowed: () => settings.allows('calls') }),
      startOfferNotifications({ ...notifying, allowed: () => settings.allows('offers') }),
      startTransferNotifications({ ...notifying, allowed: () => settings.allows('transfers') })
    )

    // started at login with "start hidden": the tray only (a link handed over below still opens the window)
    const hidden = this.tray != null && launchedAtLogin(opts.platform, opts.argv, opts.app) && await api.getSettings().then(
      s => s.desktop.startHidden,
      (err: unknown) => { console.error('wgt: could not read whether to start hidden; showing the window', err); return false }
    )
    if (this.stopped) return
    if (!hidden) this.openWindow()
    this.links.start(cmd => { this.openCommand(cmd) })
  }

  /**
   * The first time a window is hidden to the tray in this run, one OS
   * notification says the app still runs and how to quit it: where the
   * desktop shows no tray icons (GNOME without an AppIndicator extension,
   * where creating the Tray still succeeds), the app would otherwise vanish
   * while running. Clicking it brings the window back. It answers the user's
   * own action, so it shows under do-not-disturb too.
   */
  private tellStillRunning (): void {
    if (this.trayNoticeShown || this.stopped) return
    this.trayNoticeShown = true
    if (!this.opts.notifications.isSupported()) return
    const n = this.opts.notifications.create({
      title: 'WGT is still running in the tray',
      body: 'Quit from the tray icon\'s menu. Starting WGT again brings its window back.'
    })
    const forget = (): void => { if (this.trayNotice === n) this.trayNotice = null }
    n.on('click', () => { forget(); this.openWindow() })
    n.on('close', forget)
    this.trayNotice = n
    n.show()
  }

  /** Idempotent; after it, nothing opens a window. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.closeToTray.quit()
    this.trayNotice?.close()
    this.trayNotice = null
    this.links.stop()
    for (const stop of this.stops.reverse()) stop()
    this.stops.length = 0
  }

  /** the tray's status, for tests and diagnostics; null without a tray */
  get trayStatus (): ReturnType<TrayHandle['status']> | null { return this.tray?.status() ?? null }
}

function message (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
