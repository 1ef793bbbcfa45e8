/**
 * A small fake of the parts of Electron the IPC glue touches, faithful where it
 * matters for correctness:
 * - IPC payloads are structured-cloned, and an invoke whose handler throws (or
 *   is missing) rejects with a plain Error, as Electron does;
 * - contextBridge copies values between worlds: functions are proxied, objects
 *   are copied without prototypes, and an Error keeps only its message;
 * - a session without permission handlers grants every request and check, and
 *   refuses getDisplayMedia, as Electron's defaults do;
 * - a Notification shows nothing until show(), and its events come only from
 *   the user (click, dismiss); app.setBadgeCount answers whether it worked;
 * - a BrowserWindow that is closed is destroyed, emits 'closed' once, and
 *   throws when used after; executeJavaScript answers what the page's script
 *   resolves with, which here the test (the user) decides.
 * - a window's close button emits 'close', which the app may preventDefault
 *   (then the window stays); otherwise it closes and is destroyed. A
 *   main-frame navigation to another document emits, in Electron's order,
 *   'did-start-navigation' (details: isMainFrame true, isSameDocument
 *   false), then 'will-navigate' (only for one the page or the user starts,
 *   e.g. a link dropped on the window; not for a reload or loadURL), then,
 *   once the new document commits, 'did-navigate'; the main frame's
 *   'did-finish-load' follows when the test says the page has loaded. A
 *   will-navigate listener that calls preventDefault cancels it: no event
 *   follows and the old page stays, still listening (Electron: "subsequent
 *   events will not fire"). A hash change is a same-document navigation,
 *   which neither unloads the page nor emits did-finish-load again; a
 *   message sent while a page loads reaches its preload but not page
 *   scripts that have yet to run, which is why the app waits for the load;
 * - a Tray shows the image, tooltip and menu last set; a menu item's click
 *   runs only if the item is enabled and not a separator (disabled items
 *   cannot be picked); a destroyed tray throws when used;
 * - Menu.buildFromTemplate copies the template: later changes to the
 *   template objects do not reach a built menu (hence the app sets a new one);
 * - app 'open-url' passes an event whose preventDefault the handler is to
 *   call, and may fire before 'ready'; 'second-instance' carries the second
 *   launch's argv; setAsDefaultProtocolClient answers whether it worked;
 * - login items: args are kept on Windows only (macOS ignores them, per
 *   Electron's docs), and on Windows getLoginItemSettings reports
 *   openAtLogin only when asked with the same args it was set with;
 *   wasOpenedAtLogin exists on macOS only.
 */
import type { FrameLike, IpcMainLike, InvokeEventLike, WindowLike } from '../ipc.js'
import type { NotificationLike, NotificationOptionsLike } from '../notifications.js'
import type { CaptureSource, PermissionSessionLike } from '../permissions.js'
import { PICKER_SCRIPT, type PageSource } from '../screen-picker-page.js'
import type { PickerWindowLike, PickerWindowOptions } from '../screen-picker.js'
import type { IpcRendererLike } from '../../preload/bridge.js'

