/**
 * Binds the node's WgtApi to Electron IPC: one invoke channel for calls and one
 * push channel for events. Electron objects are passed in (structurally typed)
 * so the binding can be tested without an Electron binary.
 */
import { EVENT_NAMES, type NodeApi, type WgtApi, type WgtEventName } from '../shared/api/index.js'
import { dispatch } from '../shared/api/validate.js'
import { WgtError } from '../shared/errors.js'
import { wrap, type RpcResult } from '../shared/rpc.js'

export const CALL_CHANNEL = 'wgt:call'
export const EVENT_CHANNEL = 'wgt:event'
/** open a fetched file, or show it in its folder: by file id, never by a path the page names */
export const SHELL_CHANNEL = 'wgt:shell'
/** main → renderer: what the desktop shell asks the page to do (a ShellCommand, src/shared/shell.ts) */
export const SHELL_COMMAND_CHANNEL = 'wgt:shell-command'

/** What we use of Electron's shell. */
export interface ShellLike {
  /** resolves with '' on success, else an error message (Electron's contract) */
  openPath: (path: string) => Promise<string>
  showItemInFolder: (path: string) => void
}

/** What we read from a WebFrameMain. */
export interface FrameLike {
  readonly url: string
  readonly parent: FrameLike | null
}

/** What we read from an IpcMainInvokeEvent. senderFrame is null once the frame navigated or died. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number }
  readonly senderFrame: FrameLike | null
}

export interface IpcMainLike {
  handle: (channel: string, listener: (event: InvokeEventLike, ...args: any[]) => Promise<unknown>) => void
  removeHandler: (channel: string) => void
}

export interface WindowLike {
  isDestroyed: () => boolean
  readonly webContents: {
    readonly id: number
    isDestroyed: () => boolean
    readonly mainFrame: FrameLike
    send: (channel: string, ...args: any[]) => void
  }
}

export interface EventPayload {
  event: string
  data: unknown
}

export interface IpcBindingOptions {
  ipcMain: IpcMainLike
  api: NodeApi
  /** the windows this app created: only their main frames may call, and only they receive events */
  windows: () => readonly WindowLike[]
  /** whether a URL belongs to our renderer (see RendererOrigin.isTrusted) */
  isTrustedUrl: (url: string) => boolean
  shell?: ShellLike
  /** whether any of those windows is on screen, and how to hear that it may have changed; absent: always */
  shown?: WindowsShown
}

export interface WindowsShown {
  any: () => boolean
  /** returns the function that stops listening */
  onChange: (listener: () => void) => () => void
}

/**
 * Events the node produces, or produces more often, only while someone
 * listens (metrics/module.ts watched(): the RTT probes at full cadence, the
 * peers re-emitted each tick). They are forwarded, and so listened to, only
 * while a window is on screen: the app in the tray then costs what an idle
 * daemon does. A window shown again reloads its state (App.tsx).
 */
export const LIVE_EVENTS: readonly WgtEventName[] = ['metrics:sample']

/**
 * The renderer is untrusted input like the network: a call is served only when
 * it comes from the main frame of one of our windows showing our own renderer,
 * never from an iframe or a page the window was somehow navigated to.
 */
export function checkSender (event: InvokeEventLike, windows: readonly WindowLike[], isTrustedUrl: (url: string) => boolean): void {
  const frame = event.senderFrame
  if (frame == null) throw new WgtError('UNAUTHORIZED', 'the calling frame is gone')
  // compared by webContents id (stable for its lifetime) rather than by WebFrameMain object identity
  const ours = windows.some(w => !w.isDestroyed() && !w.webContents.isDestroyed() && w.webContents.id === event.sender.id)
  if (!ours || frame.parent != null) throw new WgtError('UNAUTHORIZED', 'calls are accepted only from the main frame of a WGT window')
  if (!isTrustedUrl(frame.url)) throw new WgtError('UNAUTHORIZED', 'calls are accepted only from the WGT renderer')
}

