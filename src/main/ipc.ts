/**
 * Binds the node's WgtApi to Electron IPC: one invoke channel for calls and one
 * push channel for events. Electron objects are passed in (structurally typed)
 * so the binding can be tested without an Electron binary.
 */
import { dispatch, EVENT_NAMES, type WgtApi } from '../shared/api.js'
import { WgtError } from '../shared/errors.js'
import { wrap, type RpcResult } from '../shared/rpc.js'

export const CALL_CHANNEL = 'wgt:call'
export const EVENT_CHANNEL = 'wgt:event'

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
  api: WgtApi
  /** the windows this app created: only their main frames may call, and only they receive events */
  windows: () => readonly WindowLike[]
  /** whether a URL belongs to our renderer (see RendererOrigin.isTrusted) */
  isTrustedUrl: (url: string) => boolean
}

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
  const { ipcMain, api, windows, isTrustedUrl } = opts

  ipcMain.handle(CALL_CHANNEL, async (event: InvokeEventLike, method: unknown, args: unknown): Promise<RpcResult> => {
    // Electron drops custom error properties across IPC, so failures travel inside the envelope.
    return await wrap(async () => {
      checkSender(event, windows(), isTrustedUrl)
      return await dispatch(api, method, args)
    })
  })

  const unsubscribes = EVENT_NAMES.map(name => api.on(name, (data: unknown) => {
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
  }))

  let bound = true
  return () => {
    if (!bound) return
    bound = false
    ipcMain.removeHandler(CALL_CHANNEL)
    for (const off of unsubscribes) off()
  }
}
