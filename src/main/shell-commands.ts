/**
 * Sends ShellCommands (src/shared/shell.ts) to a window's renderer on
 * SHELL_COMMAND_CHANNEL. A command for a window whose page is still loading
 * (a window just opened by a link, or reloading) is queued for that window
 * and sent once the page has loaded ('did-finish-load', the main frame's):
 * by then the preload, which keeps what arrives until the page subscribes,
 * is listening.
 *
 * The page is gone only once a main-frame navigation to another document
 * commits ('did-navigate'), not when one starts: Electron's order is
 * did-start-navigation, will-frame-navigate, will-navigate, ..., did-navigate,
 * and a navigation cancelled on the way (hardenWebContents cancels every
 * navigation away from our renderer, e.g. a web link dropped on the window)
 * emits nothing more, leaving the old page alive and listening. Commands sent
 * between the start and the commit reach the page that is about to go, so
 * they are sent again to the new one. In-page navigation (the renderer's hash
 * routes) and subframes do not replace the page. A main-frame error page
 * (did-fail-load) is not followed: our renderer is served locally, and the
 * next load that works ends with did-finish-load, which sends what waits.
 */
import type { ShellCommand } from '../shared/shell.js'
import { SHELL_COMMAND_CHANNEL } from './ipc.js'

/** Commands kept per loading window; past this the oldest go (a flood of links must not grow memory). */
export const MAX_QUEUED_COMMANDS = 16

/** What we use of a BrowserWindow. */
export interface CommandWindowLike {
  isDestroyed: () => boolean
  readonly webContents: {
    isDestroyed: () => boolean
    readonly mainFrame: { readonly url: string }
    send: (channel: string, ...args: any[]) => void
    on: ((event: 'did-finish-load', listener: () => void) => unknown) &
    ((event: 'did-navigate', listener: () => void) => unknown) &
    ((event: 'did-start-navigation', listener: (details: { isMainFrame: boolean, isSameDocument: boolean }) => void) => unknown)
  }
}

interface PageState {
  /** the page's scripts ran (did-finish-load) and no other document has replaced it since */
  loaded: boolean
  /** waiting for the page to load */
  queue: ShellCommand[]
  /** sent since a main-frame navigation started; null when none is under way */
  sentWhileNavigating: ShellCommand[] | null
}

export class ShellCommandSender {
  private readonly pages = new WeakMap<CommandWindowLike, PageState>()

  /** isTrustedUrl: only a window showing our renderer gets commands (as with API events) */
  constructor (private readonly isTrustedUrl: (url: string) => boolean, private readonly limit = MAX_QUEUED_COMMANDS) {}

  /** Follow a window's loading; call once, right after creating it (before its page can finish loading). */
  attach (win: CommandWindowLike): void {
    const page: PageState = { loaded: false, queue: [], sentWhileNavigating: null }
    this.pages.set(win, page)
    win.webContents.on('did-start-navigation', details => {
      // may still be cancelled: the page stays until the navigation commits
      if (details.isMainFrame && !details.isSameDocument) page.sentWhileNavigating = []
    })
    win.webContents.on('did-navigate', () => {
      // a new document replaced the page: what the old one got last is for the new one
      page.loaded = false
      page.queue = this.bounded([...(page.sentWhileNavigating ?? []), ...page.queue])
      page.sentWhileNavigating = null
    })
    win.webContents.on('did-finish-load', () => {
      page.loaded = true
      page.sentWhileNavigating = null
      const queue = page.queue
      page.queue = []
      for (const cmd of queue) this.deliver(win, page, cmd)
    })
  }

  /** Send now if the page has loaded, else when it has. */
  send (win: CommandWindowLike, cmd: ShellCommand): void {
    if (win.isDestroyed()) return
    const page = this.pages.get(win)
    if (page == null) throw new Error('shell commands go only to windows attached when created')
    if (page.loaded) {
      this.deliver(win, page, cmd)
      return
    }
    page.queue = this.bounded([...page.queue, cmd])
  }

  /** commands waiting for this window's page (for tests and diagnostics) */
  queued (win: CommandWindowLike): number {
    return this.pages.get(win)?.queue.length ?? 0
  }

  private bounded (queue: ShellCommand[]): ShellCommand[] {
    return queue.length > this.limit ? queue.slice(queue.length - this.limit) : queue
  }

  private deliver (win: CommandWindowLike, page: PageState, cmd: ShellCommand): void {
    if (win.isDestroyed() || win.webContents.isDestroyed()) return
    if (!this.isTrustedUrl(win.webContents.mainFrame.url)) return
    if (page.sentWhileNavigating != null) page.sentWhileNavigating = this.bounded([...page.sentWhileNavigating, cmd])
    try {
      win.webContents.send(SHELL_COMMAND_CHANNEL, cmd)
    } catch (err) {
      console.error(`wgt: could not send the ${cmd.kind} command to the window`, err)
    }
  }
}
