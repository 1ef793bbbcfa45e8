/**
 * Electron: the preload's envelope bridge (window.wgtIpc) keeps the WgtError
 * code that contextBridge strips from rejected promises, so the renderer builds
 * its API from it with the shared client when it is there.
 */
import { EVENT_NAMES, type WgtApi, type WgtEventMap, type WgtEventName, type WgtMethodName } from '../../../shared/api/index.js'
import { EventHub, createApiClient, unwrap, type RpcResult } from '../../../shared/rpc.js'

export interface IpcBridge {
  call: (method: WgtMethodName, args: unknown[]) => Promise<RpcResult>
  on: <E extends WgtEventName>(event: E, listener: (data: WgtEventMap[E]) => void) => () => void
}

export function apiFromIpcBridge (bridge: IpcBridge): WgtApi {
  const hub = new EventHub()
  // forwarded for the page's lifetime: the bridge lives exactly as long as the window
  for (const name of EVENT_NAMES) bridge.on(name, (data) => { hub.forward(name, data) })
  return createApiClient(async (method, args) => unwrap(await bridge.call(method, args)), hub)
}
