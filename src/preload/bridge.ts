/**
 * The renderer-facing API built in the preload's isolated world.
 *
 * contextBridge copies what crosses it: functions are proxied (so a closure
 * returned by `on` still unsubscribes), but a thrown or rejected Error arrives
 * as a plain Error carrying only its message, so WgtError.code would be lost.
 * Hence two shapes are exposed:
 * - `wgtIpc`: call() resolves with the RpcResult envelope, which survives the
 *   copy intact; a renderer wraps it with createApiClient + unwrap on its side
 *   of the bridge to get real WgtErrors with codes (see clientFromIpcBridge).
 * - `wgt`: the WgtApi built here, for callers that need values and messages only.
 */
import { EVENT_NAMES, type WgtApi, type WgtEventMap, type WgtEventName, type WgtMethodName } from '../shared/api/index.js'
import { isErrorCode, WgtError } from '../shared/errors.js'
import { createApiClient, EventHub, unwrap, type RpcResult } from '../shared/rpc.js'
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.js'

export interface IpcRendererLike {
  invoke: (channel: string, ...args: any[]) => Promise<any>
  on: (channel: string, listener: (event: unknown, ...args: any[]) => void) => unknown
}

/** The transport-level bridge: envelopes in, envelopes out. */
export interface WgtIpcBridge {
  call: (method: WgtMethodName, args: unknown[]) => Promise<RpcResult>
  on: <E extends WgtEventName>(event: E, listener: (data: WgtEventMap[E]) => void) => () => void
}

function isRpcResult (value: unknown): value is RpcResult {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  if (v.ok === true) return 'value' in v
  if (v.ok === false && typeof v.error === 'object' && v.error !== null) {
    const e = v.error as Record<string, unknown>
    return isErrorCode(e.code) && typeof e.message === 'string'
  }
  return false
}

export function createIpcBridge (ipc: IpcRendererLike): WgtIpcBridge {
  const hub = new EventHub()
  ipc.on(EVENT_CHANNEL, (_event: unknown, payload: unknown) => {
    if (typeof payload !== 'object' || payload === null) return
    const { event, data } = payload as { event?: unknown, data?: unknown }
    hub.forward(event, data)
  })

  const call = async (method: WgtMethodName, args: unknown[]): Promise<RpcResult> => {
    let result: unknown
    try {
      result = await ipc.invoke(CALL_CHANNEL, method, args)
    } catch (err) {
      // invoke itself fails only when main has no handler (node stopped or not yet bound)
      const message = err instanceof Error ? err.message : String(err)
      return { ok: false, error: new WgtError('UNAVAILABLE', `the WGT node is not reachable over IPC: ${message}`).toWire() }
    }
    if (!isRpcResult(result)) return { ok: false, error: new WgtError('PROTOCOL', `malformed IPC reply to ${String(method)}`).toWire() }
    return result
  }

  return {
    call,
    on: (event, listener) => hub.on(event, listener)
  }
}

/**
 * Turn a bridge into a WgtApi whose failures are WgtErrors of the realm this
 * runs in. The preload uses it for `wgt`; a renderer can run the same code on
 * its side of contextBridge to keep error codes.
 */
export function clientFromIpcBridge (bridge: WgtIpcBridge): WgtApi {
  const hub = new EventHub()
  // one forwarding subscription per event for the page's lifetime; listeners come and go on the hub
  for (const name of EVENT_NAMES) bridge.on(name, (data: unknown) => { hub.forward(name, data) })
  return createApiClient(async (method, args) => unwrap(await bridge.call(method, args)), hub)
}