type Handler = (event: InvokeEventLike, ...args: any[]) => Promise<unknown>

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>()

  handle (channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }

  removeHandler (channel: string): void {
    this.handlers.delete(channel)
  }

  /** a message from `frame`, which lives in the web contents with id `senderId` */
  async invoke (senderId: number, frame: FrameLike | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (handler == null) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`)
    try {
      return structuredClone(await handler({ sender: { id: senderId }, senderFrame: frame }, ...structuredClone(args)))
    } catch (err) {
      throw new Error(`Error invoking remote method '${channel}': ${String(err)}`)
    }
  }
}

export class FakeFrame implements FrameLike {
  constructor (public url: string, readonly parent: FakeFrame | null = null) {}
}

type RendererListener = (event: unknown, ...args: any[]) => void

/** The renderer-process end of one frame: ipcRenderer as its preload sees it. */
export class FakeIpcRenderer implements IpcRendererLike {
  private readonly listeners = new Map<string, Set<RendererListener>>()

  constructor (private readonly ipcMain: FakeIpcMain, private readonly senderId: number, private readonly frame: FrameLike) {}

  async invoke (channel: string, ...args: unknown[]): Promise<unknown> {
    return await this.ipcMain.invoke(this.senderId, this.frame, channel, ...args)
  }

  on (channel: string, listener: RendererListener): this {
    let set = this.listeners.get(channel)
    if (set == null) { set = new Set(); this.listeners.set(channel, set) }
    set.add(listener)
    return this
  }

  deliver (channel: string, args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l({}, ...structuredClone(args))
  }
}

let nextWebContentsId = 1

export class FakeWindow implements WindowLike {
  destroyed = false
  readonly renderer: FakeIpcRenderer
  /** what contextBridge put on window in the main world */
  readonly mainWorld: Record<string, any> = {}
  readonly sent: Array<{ channel: string, args: unknown[] }> = []
  readonly webContents: WindowLike['webContents'] & { mainFrame: FakeFrame }

  constructor (ipcMain: FakeIpcMain, url: string) {
    const mainFrame = new FakeFrame(url)
    const id = nextWebContentsId++
    this.renderer = new FakeIpcRenderer(ipcMain, id, mainFrame)
    this.webContents = {
      id,
      mainFrame,
      isDestroyed: () => this.destroyed,
      send: (channel: string, ...args: unknown[]) => {
        if (this.destroyed) throw new Error('Object has been destroyed')
        this.sent.push({ channel, args })
        this.renderer.deliver(channel, args)
      }
    }
  }

  isDestroyed (): boolean { return this.destroyed }

  readonly contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => { this.mainWorld[key] = acrossBridge(api) }
  }
}

function copyError (err: unknown): Error {
  return new Error(err instanceof Error ? err.message : String(err))
}

/** contextBridge's copy semantics, in one direction or the other. */
export function acrossBridge (value: unknown): any {
  if (typeof value === 'function') {
    return (...args: unknown[]) => {
      let result: unknown
      try {
        result = value(...args.map(acrossBridge))
      } catch (err) {
        throw copyError(err)
      }
      if (result instanceof Promise) return result.then(acrossBridge, (err: unknown) => { throw copyError(err) })
      return acrossBridge(result)
    }
  }
  if (value instanceof Error) return copyError(value)
  if (Array.isArray(value)) return value.map(acrossBridge)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, acrossBridge(v)]))
  }
  return value
}

type RequestHandler = Parameters<PermissionSessionLike['setPermissionRequestHandler']>[0]
type CheckHandler = Parameters<PermissionSessionLike['setPermissionCheckHandler']>[0]
type DisplayMediaHandler = Parameters<PermissionSessionLike['setDisplayMediaRequestHandler']>[0]

/** scheme://host, as Chromium reports a standard scheme's origin (Node's URL says "null" for app:) */
function originOf (url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}`
  } catch {
    return 'null'
  }
}

/** The permission side of a Session: the handlers the app sets, asked the way Chromium asks them. */
export class FakeSession implements PermissionSessionLike {
  private onRequest: RequestHandler | undefined
  private onCheck: CheckHandler | undefined
  private onDisplayMedia: DisplayMediaHandler | undefined

  setPermissionRequestHandler (handler: RequestHandler): void { this.onRequest = handler }
  setPermissionCheckHandler (handler: CheckHandler): void { this.onCheck = handler }
  setDisplayMediaRequestHandler (handler: DisplayMediaHandler): void { this.onDisplayMedia = handler }

  /** a page in `frame` asks, e.g. getUserMedia: 'media' with the media types it wants */
  async request (frame: FakeFrame, permission: string, mediaTypes: Array<'video' | 'audio'> = []): Promise<boolean> {
    const handler = this.onRequest
    if (handler == null) return true
    return await new Promise(resolve => {
      const details = { requestingUrl: frame.url, isMainFrame: frame.parent == null, mediaTypes, securityOrigin: originOf(frame.url) }
      handler({}, permission, resolve, details)
    })
  }

  /** Chromium only asks whether `frame` has it, e.g. a 'media' check with mediaType video or audio */
  check (frame: FakeFrame, permission: string, mediaType?: 'video' | 'audio' | 'unknown'): boolean {
    const handler = this.onCheck
    if (handler == null) return true
    const details = { isMainFrame: frame.parent == null, mediaType, requestingUrl: frame.url, securityOrigin: originOf(frame.url) }
    return handler({}, permission, originOf(frame.url), details)
  }

  /** getDisplayMedia in `frame`: the streams granted, or null when refused */
  async displayMedia (frame: FakeFrame | null, securityOrigin = frame == null ? 'null' : originOf(frame.url)): Promise<{ video: CaptureSource } | null> {
    const handler = this.onDisplayMedia
    if (handler == null) return null
    const request = { frame, securityOrigin, videoRequested: true, audioRequested: false, userGesture: true }
    return await new Promise(resolve => { handler(request, resolve) })
  }
}

