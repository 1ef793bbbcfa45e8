/**
 * The one WebSocket API client, for the browser UI and the `wgt` command:
 * authenticate with the token, then calls (each with the deadline its method's
 * metadata gives) and events. The socket is anything shaped like the
 * browser's WebSocket: the browser's own, or the CLI's small one over node:net.
 *
 * - reconnect: true (browser): reconnects with capped exponential backoff;
 *   calls made while disconnected reject with NOT_RUNNING rather than queue,
 *   so a UI never acts late on a stale click.
 * - reconnect: false (CLI): one connection; ready() rejects if it fails.
 * Both send a keep-alive ping: a daemon that stops answering (killed host,
 * suspended process) ends every pending call, including those with no deadline.
 */
import { callTimeout, type WgtApi, type WgtMethodName } from './api/index.js'
import { WgtError } from './errors.js'
import { EventHub, createApiClient, unwrap, type ClientMessage, type RpcResult, type ServerMessage } from './rpc.js'

/** close codes the daemon uses */
export const CLOSE_MALFORMED = 4400
export const CLOSE_BAD_TOKEN = 4401
export const CLOSE_TOO_SLOW = 4408
/** the token was rotated: this session's token is no longer valid */
export const CLOSE_TOKEN_ROTATED = 4403

export type ConnectionState =
  | { status: 'connecting', attempt: number }
  | { status: 'ready' }
  | { status: 'disconnected', attempt: number, retryAt: number, reason: string }
  /** the daemon refused the token: retrying cannot help */
  | { status: 'unauthorized', reason: string }
  | { status: 'closed' }

/** The part of the browser's WebSocket this client uses. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number, reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
  send: (data: string) => void
  close: (code?: number, reason?: string) => void
}
export type SocketFactory = (url: string) => SocketLike
const OPEN = 1

export interface ApiClient {
  readonly api: WgtApi
  state: () => ConnectionState
  /** listener is called on every state change; returns the unsubscribe function */
  onState: (listener: (state: ConnectionState) => void) => () => void
  /** resolves when the connection is ready; rejects when it cannot become so (no reconnect, or unauthorized) */
  ready: () => Promise<void>
  /** skip the backoff wait and reconnect now */
  retryNow: () => void
  close: () => void
}

export interface ApiClientOptions {
  url: string
  token: string
  socket: SocketFactory
  reconnect: boolean
  /** deadline for calls of the 'quick' class; other classes come from the method metadata */
  quickTimeoutMs?: number
  /** how long to wait for the socket to open and {type:'ready'} to arrive */
  authTimeoutMs?: number
  keepAliveMs?: number
  backoff?: (attempt: number) => number
  /** what a failed first connection means, for ready()'s rejection (the CLI names the data directory and the cause) */
  describeFailure?: (reason: string, code: number) => WgtError
  /**
   * Without reconnect only: send auth and calls at once, before the socket
   * is even open (the socket queues them); the server handles them in order.
   * Saves the `wgt` command two round trips through the daemon.
   */
  eager?: boolean
  /**
   * Who this client is, across reconnects (the browser UI: one id per tab).
   * Operations it started then outlive a dropped connection for a grace
   * period instead of being cancelled at once (api-server/owners.ts).
   */
  client?: string
}

export const KEEP_ALIVE_MS = 15_000

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

