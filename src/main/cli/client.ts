/**
 * The CLI's connection to a running daemon: DATA/api.json says where and
 * with which token; the shared API client (the same one the browser UI
 * uses) carries calls and events over a small node:net WebSocket.
 */
import type { WgtApi } from '../../shared/api/index.js'
import { createApiClientOverSocket } from '../../shared/api-client.js'
import { WgtError } from '../../shared/errors.js'
import { readApiInfo, type ApiInfo } from './api-info.js'
import { nodeSocket } from './net-socket.js'

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

export function wsUrlFor (apiUrl: string): string {
  const url = new URL(apiUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.pathname = '/api'
  return url.toString()
}

/**
 * Connect to the daemon owning dataDir; NOT_RUNNING with a one-line reason when there is none.
 * eager: resolve before the connection is up, so the first call travels with the handshake
 * (a failed connection then fails that call, with the same reason).
 */
export async function connectToDaemon (dataDir: string, options: ConnectOptions & { eager?: boolean } = {}): Promise<Connection> {
  const info = await readApiInfo(dataDir)
  const conn = await connectWs(wsUrlFor(info.apiUrl), info.token, { ...options, dataDir })
  return { ...conn, info }
}

export async function connectWs (url: string, token: string, options: ConnectOptions & { dataDir?: string, eager?: boolean } = {}): Promise<{ api: WgtApi, close: () => void }> {
  const where = options.dataDir != null ? ` (from ${options.dataDir}/api.json)` : ''
  const timeoutMs = options.connectTimeoutMs ?? 10_000
  const client = createApiClientOverSocket({
    url,
    token,
    socket: nodeSocket,
    reconnect: false,
    authTimeoutMs: timeoutMs,
    keepAliveMs: options.keepAliveMs,
    eager: options.eager,
    describeFailure: (reason) => {
      if (/ECONNREFUSED/.test(reason)) return new WgtError('NOT_RUNNING', `daemon not running (connection to ${url}${where} refused)`)
      if (/^no answer within/.test(reason)) return new WgtError('TIMEOUT', `daemon at ${url}${where} did not answer within ${timeoutMs} ms`)
      return new WgtError('UNAVAILABLE', `cannot reach the daemon at ${url}${where}: ${reason}`)
    }
  })
  const ready = client.ready()
  if (options.eager === true) {
    ready.catch(() => {})
  } else {
    try {
      await ready
    } catch (err) {
      client.close()
      throw err
    }
  }
  return { api: client.api, close: client.close }
}
