/**
 * What the preload puts on window, for the renderer's type-check (tsconfig.web.json).
 * Both exist only inside the Electron window: in the browser (daemon UI) test `'wgt' in window`
 * and use the WebSocket client instead.
 */
import type { WgtApi, WgtEventMap, WgtEventName, WgtMethodName } from '../shared/api/index.js'
import type { RpcResult } from '../shared/rpc.js'
import type { ShellCommand } from '../shared/shell.js'

declare global {
  interface Window {
    /** the node's API; failures reject with an Error carrying the message (contextBridge drops the code) */
    wgt: WgtApi
    /** envelope-level bridge: call() never rejects, its RpcResult keeps the WgtError code */
    wgtIpc: {
      call: (method: WgtMethodName, args: unknown[]) => Promise<RpcResult>
      on: <E extends WgtEventName>(event: E, listener: (data: WgtEventMap[E]) => void) => () => void
    }
    /** the path on disk of a dropped or picked File ('' when it has none), via Electron's webUtils; opening fetched files */
    wgtFiles?: {
      getPathForFile: (file: File) => string
      open: (fileId: string) => Promise<void>
      reveal: (fileId: string) => Promise<void>
    }
    /**
     * what the desktop shell (tray, notifications, wgt:// links) asks the page to do; commands are
     * checked with parseShellCommand before they reach the listener, and those that came before the
     * first listener are handed to it. Returns the function that stops listening.
     */
    wgtShell?: {
      onCommand: (listener: (cmd: ShellCommand) => void) => () => void
    }
  }
}

export {}