/** One Notification: constructed with its options, on screen once show() is called. */
export class FakeNotification implements NotificationLike {
  shown = false
  private readonly listeners = new Map<string, Array<(...args: any[]) => void>>()

  constructor (readonly options: NotificationOptionsLike, private readonly center: FakeNotificationCenter) {}

  on (event: 'click' | 'close' | 'action', listener: (details: { actionIndex?: number } | undefined, actionIndex?: number) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }

  show (): void {
    this.shown = true
    this.center.shown.push(this)
  }

  /** the user clicks it */
  click (): void { this.byUser(); this.emit('click') }
  /** the user dismisses it */
  dismiss (): void { this.byUser(); this.emit('close') }
  /** the user presses the button at `index` of options.actions (only there if the options have it) */
  act (index: number): void {
    if (index < 0 || index >= (this.options.actions?.length ?? 0)) throw new Error(`this notification has no action ${index}`)
    this.byUser()
    // as Electron 45 does: the index in the details, and (deprecated) as the second argument
    this.emit('action', { actionIndex: index }, index)
  }

  closed = false
  /** the app takes it away (Electron: notification.close(), which emits 'close') */
  close (): void {
    if (this.closed) return
    this.closed = true
    if (this.shown) this.emit('close')
  }

  listenerCount (): number {
    return [...this.listeners.values()].reduce((a, l) => a + l.length, 0)
  }

  /** what the user can touch is on screen */
  private byUser (): void {
    if (!this.shown) throw new Error('a notification that was never shown cannot be clicked or dismissed')
    if (this.closed) throw new Error('a notification the app closed is gone from the screen')
  }

  private emit (event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args)
  }
}

/** The Notification class as the system has it: Notification.isSupported() and new Notification(options). */
export class FakeNotificationCenter {
  supported = true
  readonly shown: FakeNotification[] = []
  readonly isSupported = (): boolean => this.supported
  readonly create = (options: NotificationOptionsLike): FakeNotification => new FakeNotification(options, this)
}

/** app's badge: setBadgeCount(0) hides it. */
export class FakeApp {
  badgeCount = 0
  readonly badgeHistory: number[] = []
  readonly setBadgeCount = (count: number): boolean => {
    this.badgeCount = count
    this.badgeHistory.push(count)
    return true
  }
}

/** The focus state of a BrowserWindow, with what focusWindow() calls. */
export class FakeFocusWindow {
  focused = false
  minimized = false
  visible = true
  isFocused (): boolean { return this.focused }
  isMinimized (): boolean { return this.minimized }
  restore (): void { this.minimized = false; this.visible = true }
  show (): void { this.visible = true }
  focus (): void { if (this.visible && !this.minimized) this.focused = true }
  /** the user switches to another application */
  blur (): void { this.focused = false }
}

/** The screen picker's window: the test plays the user through choose(), cancel() and closeByUser(). */
export class FakePickerWindow implements PickerWindowLike {
  loadedUrl: string | null = null
  shown = false
  private destroyed = false
  private script: string | null = null
  private readonly closedListeners: Array<() => void> = []
  private resolvePage: ((value: unknown) => void) | null = null

  constructor (readonly options: PickerWindowOptions) {}

  async loadURL (url: string): Promise<void> {
    this.alive()
    this.loadedUrl = url
  }

  show (): void {
    this.alive()
    this.shown = true
  }

  close (): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const l of this.closedListeners) l()
  }

  isDestroyed (): boolean { return this.destroyed }

  once (_event: 'closed', listener: () => void): this {
    this.closedListeners.push(listener)
    return this
  }

  readonly webContents = {
    executeJavaScript: async (code: string): Promise<unknown> => {
      this.alive()
      this.script = code
      return await new Promise(resolve => { this.resolvePage = resolve })
    }
  }

  /** whether the page is up and waiting for the user */
  get asking (): boolean { return this.resolvePage != null && !this.destroyed }

  /** the sources the injected script was given */
  offered (): PageSource[] {
    const prefix = `(${PICKER_SCRIPT})(`
    if (this.script == null || !this.script.startsWith(prefix)) throw new Error('the picker script was not injected')
    return JSON.parse(this.script.slice(prefix.length, -1)) as PageSource[]
  }

  /** what the page's script resolves with: an id when the user shares, null when they cancel */
  answer (value: unknown): void {
    if (this.resolvePage == null) throw new Error('the page is not asking')
    this.resolvePage(value)
  }

  /** the user closes the window with its close button */
  closeByUser (): void { this.close() }

  private alive (): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
  }
}