/** Register the handler and the event forwarding; returns the function that undoes both (idempotent). */
export function bindApiToIpc (opts: IpcBindingOptions): () => void {
  const { ipcMain, windows, isTrustedUrl } = opts
  // the window reaches the node without a token: there is none to rotate
  const api: WgtApi = {
    ...opts.api,
    rotateToken: async () => { throw new WgtError('UNAVAILABLE', 'the desktop app has no access token: its window talks to the node directly') }
  }
  // Operations a window started are not cancelled when it closes: the last
  // window's closing quits the app (and stops the node) on Linux and Windows,
  // and on macOS the app runs on, as its transfers do, until it is reopened
  // to watch or cancel them (listOperations) or quit.

  ipcMain.handle(CALL_CHANNEL, async (event: InvokeEventLike, method: unknown, args: unknown): Promise<RpcResult> => {
    // Electron drops custom error properties across IPC, so failures travel inside the envelope.
    return await wrap(async () => {
      checkSender(event, windows(), isTrustedUrl)
      return await dispatch(api, method, args)
    })
  })

  ipcMain.handle(SHELL_CHANNEL, async (event: InvokeEventLike, action: unknown, fileId: unknown): Promise<RpcResult> => {
    return await wrap(async () => {
      checkSender(event, windows(), isTrustedUrl)
      if (opts.shell == null) throw new WgtError('UNAVAILABLE', 'opening files is not available here')
      if (action !== 'open' && action !== 'reveal') throw new WgtError('INVALID_INPUT', 'unknown shell action')
      // the page names a file the node knows, never a path: only fetched and shared files can be opened
      const entry = (await opts.api.listFiles()).find(f => f.id === fileId)
      if (entry?.path == null) throw new WgtError('NOT_FOUND', 'this node has no such file on disk')
      if (action === 'reveal') { opts.shell.showItemInFolder(entry.path); return null }
      if (entry.direction === 'received' && runsWhenOpened(entry.path)) {
        throw new WgtError('UNAUTHORIZED', `${entry.name} is a program or script from another peer; WGT does not run it. Use Show in folder if you trust it.`)
      }
      const problem = await opts.shell.openPath(entry.path)
      if (problem !== '') throw new WgtError('UNAVAILABLE', `cannot open ${entry.name}: ${problem}`)
      return null
    })
  })

  const forward = (name: WgtEventName) => (data: unknown): void => {
    const payload: EventPayload = { event: name, data }
    for (const win of windows()) {
      if (win.isDestroyed() || win.webContents.isDestroyed()) continue
      // a window that somehow shows a foreign page gets nothing
      if (!isTrustedUrl(win.webContents.mainFrame.url)) continue
      try {
        win.webContents.send(EVENT_CHANNEL, payload)
      } catch (err) {
        // a window closing between the check and the send must not break delivery to the others
        console.error(`wgt: could not deliver ${name} to a window`, err)
      }
    }
  }
  let bound = true
  const unsubscribes = EVENT_NAMES.filter(name => !LIVE_EVENTS.includes(name)).map(name => api.on(name, forward(name)))
  let live: Array<() => void> | null = null
  const followShown = (): void => {
    const want = opts.shown?.any() ?? true
    if (want && live == null) live = LIVE_EVENTS.map(name => api.on(name, forward(name)))
    if (!want && live != null) { for (const off of live) off(); live = null }
  }
  followShown()
  const offShown = opts.shown?.onChange(() => { if (bound) followShown() })

  return () => {
    if (!bound) return
    bound = false
    ipcMain.removeHandler(CALL_CHANNEL)
    ipcMain.removeHandler(SHELL_CHANNEL)
    offShown?.()
    for (const off of [...unsubscribes, ...live ?? []]) off()
    live = null
  }
}

/**
 * Files the system would run rather than show when opened. A received file
 * is another peer's: opening one with a click must never execute it (as
 * browsers refuse to open such downloads directly).
 */
const RUNS_WHEN_OPENED = new Set([
  'app', 'appimage', 'apk', 'bat', 'bin', 'cmd', 'com', 'command', 'cpl', 'desktop', 'dll', 'exe', 'hta', 'jar', 'js', 'jse',
  'lnk', 'msc', 'msi', 'msp', 'pif', 'pkg', 'ps1', 'psm1', 'py', 'reg', 'run', 'scf', 'scr', 'sh', 'url', 'vb', 'vbe', 'vbs',
  'workflow', 'ws', 'wsf', 'wsh'
])

export function runsWhenOpened (path: string): boolean {
  // Windows ignores trailing dots and spaces: "run.bat. " is run.bat
  const name = (path.split(/[\\/]/).pop() ?? '').replace(/[\s.]+$/, '')
  const dot = name.lastIndexOf('.')
  return dot > 0 && RUNS_WHEN_OPENED.has(name.slice(dot + 1).toLowerCase())
}
