/**
 * A small fake of the parts of Electron the IPC glue touches, faithful where it
 * matters for correctness:
 * - IPC payloads are structured-cloned, and an invoke whose handler throws (or
 *   is missing) rejects with a plain Error, as Electron does;
 * - contextBridge copies values between worlds: functions are proxied, objects
 *   are copied without prototypes, and an Error keeps only its message.
 */
import type { FrameLike, IpcMainLike, InvokeEventLike, WindowLike } from '../ipc.js'
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