/** A BrowserWindow as the shell sees it (close to tray, shell commands): the test is the user and the page. */
export class FakeShellWindow {
  destroyed = false
  visible = true
  focused = false
  minimized = false
  private readonly listeners = new Map<string, Array<(...args: any[]) => void>>()
  private readonly contentListeners = new Map<string, Array<(details?: unknown) => void>>()
  /** what the page's preload received, in order */
  readonly received: Array<{ channel: string, args: unknown[] }> = []

  readonly webContents = {
    isDestroyed: () => this.destroyed,
    mainFrame: { url: 'app://wgt/index.html' },
    send: (channel: string, ...args: unknown[]) => {
      if (this.destroyed) throw new Error('Object has been destroyed')
      this.received.push({ channel, args: structuredClone(args) })
    },
    on: (event: string, listener: (details?: any) => void) => {
      this.contentListeners.set(event, [...(this.contentListeners.get(event) ?? []), listener])
      return this.webContents
    }
  }

  on (event: string, listener: (...args: any[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }

  isDestroyed (): boolean { return this.destroyed }
  isFocused (): boolean { return this.focused }
  isMinimized (): boolean { return this.minimized }
  isVisible (): boolean { return this.visible }
  hide (): void { this.alive(); this.visible = false; this.focused = false }
  show (): void { this.alive(); this.visible = true }
  restore (): void { this.alive(); this.minimized = false; this.visible = true }
  focus (): void { this.alive(); if (this.visible && !this.minimized) this.focused = true }

  /** the page has loaded (its scripts ran) */
  finishLoad (): void {
    this.emitContents('did-finish-load')
  }

  /** the window reloads its page: the new document commits (did-navigate); finishLoad() when it has loaded */
  startLoad (): void {
    const url = this.webContents.mainFrame.url
    this.emitContents('did-start-navigation', { url, isMainFrame: true, isSameDocument: false })
    this.commitNavigation(url)
  }

  /**
   * The page or the user (a link dropped on the window) navigates the main
   * frame to `url`: will-navigate may cancel it, and then nothing follows and
   * the old page stays. Answers whether the new document committed.
   */
  navigateTo (url: string): boolean {
    this.emitContents('did-start-navigation', { url, isMainFrame: true, isSameDocument: false })
    let prevented = false
    this.emitContents('will-navigate', { url, preventDefault: () => { prevented = true } })
    if (prevented) return false
    this.commitNavigation(url)
    return true
  }

  private commitNavigation (url: string): void {
    this.webContents.mainFrame.url = url
    this.emitContents('did-navigate', { url })
  }

  /** the page changes its hash route, or a subframe navigates: the page stays */
  navigateWithin (mainFrame = true): void {
    this.emitContents('did-start-navigation', { url: `${this.webContents.mainFrame.url}#/x`, isMainFrame: mainFrame, isSameDocument: mainFrame })
  }

  /** the user presses the close button: 'close' first, which may be prevented; otherwise the window is gone */
  closeByUser (): void {
    this.alive()
    let prevented = false
    for (const l of this.listeners.get('close') ?? []) l({ preventDefault: () => { prevented = true } })
    if (prevented) return
    this.destroyed = true
    this.visible = false
    for (const l of this.listeners.get('closed') ?? []) l()
  }

  /** Windows ends the session (log off, shut down) */
  endSession (): void {
    for (const l of this.listeners.get('session-end') ?? []) l({ reasons: ['logoff'] })
  }

  commands (channel: string): unknown[] {
    return this.received.filter(r => r.channel === channel).map(r => r.args[0])
  }

  private emitContents (event: string, details?: unknown): void {
    for (const l of this.contentListeners.get(event) ?? []) l(details)
  }

  private alive (): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
  }
}

/** A menu item as Menu.buildFromTemplate keeps it. */
export interface FakeMenuItem {
  label: string
  type: 'normal' | 'separator'
  enabled: boolean
  click?: () => void
}

export class FakeMenu {
  constructor (readonly items: readonly FakeMenuItem[]) {}
}

/** Menu.buildFromTemplate: a copy of the template (defaults as Electron's: type normal, enabled true). */
export function fakeBuildMenu (template: Array<{ label?: string, type?: 'normal' | 'separator', enabled?: boolean, click?: () => void }>): FakeMenu {
  return new FakeMenu(template.map(t => Object.freeze({ label: t.label ?? '', type: t.type ?? 'normal', enabled: t.enabled ?? true, click: t.click })))
}

/** A Tray: what the user sees (image, tooltip, menu) and does (click the icon, pick an item). */
export class FakeTray {
  tooltip = ''
  menu: FakeMenu | null = null
  destroyed = false
  readonly images: unknown[] = []
  private readonly clickListeners: Array<() => void> = []

