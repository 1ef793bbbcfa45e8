/**
 * The message shapes shared by the WebSocket transport and the IPC envelope,
 * and the plumbing every client uses: results as envelopes, event fan-out,
 * and one function that turns any request/response channel into a WgtApi.
 */
import { WgtError, type WireError } from './errors.js'
import { METHOD_NAMES, isEventName, type WgtApi, type WgtEventMap, type WgtEventName, type WgtMethodName } from './api/index.js'

export type RpcResult = { ok: true, value: unknown } | { ok: false, error: WireError }

/** client → server */
export type ClientMessage =
  | { type: 'auth', token: string, client?: string }
  | { type: 'call', id: number, method: WgtMethodName, args: unknown[] }
  /** keep-alive: the server answers pong; a server silent for three intervals is gone */
  | { type: 'ping' }

/** server → client */
export type ServerMessage =
  | { type: 'ready' }
  | { type: 'result', id: number, result: RpcResult }
  | { type: 'event', event: WgtEventName, data: unknown }
  | { type: 'pong' }

/** Unwrap an RpcResult: the value, or the WgtError it carries. */
export function unwrap (result: RpcResult): unknown {
  if (result.ok) return result.value
  throw WgtError.fromWire(result.error)
}

export async function wrap (fn: () => Promise<unknown>): Promise<RpcResult> {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    return { ok: false, error: WgtError.from(err).toWire() }
  }
}

type Listener = (data: unknown) => void

/**
 * Keeps event listeners by name and forwards incoming events to them.
 * Used by every client-side API (IPC preload, WebSocket, CLI) and by the node.
 */
export class EventHub {
  private readonly listeners = new Map<WgtEventName, Set<Listener>>()

  on<E extends WgtEventName> (event: E, listener: (data: WgtEventMap[E]) => void): () => void {
    if (!isEventName(event)) throw new WgtError('INVALID_INPUT', `unknown event ${String(event)}`)
    let set = this.listeners.get(event)
    if (set == null) { set = new Set(); this.listeners.set(event, set) }
    set.add(listener as Listener)
    return () => { set.delete(listener as Listener) }
  }

  /** Whether anything listens to the event now: a producer may then skip work nobody would receive. */
  listening (event: WgtEventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0
  }

  emit<E extends WgtEventName> (event: E, data: WgtEventMap[E]): void {
    this.forward(event, data)
  }

  /** For data from a transport: unknown event names are dropped. */
  forward (event: unknown, data: unknown): void {
    if (!isEventName(event)) return
    for (const l of this.listeners.get(event) ?? []) {
      try { l(data) } catch (err) { console.error(`listener for ${event} threw`, err) }
    }
  }
}

/**
 * Build a WgtApi whose methods go through `call` and whose events come from `hub`.
 * Trailing undefined arguments are dropped: JSON would turn them into null,
 * which an optional argument's schema rightly refuses.
 */
export function createApiClient (call: (method: WgtMethodName, args: unknown[]) => Promise<unknown>, hub: EventHub): WgtApi {
  const api: Record<string, unknown> = {
    on: hub.on.bind(hub)
  }
  for (const name of METHOD_NAMES) {
    api[name] = async (...args: unknown[]) => {
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
      return await call(name, args)
    }
  }
  return api as unknown as WgtApi
}
