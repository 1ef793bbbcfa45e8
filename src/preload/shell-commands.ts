/**
 * window.wgtShell: what the desktop shell (tray, notifications, wgt:// links)
 * asks the page to do. Main sends ShellCommands on SHELL_COMMAND_CHANNEL once
 * the page has loaded; a command that arrives before the page has subscribed
 * (its app mounts after the load) is kept here, a bounded few, and handed to
 * the first listener. Whatever crosses IPC is checked with parseShellCommand:
 * a malformed value is dropped, never passed on.
 */
import { parseShellCommand, type ShellCommand } from '../shared/shell.js'
import type { IpcRendererLike } from './bridge.js'
import { SHELL_COMMAND_CHANNEL } from './channels.js'

/** Commands kept until the page subscribes; past this the oldest go. */
export const MAX_EARLY_COMMANDS = 16

export interface ShellBridge {
  /** listen for commands; returns the function that stops listening */
  onCommand: (listener: (cmd: ShellCommand) => void) => () => void
}

export function createShellBridge (ipc: Pick<IpcRendererLike, 'on'>, limit = MAX_EARLY_COMMANDS): ShellBridge {
  const listeners = new Set<(cmd: ShellCommand) => void>()
  let early: ShellCommand[] = []

  const deliver = (listener: (cmd: ShellCommand) => void, cmd: ShellCommand): void => {
    try {
      listener(cmd)
    } catch (err) {
      console.error(`wgt: a ${cmd.kind} command listener failed`, err)
    }
  }

  ipc.on(SHELL_COMMAND_CHANNEL, (_event: unknown, value: unknown) => {
    const cmd = parseShellCommand(value)
    if (cmd == null) return
    if (listeners.size === 0) {
      early.push(cmd)
      while (early.length > limit) early.shift()
      return
    }
    for (const l of [...listeners]) deliver(l, cmd)
  })

  return {
    onCommand: (listener) => {
      if (typeof listener !== 'function') throw new TypeError('onCommand needs a function')
      listeners.add(listener)
      if (early.length > 0) {
        const waiting = early
        early = []
        // after onCommand has returned, so the page has its unsubscribe before the first call
        queueMicrotask(() => { for (const cmd of waiting) if (listeners.has(listener)) deliver(listener, cmd) })
      }
      return () => { listeners.delete(listener) }
    }
  }
}
