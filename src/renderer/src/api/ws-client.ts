/**
 * The browser's window.wgt when the UI is served by `wgt daemon`: a WebSocket
 * to /api, authenticated with the token from the URL fragment (the fragment is
 * never sent to the server, so the token stays out of logs and Referer).
 * Reconnects with capped exponential backoff; calls made while disconnected
 * reject with NOT_RUNNING rather than queueing, so the UI never acts late on
 * a stale click.
 */
import type { WgtApi, WgtMethodName } from '../../../shared/api.js'
import { WgtError } from '../../../shared/errors.js'
import { EventHub, createApiClient, unwrap, type ClientMessage, type RpcResult, type ServerMessage } from '../../../shared/rpc.js'

/** close codes the daemon uses (CONTEXT: WebSocket API protocol) */
export const CLOSE_BAD_TOKEN = 4401
export const CLOSE_MALFORMED = 4400

export type ConnectionState =
  | { status: 'connecting', attempt: number }
  | { status: 'ready' }
  | { status: 'disconnected', attempt: number, retryAt: number, reason: string }
  /** the daemon refused the token: retrying cannot help */
  | { status: 'unauthorized', reason: string }
  | { status: 'closed' }

export interface WsClient {
  readonly api: WgtApi
  state: () => ConnectionState
  /** listener is called on every state change; returns the unsubscribe function */
  onState: (listener: (state: ConnectionState) => void) => () => void
  /** skip the backoff wait and reconnect now */
  retryNow: () => void
  close: () => void
}

export interface WsClientOptions {
  url: string
  token: string
  /** injectable for tests; the browser's WebSocket otherwise */
  WebSocketImpl?: typeof WebSocket
  /** how long a call may wait for its result */
  callTimeoutMs?: number
  /** how long to wait for {type:'ready'} after sending auth */
  authTimeoutMs?: number
  backoff?: (attempt: number) => number
}

/** Read `token` from a fragment like `#token=abc` (other fragment parameters are allowed). */
export function tokenFromHash (hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash)
  const token = params.get('token')
  return token != null && token.length > 0 ? token : null
}

