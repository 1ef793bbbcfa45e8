/**
 * The daemon's HTTP server: the WebSocket API at /api, Prometheus text at
 * /metrics (bearer token), file upload and download and compute results
 * for the browser UI (file-transfer.ts, bearer token), and the built
 * renderer everywhere else.
 * It also implements the API's session slice (token rotation). Requests
 * whose Host is not this server, or whose Origin is another site, are
 * refused (same-site.ts), so a DNS-rebinding page cannot even try the token;
 * so is every connection past a bound (connection-limit.ts). It keeps only
 * the token's digest (token.ts).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer } from 'ws'
import type { NodeApi, WgtApi } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { ConnectionLimit } from './connection-limit.js'
import { COMPUTE_RESULT_PATH, CONTENT_PATH, FileTransfer, UPLOAD_PATH } from './file-transfer.js'
import { sendText, setSecurityHeaders } from './http-headers.js'
import { serveStatic } from './static-files.js'
import { callOf, callWork, OperationOwners } from './owners.js'
import { foreignRequest } from './same-site.js'
import { TokenCheck } from './token.js'
import { CLOSE_TOKEN_ROTATED, runSession, type Session } from './ws-session.js'

export const API_PATH = '/api'
/** Largest inbound WebSocket message; ws closes the connection (1009) past it. */
export const MAX_MESSAGE_BYTES = 64 * 1024
export const AUTH_TIMEOUT_MS = 5000
/** Connections (HTTP and WebSocket alike) open at once; a browser tab needs a handful, the `wgt` command one. */
export const MAX_CONNECTIONS = 64

export interface ApiServerOptions {
  api: NodeApi
  /** Prometheus text exposition for GET /metrics */
  prometheus: () => string | Promise<string>
  token: string
  /** directory holding the built renderer (index.html, assets/) */
  rendererDir: string
  host?: string
  /** 0 picks a free port */
  port: number
  authTimeoutMs?: number
  /** connections served at once (MAX_CONNECTIONS); more are answered 503 */
  maxConnections?: number
  /** how long a named client's work outlives its connection (owners.ts) */
  clientGraceMs?: number
  /** where browser uploads wait for their share (DATA/uploads); without it /upload and /files/ answer 404 */
  uploadDir?: string
  uploadTtlMs?: number
  /** make and persist a new token (wgt token rotate); answers the UI's new address */
  rotateToken?: () => Promise<{ token: string, uiUrl: string }>
}

export interface ApiServer {
  readonly host: string
  readonly port: number
  /** http://HOST:PORT */
  readonly url: string
  /** close every client and the listener; resolves once the port is released */
  stop: () => Promise<void>
}

