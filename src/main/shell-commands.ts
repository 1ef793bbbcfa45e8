/**
 * Sends ShellCommands (src/shared/shell.ts) to a window's renderer on
 * SHELL_COMMAND_CHANNEL. A command for a window whose page is still loading
 * (a window just opened by a link, or reloading) is queued for that window
 * and sent once the page has loaded ('did-finish-load', the main frame's):
 * by then the preload, which keeps what arrives until the page subscribes,
 * is listening. A new page starts with a main-frame navigation to another
 * document ('did-start-navigation'); in-page navigation (the renderer's
 * hash routes) and subframes do not unload the page, so they do not queue.
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
    ((event: 'did-start-navigation', listener: (details: { isMainFrame: boolean, isSameDocument: boolean }) => void) => unknown)
  }
}

export class ShellCommandSender {
  private readonly queues = new WeakMap<CommandWindowLike, ShellCommand[]>()
  private readonly loaded = new WeakSet<CommandWindowLike>()

  /** isTrustedUrl: only a window showing our renderer gets commands (as with API events) */
  constructor (private readonly isTrustedUrl: (url: string) => boolean, private readonly limit = MAX_QUEUED_COMMANDS) {}

  /** Follow a window's loading; call once, right after creating it (before its page can finish loading). */
  attach (win: CommandWindowLike): void {
    this.queues.set(win, [])
    win.webContents.on('did-start-navigation', details => {
      if (details.isMainFrame && !details.isSameDocument) this.loaded.delete(win)
    })
    win.webContents.on('did-finish-load', () => {
      this.loaded.add(win)
      const queue = this.queues.get(win) ?? []
      this.queues.set(win, [])
      for (const cmd of queue) this.deliver(win, cmd)
    })
  }

  /** Send now if the page has loaded, else when it has. */
  send (win: CommandWindowLike, cmd: ShellCommand): void {
    if (win.isDestroyed()) return
    if (this.loaded.has(win)) {
      this.deliver(win, cmd)
      return
    }
    const queue = this.queues.get(win)
    if (queue == null) throw new Error('shell commands go only to windows attached when created')
    queue.push(cmd)
    while (queue.length > this.limit) queue.shift()
  }

  /** commands waiting for this window's page (for tests and diagnostics) */
  queued (win: CommandWindowLike): number {
    return this.queues.get(win)?.length ?? 0
  }

  private deliver (win: CommandWindowLike, cmd: ShellCommand): void {
    if (win.isDestroyed() || win.webContents.isDestroyed()) return
    if (!this.isTrustedUrl(win.webContents.mainFrame.url)) return
    try {
      win.webContents.send(SHELL_COMMAND_CHANNEL, cmd)
    } catch (err) {
      console.error(`wgt: could not send the ${cmd.kind} command to the window`, err)
    }
  }
}