/** ws://host/api for http pages, wss:// for https. */
export function apiUrlFor (location: { protocol: string, host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`
}

/** 0.5 s, 1 s, 2 s … capped at 15 s, with ±20% jitter so many tabs do not reconnect in lockstep. */
export function backoffDelay (attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt - 1))
  return Math.round(base * (0.8 + 0.4 * random()))
}

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Calls that move whole files rightly take minutes: no deadline, they end with the
 * node's answer or when the connection drops (which fails every pending call).
 */
const UNBOUNDED_CALLS: ReadonlySet<WgtMethodName> = new Set(['shareFile', 'fetchFile', 'repairFile'])
/** health asks every holder of every segment */
const SLOW_CALLS: ReadonlySet<WgtMethodName> = new Set(['fileHealth'])

export function callTimeout (method: WgtMethodName, base: number): number | null {
  if (UNBOUNDED_CALLS.has(method)) return null
  return SLOW_CALLS.has(method) ? Math.max(base, 180_000) : base
}

export function createWsClient (opts: WsClientOptions): WsClient {
  const WS = opts.WebSocketImpl ?? globalThis.WebSocket
  const callTimeoutMs = opts.callTimeoutMs ?? 60_000
  const authTimeoutMs = opts.authTimeoutMs ?? 10_000
  const backoff = opts.backoff ?? ((n: number) => backoffDelay(n))
  const hub = new EventHub()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let attempt = 0
  let state: ConnectionState = { status: 'connecting', attempt: 1 }
  let socket: WebSocket | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let authTimer: ReturnType<typeof setTimeout> | null = null

  const setState = (s: ConnectionState): void => {
    state = s
    for (const l of stateListeners) {
      try { l(s) } catch (err) { console.error('connection state listener threw', err) }
    }
  }

  const failPending = (reason: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      pending.delete(id)
      p.reject(new WgtError('NOT_RUNNING', `disconnected from node: ${reason}`))
    }
  }

  const clearTimers = (): void => {
    if (retryTimer != null) { clearTimeout(retryTimer); retryTimer = null }
    if (authTimer != null) { clearTimeout(authTimer); authTimer = null }
  }

  const connect = (): void => {
    clearTimers()
    attempt++
    setState({ status: 'connecting', attempt })
    let ws: WebSocket
    try {
      ws = new WS(opts.url)
    } catch (err) {
      scheduleRetry(WgtError.from(err).message)
      return
    }
    socket = ws
    let authenticated = false

    ws.onopen = () => {
      send(ws, { type: 'auth', token: opts.token })
      authTimer = setTimeout(() => {
        authTimer = null
        ws.close(1000, 'auth timeout')
      }, authTimeoutMs)
    }
    ws.onmessage = (ev: MessageEvent) => {
      const msg = parse(ev.data)
      if (msg == null) return
      if (msg.type === 'ready') {
        if (authTimer != null) { clearTimeout(authTimer); authTimer = null }
        authenticated = true
        attempt = 0
        setState({ status: 'ready' })
      } else if (msg.type === 'result') {
        const p = pending.get(msg.id)
        if (p == null) return
        pending.delete(msg.id)
        clearTimeout(p.timer)
        try { p.resolve(unwrap(msg.result as RpcResult)) } catch (err) { p.reject(err as Error) }
      } else if (msg.type === 'event') {
        hub.emit(msg.event, msg.data)
      }
    }
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return
      socket = null
      if (authTimer != null) { clearTimeout(authTimer); authTimer = null }
      const reason = describeClose(ev)
      failPending(reason)
      if (state.status === 'closed') return
      if (ev.code === CLOSE_BAD_TOKEN) {
        setState({ status: 'unauthorized', reason: 'the node rejected the access token' })
        return
      }
      // a socket that never got ready counts toward the backoff; one that was ready starts over
      if (authenticated) attempt = 0
      scheduleRetry(reason)
    }
    // onerror is always followed by onclose, which does the work
    ws.onerror = () => {}
  }

  const scheduleRetry = (reason: string): void => {
    const delay = backoff(Math.max(1, attempt))
    setState({ status: 'disconnected', attempt, retryAt: Date.now() + delay, reason })
    retryTimer = setTimeout(() => { retryTimer = null; connect() }, delay)
  }

  const call = async (method: WgtMethodName, args: unknown[]): Promise<unknown> => {
    const ws = socket
    if (state.status !== 'ready' || ws == null || ws.readyState !== WS.OPEN) {
      throw new WgtError('NOT_RUNNING', 'disconnected from node — reconnecting')
    }
    const id = nextId++
    const timeoutMs = callTimeout(method, callTimeoutMs)
    return await new Promise((resolve, reject) => {
      const timer = timeoutMs == null
        ? undefined
        : setTimeout(() => {
          pending.delete(id)
          reject(new WgtError('TIMEOUT', `${method}: no answer from the node within ${Math.round(timeoutMs / 1000)} s`))
        }, timeoutMs)
      pending.set(id, { resolve, reject, timer })
      send(ws, { type: 'call', id, method, args })
    })
  }

  connect()

  return {
    api: createApiClient(call, hub),
    state: () => state,
    onState: (l) => { stateListeners.add(l); return () => { stateListeners.delete(l) } },
    retryNow: () => {
      if (state.status === 'disconnected') connect()
    },
    close: () => {
      clearTimers()
      setState({ status: 'closed' })
      const ws = socket
      socket = null
      failPending('client closed')
      ws?.close(1000, 'client closed')
    }
  }
}

function send (ws: WebSocket, msg: ClientMessage): void {
  ws.send(JSON.stringify(msg))
}

function parse (data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null
  try {
    const msg = JSON.parse(data) as unknown
    if (typeof msg !== 'object' || msg == null) return null
    const type = (msg as { type?: unknown }).type
    return type === 'ready' || type === 'result' || type === 'event' ? msg as ServerMessage : null
  } catch {
    return null
  }
}

function describeClose (ev: CloseEvent): string {
  if (ev.code === CLOSE_MALFORMED) return 'the node closed the connection (malformed message)'
  if (ev.reason !== '') return `${ev.reason} (code ${ev.code})`
  if (ev.code === 1006) return 'connection lost'
  return `connection closed (code ${ev.code})`
}