export function createApiClientOverSocket (opts: ApiClientOptions): ApiClient {
  const authTimeoutMs = opts.authTimeoutMs ?? 10_000
  const keepAliveMs = opts.keepAliveMs ?? KEEP_ALIVE_MS
  const backoff = opts.backoff ?? ((n: number) => backoffDelay(n))
  const hub = new EventHub()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  const readyWaiters = new Set<{ resolve: () => void, reject: (e: Error) => void }>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let attempt = 0
  let state: ConnectionState = { status: 'connecting', attempt: 1 }
  let socket: SocketLike | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let authTimer: ReturnType<typeof setTimeout> | null = null
  let keepAlive: ReturnType<typeof setInterval> | null = null
  let failure: WgtError | null = null

  const setState = (s: ConnectionState): void => {
    state = s
    for (const l of stateListeners) {
      try { l(s) } catch (err) { console.error('connection state listener threw', err) }
    }
    if (s.status === 'ready') for (const w of readyWaiters) w.resolve()
    if (s.status === 'ready' || failure != null) readyWaiters.clear()
  }

  const fail = (err: WgtError): void => {
    failure = err
    for (const w of readyWaiters) w.reject(err)
    readyWaiters.clear()
  }

  const failPending = (err: WgtError): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      pending.delete(id)
      p.reject(err)
    }
  }

  const clearTimers = (): void => {
    if (retryTimer != null) { clearTimeout(retryTimer); retryTimer = null }
    if (authTimer != null) { clearTimeout(authTimer); authTimer = null }
    if (keepAlive != null) { clearInterval(keepAlive); keepAlive = null }
  }

  const connect = (): void => {
    clearTimers()
    attempt++
    setState({ status: 'connecting', attempt })
    let ws: SocketLike
    try {
      ws = opts.socket(opts.url)
    } catch (err) {
      closed(null, 1006, WgtError.from(err).message)
      return
    }
    socket = ws
    let authenticated = false
    let lastHeard = Date.now()
    authTimer = setTimeout(() => {
      authTimer = null
      closed(ws, 1006, `no answer within ${Math.round(authTimeoutMs / 1000)} s`)
      ws.close(1000, 'auth timeout')
    }, authTimeoutMs)

    const auth: ClientMessage = opts.client == null ? { type: 'auth', token: opts.token } : { type: 'auth', token: opts.token, client: opts.client }
    if (opts.eager === true && !opts.reconnect) ws.send(JSON.stringify(auth))
    else ws.onopen = () => { send(ws, auth) }
    ws.onmessage = (ev) => {
      lastHeard = Date.now()
      const msg = parse(ev.data)
      if (msg == null) return
      if (msg.type === 'ready') {
        if (authTimer != null) { clearTimeout(authTimer); authTimer = null }
        authenticated = true
        attempt = 0
        keepAlive = setInterval(() => {
          if (Date.now() - lastHeard > 3 * keepAliveMs) {
            closed(ws, 1006, `the node stopped answering (no reply to keep-alive pings for ${Math.round(3 * keepAliveMs / 1000)} s)`)
            ws.close(1000, 'keep-alive timeout')
            return
          }
          send(ws, { type: 'ping' })
        }, keepAliveMs)
        ;(keepAlive as { unref?: () => void }).unref?.()
        setState({ status: 'ready' })
      } else if (msg.type === 'result') {
        const p = pending.get(msg.id)
        if (p == null) return
        pending.delete(msg.id)
        clearTimeout(p.timer)
        try { p.resolve(unwrap(msg.result as RpcResult)) } catch (err) { p.reject(err as Error) }
      } else if (msg.type === 'event') {
        hub.forward(msg.event, msg.data)
      }
    }
    ws.onclose = (ev) => {
      if (authenticated) attempt = 0
      closed(ws, ev.code, describeClose(ev))
    }
    // onerror is always followed by onclose, which does the work
    ws.onerror = () => {}
  }

  /** The socket is gone (or never was): fail what waits on it, then reconnect, give up, or stop. */
  const closed = (ws: SocketLike | null, code: number, reason: string): void => {
    if (ws != null && socket !== ws) return
    socket = null
    clearTimers()
    const wasReady = state.status === 'ready'
    const firstFailure = !opts.reconnect && !wasReady && code !== CLOSE_BAD_TOKEN && code !== CLOSE_TOKEN_ROTATED
      ? opts.describeFailure?.(reason, code) ?? new WgtError('UNAVAILABLE', `cannot reach the node at ${opts.url}: ${reason}`)
      : null
    if (code === CLOSE_BAD_TOKEN || code === CLOSE_TOKEN_ROTATED) {
      const why = code === CLOSE_BAD_TOKEN ? 'the node rejected the access token' : 'the access token was replaced (wgt token rotate)'
      const unauthorized = new WgtError('UNAUTHORIZED', `${why}: ${reason}`)
      failPending(unauthorized)
      if (state.status === 'closed') return
      fail(unauthorized)
      setState({ status: 'unauthorized', reason: why })
      return
    }
    failPending(firstFailure ?? new WgtError(opts.reconnect ? 'NOT_RUNNING' : 'UNAVAILABLE', opts.reconnect ? `disconnected from node: ${reason}` : `connection to the daemon closed (${reason})`))
    if (state.status === 'closed') return
    if (!opts.reconnect) {
      if (firstFailure != null) fail(firstFailure)
      setState({ status: 'closed' })
      return
    }
    const delay = backoff(Math.max(1, attempt))
    setState({ status: 'disconnected', attempt, retryAt: Date.now() + delay, reason })
    retryTimer = setTimeout(() => { retryTimer = null; connect() }, delay)
  }

  const call = async (method: WgtMethodName, args: unknown[]): Promise<unknown> => {
    const ws = socket
    const early = opts.eager === true && !opts.reconnect && state.status === 'connecting' && ws != null
    if (!early && (state.status !== 'ready' || ws == null || ws.readyState !== OPEN)) {
      throw opts.reconnect ? new WgtError('NOT_RUNNING', 'disconnected from node — reconnecting') : failure ?? new WgtError('UNAVAILABLE', 'not connected to the daemon')
    }
    const id = nextId++
    const classTimeout = callTimeout(method, args)
    const timeoutMs = classTimeout == null ? null : opts.quickTimeoutMs != null && classTimeout === 60_000 ? opts.quickTimeoutMs : classTimeout
    return await new Promise((resolve, reject) => {
      const timer = timeoutMs == null
        ? undefined
        : setTimeout(() => {
          pending.delete(id)
          reject(new WgtError('TIMEOUT', `the node did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`))
        }, timeoutMs)
      ;(timer as { unref?: () => void } | undefined)?.unref?.()
      pending.set(id, { resolve, reject, timer })
      if (early) ws.send(JSON.stringify({ type: 'call', id, method, args } satisfies ClientMessage))
      else send(ws, { type: 'call', id, method, args })
    })
  }

  connect()

  return {
    api: createApiClient(call, hub),
    state: () => state,
    onState: (l) => { stateListeners.add(l); return () => { stateListeners.delete(l) } },
    ready: async () => {
      if (state.status === 'ready') return
      if (failure != null) throw failure
      await new Promise<void>((resolve, reject) => { readyWaiters.add({ resolve, reject }) })
    },
    retryNow: () => {
      if (state.status === 'disconnected') connect()
    },
    close: () => {
      clearTimers()
      setState({ status: 'closed' })
      const ws = socket
      socket = null
      failPending(new WgtError('NOT_RUNNING', 'client closed'))
      ws?.close(1000, 'client closed')
    }
  }
}

function send (ws: SocketLike, msg: ClientMessage): void {
  if (ws.readyState === OPEN) ws.send(JSON.stringify(msg))
}

function parse (data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null
  try {
    const msg = JSON.parse(data) as unknown
    if (typeof msg !== 'object' || msg == null) return null
    const type = (msg as { type?: unknown }).type
    return type === 'ready' || type === 'result' || type === 'event' || type === 'pong' ? msg as ServerMessage : null
  } catch {
    return null
  }
}

function describeClose (ev: { code: number, reason: string }): string {
  if (ev.code === CLOSE_MALFORMED) return 'the node closed the connection (malformed message)'
  if (ev.reason !== '') return `${ev.reason} (code ${ev.code})`
  if (ev.code === 1006) return 'connection lost'
  return `connection closed (code ${ev.code})`
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
