/**
 * The CLI's connection to a daemon: WebSocket transport under the shared
 * createApiClient, so the CLI uses the same client code as the browser UI.
 */
import WebSocket from 'ws'
import type { WgtApi, WgtMethodName } from '../../shared/api.js'
import { WgtError } from '../../shared/errors.js'
import { EventHub, createApiClient, unwrap, type ClientMessage, type RpcResult } from '../../shared/rpc.js'
import { readApiInfo, type ApiInfo } from './api-file.js'

export interface Connection {
  api: WgtApi
  info: ApiInfo
  close: () => void
}

export interface ConnectOptions {
  /** how long to wait for the socket to open and authenticate */
  connectTimeoutMs?: number
  /** how often to ping the daemon; a daemon silent for three intervals counts as gone */
  keepAliveMs?: number
}

export const KEEP_ALIVE_MS = 15_000

export function wsUrlFor (apiUrl: string): string {
  const url = new URL(apiUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.pathname = '/api'
  return url.toString()
}

/** Connect to the daemon owning dataDir; NOT_RUNNING with a one-line reason when there is none. */
export async function connectToDaemon (dataDir: string, options: ConnectOptions = {}): Promise<Connection> {
  const info = await readApiInfo(dataDir)
  const api = await connectWs(wsUrlFor(info.apiUrl), info.token, { ...options, dataDir })
  return { ...api, info }
}

export async function connectWs (
  url: string,
  token: string,
  options: ConnectOptions & { dataDir?: string } = {}
): Promise<{ api: WgtApi, close: () => void }> {
  const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 })
  const hub = new EventHub()
  const pending = new Map<number, { resolve: (r: RpcResult) => void, reject: (e: WgtError) => void }>()
  let nextId = 1
  let closedError: WgtError | undefined
  const where = options.dataDir != null ? ` (from ${options.dataDir}/api.json)` : ''

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new WgtError('TIMEOUT', `daemon at ${url}${where} did not answer within ${options.connectTimeoutMs ?? 10_000} ms`))
    }, options.connectTimeoutMs ?? 10_000)
    const done = (err?: WgtError): void => {
      clearTimeout(timer)
      ws.off('message', onFirst)
      if (err != null) reject(err); else resolve()
    }
    const onFirst = (data: WebSocket.RawData): void => {
      let msg: { type?: unknown }
      try { msg = JSON.parse(data.toString()) } catch { msg = {} }
      if (msg.type === 'ready') done()
      else done(new WgtError('PROTOCOL', `daemon at ${url} answered auth with ${JSON.stringify(msg.type)}`))
    }
    ws.on('message', onFirst)
    ws.once('open', () => { ws.send(JSON.stringify({ type: 'auth', token } satisfies ClientMessage)) })
    ws.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done(new WgtError('NOT_RUNNING', `daemon not running (connection to ${url}${where} refused)`))
      else done(new WgtError('UNAVAILABLE', `cannot reach the daemon at ${url}${where}: ${err.message}`))
    })
    ws.once('close', (code, reason) => {
      if (code === 4401) done(new WgtError('UNAUTHORIZED', `daemon at ${url} refused the token${where}: ${reason.toString() || 'bad token'}`))
      else done(new WgtError('UNAVAILABLE', `daemon at ${url} closed the connection (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`))
    })
  })

  ws.on('message', data => {
    let msg: Record<string, unknown>
    try { msg = JSON.parse(data.toString()) } catch { return }
    if (msg.type === 'result' && typeof msg.id === 'number') {
      const entry = pending.get(msg.id)
      if (entry == null) return
      pending.delete(msg.id)
      entry.resolve(msg.result as RpcResult)
    } else if (msg.type === 'event') {
      hub.emit(msg.event, msg.data)
    }
  })
  ws.on('error', () => {})

  // Calls without a deadline (a share of a large file takes minutes) must still end when
  // the daemon is gone without closing the socket (killed host, suspended process): the
  // daemon's ws answers pings by itself whenever its event loop runs.
  const keepAliveMs = options.keepAliveMs ?? KEEP_ALIVE_MS
  let lastPong = Date.now()
  let silent = false
  ws.on('pong', () => { lastPong = Date.now() })
  const keepAlive = setInterval(() => {
    if (Date.now() - lastPong > 3 * keepAliveMs) {
      silent = true
      ws.terminate()
      return
    }
    ws.ping()
  }, keepAliveMs)
  keepAlive.unref()

  ws.on('close', (code, reason) => {
    clearInterval(keepAlive)
    closedError = silent
      ? new WgtError('UNAVAILABLE', `the daemon at ${url} stopped answering (no reply to keep-alive pings for ${Math.round(3 * keepAliveMs / 1000)} s)`)
      : new WgtError('UNAVAILABLE', `connection to the daemon closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`)
    for (const entry of pending.values()) entry.reject(closedError)
    pending.clear()
  })

  const call = async (method: WgtMethodName, args: unknown[]): Promise<unknown> => {
    if (closedError != null) throw closedError
    const id = nextId++
    const result = await new Promise<RpcResult>((resolve, reject) => {
      pending.set(id, { resolve, reject })
      ws.send(JSON.stringify({ type: 'call', id, method, args } satisfies ClientMessage))
    })
    return unwrap(result)
  }

  return { api: createApiClient(call, hub), close: () => { ws.close(1000) } }
}