  constructor (image: unknown) { this.images.push(image) }

  get image (): unknown { return this.images[this.images.length - 1] }

  setImage (image: unknown): void { this.alive(); this.images.push(image) }
  setToolTip (text: string): void { this.alive(); this.tooltip = text }
  setContextMenu (menu: unknown): void {
    this.alive()
    if (!(menu instanceof FakeMenu) && menu !== null) throw new TypeError('setContextMenu takes a Menu')
    this.menu = menu
  }

  on (event: 'click', listener: () => void): this {
    if (event === 'click') this.clickListeners.push(listener)
    return this
  }

  destroy (): void { this.destroyed = true }

  /** the user clicks the icon */
  click (): void { this.alive(); for (const l of this.clickListeners) l() }

  /** the labels of the menu as shown (separators as '---'), disabled ones in parentheses */
  labels (): string[] {
    return (this.menu?.items ?? []).map(i => i.type === 'separator' ? '---' : i.enabled ? i.label : `(${i.label})`)
  }

  /** the user picks the item with this label; a disabled item cannot be picked */
  pick (label: string): void {
    this.alive()
    const item = this.menu?.items.find(i => i.type !== 'separator' && i.label === label)
    if (item == null) throw new Error(`the tray menu has no item "${label}": ${this.labels().join(', ')}`)
    if (!item.enabled) throw new Error(`"${label}" is disabled`)
    item.click?.()
  }

  private alive (): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
  }
}

/** The parts of app that links and login items use, for one platform. */
export class FakeShellApp {
  readonly protocolClients: Array<{ protocol: string, path?: string, args?: string[] }> = []
  /** the login item as the system keeps it */
  loginItem: { openAtLogin: boolean, args: string[] } = { openAtLogin: false, args: [] }
  /** macOS: whether this launch was the system starting us at login */
  openedAtLogin = false
  private readonly listeners = new Map<string, Set<(...args: any[]) => void>>()

  constructor (readonly platform: string) {}

  setAsDefaultProtocolClient (protocol: string, path?: string, args?: string[]): boolean {
    this.protocolClients.push({ protocol, ...(path == null ? {} : { path }), ...(args == null ? {} : { args }) })
    return true
  }

  setLoginItemSettings (settings: { openAtLogin?: boolean, args?: string[] }): void {
    if (this.platform !== 'darwin' && this.platform !== 'win32') throw new Error('setLoginItemSettings is macOS and Windows only')
    this.loginItem = { openAtLogin: settings.openAtLogin ?? false, args: this.platform === 'win32' ? [...(settings.args ?? [])] : [] }
  }

  getLoginItemSettings (options: { args?: string[] } = {}): { openAtLogin: boolean, wasOpenedAtLogin?: boolean } {
    if (this.platform === 'win32') {
      const same = JSON.stringify(options.args ?? []) === JSON.stringify(this.loginItem.args)
      return { openAtLogin: this.loginItem.openAtLogin && same }
    }
    return { openAtLogin: this.loginItem.openAtLogin, wasOpenedAtLogin: this.openedAtLogin }
  }

  on (event: string, listener: (...args: any[]) => void): this {
    let set = this.listeners.get(event)
    if (set == null) { set = new Set(); this.listeners.set(event, set) }
    set.add(listener)
    return this
  }

  removeListener (event: string, listener: (...args: any[]) => void): this {
    this.listeners.get(event)?.delete(listener)
    return this
  }

  listenerCount (event: string): number { return this.listeners.get(event)?.size ?? 0 }

  /** macOS hands a URL to the app; answers whether a handler called preventDefault */
  openUrl (url: string): boolean {
    let handled = false
    for (const l of this.listeners.get('open-url') ?? []) l({ preventDefault: () => { handled = true } }, url)
    return handled
  }

  /** a second launch, with its command line */
  secondInstance (argv: string[]): void {
    for (const l of this.listeners.get('second-instance') ?? []) l({}, argv, '/home/user', {})
  }
}