export async function startApiServer ({ token: initialToken, ...options }: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1'
  // Only the digest from here on: `options`, which the handlers keep, no longer holds the token.
  const token = new TokenCheck(initialToken)
  const limit = new ConnectionLimit(options.maxConnections ?? MAX_CONNECTIONS)
  const authTimeoutMs = options.authTimeoutMs ?? AUTH_TIMEOUT_MS

  const files = options.uploadDir != null
    ? new FileTransfer({ api: options.api, token, uploadDir: options.uploadDir, uploadTtlMs: options.uploadTtlMs })
    : null
  await files?.start()

  const sessions = new Set<Session>()
  const owners = new OperationOwners(work => {
    const call = callOf(work)
    if (call != null) void options.api.hangupCall(call).catch(() => {})
    else void options.api.cancelOperation(work).catch(() => {})
  }, options.clientGraceMs)
  const offOperations = options.api.on('operation:update', op => { if (op.state !== 'running') owners.ended(op.id) })
  const offCalls = options.api.on('call:state', c => { if (c.state === 'ended') owners.ended(callWork(c.id)) })
  const offEnded = (): void => { offOperations(); offCalls() }
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  wss.on('connection', ws => {
    const api: WgtApi = {
      ...options.api,
      rotateToken: async () => {
        if (options.rotateToken == null) throw new WgtError('UNAVAILABLE', 'this server cannot rotate its token')
        const next = await options.rotateToken()
        token.replace(next.token)
        // everyone else at once; the caller once its answer is on the way. Their
        // work goes on: they did not leave, and may come back with the new token.
        for (const s of sessions) if (s !== session) s.close(CLOSE_TOKEN_ROTATED, 'the access token was replaced', true)
        const caller = session
        setTimeout(() => { caller?.close(CLOSE_TOKEN_ROTATED, 'the access token was replaced', true) }, 100)
        return { uiUrl: next.uiUrl }
      }
    }
    const session = runSession(ws, { api, token, authTimeoutMs, owners, onStarted: (m, args, ref) => { files?.onStarted(m, args, ref) } })
    sessions.add(session)
    ws.once('close', () => { sessions.delete(session) })
  })

  let port = 0
  /** what a request or an upgrade is answered instead of being served, if it is not */
  const refusal = (req: IncomingMessage): { status: number, reason: string } | null => {
    if (!limit.admits(req.socket)) return { status: 503, reason: limit.refusal() }
    const foreign = foreignRequest(req, host, port)
    return foreign == null ? null : { status: 403, reason: `forbidden: ${foreign}` }
  }
  const server = createServer((req, res) => {
    setSecurityHeaders(res)
    const refused = refusal(req)
    if (refused != null) {
      res.setHeader('Connection', 'close')
      sendText(res, refused.status, `${refused.reason}\n`)
      return
    }
    handleHttp(req, res, options, token, files).catch(err => {
      if (!res.headersSent) sendText(res, 500, `internal error: ${WgtError.from(err).message}\n`)
      else res.destroy()
    })
  })
  // Refused before the upgrade: a refused client never gets a WebSocket, so it never gets to try a token.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refused = refusal(req) ?? (pathOf(req) !== API_PATH ? { status: 404, reason: 'not found' } : null)
    if (refused != null) {
      const body = `${refused.reason}\n`
      socket.end(`HTTP/1.1 ${refused.status} ${STATUS_CODES[refused.status]}\r\nConnection: close\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
      return
    }
    wss.handleUpgrade(req, socket, head, ws => { wss.emit('connection', ws, req) })
  })
  server.on('clientError', (_err, socket) => { socket.destroy() })
  limit.watch(server)

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(err.code === 'EADDRINUSE'
        ? new WgtError('UNAVAILABLE', `API port ${options.port} on ${host} is already in use (choose another with --api-port)`)
        : new WgtError('UNAVAILABLE', `cannot listen on ${host}:${options.port}: ${err.message}`))
    }
    server.once('error', onError)
    server.listen(options.port, host, () => {
      server.off('error', onError)
      resolve()
    })
  }).catch(async (err: unknown) => {
    await files?.stop()
    throw err
  })
  port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host

  let stopping: Promise<void> | undefined
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    stop: async () => {
      stopping ??= new Promise<void>(resolve => {
        // the node stops with the server: its work ends there, not by each client's leaving
        offEnded()
        owners.stop()
        for (const ws of wss.clients) ws.terminate()
        wss.close()
        server.close(() => { resolve() })
        // keep-alive HTTP connections would otherwise hold the port open
        server.closeAllConnections()
      }).then(async () => { await files?.stop() })
      await stopping
    }
  }
}

function pathOf (req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname
  } catch {
    return ''
  }
}

async function handleHttp (
  req: IncomingMessage, res: ServerResponse, options: Omit<ApiServerOptions, 'token'>, token: TokenCheck, files: FileTransfer | null
): Promise<void> {
  const path = pathOf(req)
  if (path === UPLOAD_PATH || path.startsWith('/files/') || path.startsWith('/compute/')) {
    const content = CONTENT_PATH.exec(path)
    const result = COMPUTE_RESULT_PATH.exec(path)
    if (files != null && path === UPLOAD_PATH) await files.handleUpload(req, res, new URL(req.url ?? '/', 'http://localhost'))
    else if (files != null && content != null) await files.handleContent(req, res, content[1])
    else if (files != null && result != null) await files.handleComputeResult(req, res, result[1])
    else sendText(res, 404, 'not found\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD')
    sendText(res, 405, 'method not allowed\n')
    return
  }
  // Raw path, not URL-normalised: static-files decides on the decoded path itself.
  const rawPath = (req.url ?? '/').split('?')[0].split('#')[0]
  if (path === '/metrics') {
    if (!token.matchesBearer(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="wgt"')
      sendText(res, 401, 'unauthorized: send Authorization: Bearer <token from api.json>\n')
      return
    }
    sendText(res, 200, await options.prometheus(), 'text/plain; version=0.0.4; charset=utf-8')
    return
  }
  if (path === API_PATH) {
    sendText(res, 426, 'the API at /api speaks WebSocket\n')
    return
  }
  await serveStatic(options.rendererDir, rawPath, req, res)
}
