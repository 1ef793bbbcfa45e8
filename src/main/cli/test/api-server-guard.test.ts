/**
 * Who may reach the daemon's API server: Host and Origin (DNS rebinding,
 * other sites' pages), the bound on connections, and the token after a
 * rotation. Every server and socket a test opens is closed by afterEach.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { request, type IncomingMessage } from 'node:http'
import { connect as netConnect, type Socket } from 'node:net'
import { hostname, networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { EVENT_NAMES } from '../../../shared/api/index.js'
import { newToken } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { foreignRequest } from '../api-server/same-site.js'
import { connectWs } from '../client.js'
import { fakeNode, type FakeNode } from './fake-node.js'

interface Answer { status: number, body: string }

/** GET on a connection of its own (no keep-alive agent), with exactly these headers. */
function get (port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', c => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('API server: Host, Origin, connection bound, token', () => {
  let dir: string
  let server: ApiServer
  let token: string
  let fake: FakeNode
  /** event subscriptions of the server itself, before any session */
  let idle = 0
  const opened: Array<WebSocket | Socket> = []

  async function start (maxConnections?: number): Promise<void> {
    server = await startApiServer({
      api: fake.api,
      prometheus: () => 'wgt_up 1\n',
      token,
      rendererDir: join(dir, 'r'),
      port: 0,
      maxConnections,
      rotateToken: async () => {
        token = newToken()
        return { token, uiUrl: `${server.url}/#token=${token}` }
      }
    })
    idle = fake.subscribers()
  }

  /** authenticated sessions: each subscribes to the node's events */
  const sessions = (): number => (fake.subscribers() - idle) / EVENT_NAMES.length


  /** A WebSocket upgrade: the open socket, or the HTTP answer that refused it. */
  function upgrade (options: { host?: string, origin?: string } = {}): Promise<WebSocket | Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = options.host == null ? {} : { Host: options.host }
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers, origin: options.origin })
      opened.push(ws)
      ws.once('open', () => { resolve(ws) })
      ws.once('unexpected-response', (_req, res: IncomingMessage) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', c => { body += c })
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
        res.on('error', reject)
      })
      // also after a refusal: afterEach's terminate() of a refused handshake reports an error
      ws.on('error', reject)
    })
  }

  /** authenticate on an open socket; resolves with the server's first answer */
  function auth (ws: WebSocket, presented = token): Promise<unknown> {
    return new Promise((resolve, reject) => {
      ws.once('message', data => { resolve(JSON.parse(data.toString())) })
      ws.once('close', code => { reject(new Error(`closed ${code}`)) })
      ws.send(JSON.stringify({ type: 'auth', token: presented }))
    })
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-api-guard-'))
    token = newToken()
    fake = fakeNode()
  })

  afterEach(async () => {
    for (const s of opened.splice(0)) { if (s instanceof WebSocket) s.terminate(); else s.destroy() }
    await server?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a forged Host with 403 and a reason, over HTTP and before a WebSocket upgrade', async () => {
    await start()
    const bearer = { Authorization: `Bearer ${token}` }
    for (const host of [`rebound.attacker.example:${server.port}`, 'evil.example:80', `127.0.0.1:${server.port + 1}`]) {
      const http = await get(server.port, '/metrics', { ...bearer, Host: host })
      expect(http, host).toEqual({ status: 403, body: 'forbidden: the Host header does not name this server\n' })
      expect(await upgrade({ host }), host).toEqual({ status: 403, body: 'forbidden: the Host header does not name this server\n' })
    }
    // nothing reached a session: no subscription to events, no call
    expect(sessions()).toBe(0)
    expect(fake.calls).toEqual([])
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`]) {
      expect((await get(server.port, '/metrics', { ...bearer, Host: host })).status, host).toBe(200)
    }
  })

  it('refuses a foreign Origin, allows its own, and allows none (the wgt command sends none)', async () => {
    await start()
    const own = `http://127.0.0.1:${server.port}`
    const bearer = { Authorization: `Bearer ${token}` }
    for (const origin of ['http://evil.example', `http://evil.example:${server.port}`, `https://127.0.0.1:${server.port}`, 'null']) {
      expect(await get(server.port, '/metrics', { ...bearer, Origin: origin }), origin)
        .toEqual({ status: 403, body: 'forbidden: requests from another site\'s page are refused\n' })
      expect(await upgrade({ origin }), origin).toEqual({ status: 403, body: 'forbidden: requests from another site\'s page are refused\n' })
    }
    expect(sessions()).toBe(0)

    expect((await get(server.port, '/metrics', { ...bearer, Origin: own })).status).toBe(200)
    const fromPage = await upgrade({ origin: own })
    expect(await auth(fromPage as WebSocket)).toEqual({ type: 'ready' })
    const fromCli = await upgrade()
    expect(await auth(fromCli as WebSocket)).toEqual({ type: 'ready' })
  })

  it('serves a bounded number of connections, HTTP and WebSocket alike, and refuses more with 503', async () => {
    await start(2)
    const session = await upgrade()
    expect(await auth(session as WebSocket)).toEqual({ type: 'ready' })
    // a browser's keep-alive HTTP connection holds a place too, for as long as it is open
    const keptAlive = netConnect(server.port, '127.0.0.1')
    opened.push(keptAlive)
    const firstAnswer = new Promise<string>(resolve => { keptAlive.once('data', d => { resolve(d.toString('utf8')) }) })
    keptAlive.write(`GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${token}\r\n\r\n`)
    expect(await firstAnswer).toMatch(/^HTTP\/1\.1 200 /)

    const refusal = 'too many connections to the WGT API (at most 2 at once); close some and try again\n'
    expect(await upgrade()).toEqual({ status: 503, body: refusal })
    expect(await get(server.port, '/metrics', { Authorization: `Bearer ${token}` })).toEqual({ status: 503, body: refusal })
    expect(sessions()).toBe(1)

    // a place freed is a place taken again
    keptAlive.destroy()
    let next: WebSocket | Answer = { status: 0, body: '' }
    for (let i = 0; i < 100 && !(next instanceof WebSocket); i++) {
      next = await upgrade()
      if (!(next instanceof WebSocket)) await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(next).toBeInstanceOf(WebSocket)
    expect(await auth(next as WebSocket)).toEqual({ type: 'ready' })
  })

  it('after a rotation takes the new token and refuses the old one, over WebSocket and HTTP', async () => {
    await start()
    const old = token
    const caller = await connectWs(`ws://127.0.0.1:${server.port}/api`, old)
    await caller.api.rotateToken()
    caller.close()
    expect(token).not.toBe(old)
    await expect(connectWs(`ws://127.0.0.1:${server.port}/api`, old)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect((await get(server.port, '/metrics', { Authorization: `Bearer ${old}` })).status).toBe(401)
    const fresh = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    fresh.close()
    expect((await get(server.port, '/metrics', { Authorization: `Bearer ${token}` })).status).toBe(200)
  })
})

describe('foreignRequest', () => {
  const req = (host: string | undefined, origin?: string): IncomingMessage => ({ headers: { host, origin } }) as unknown as IncomingMessage
  const sameSite = (r: IncomingMessage, bindHost: string, port: number): boolean => foreignRequest(r, bindHost, port) == null

  it('takes loopback names at the bound port, with an Origin of the same host and port over http', () => {
    expect(sameSite(req('127.0.0.1:4100'), '127.0.0.1', 4100)).toBe(true)
    expect(sameSite(req('LOCALHOST:4100', 'http://localhost:4100'), '127.0.0.1', 4100)).toBe(true)
    expect(sameSite(req('[::1]:4100', 'http://[::1]:4100'), '127.0.0.1', 4100)).toBe(true)
    expect(sameSite(req('localhost', 'http://localhost'), '127.0.0.1', 80)).toBe(true)
    expect(sameSite(req('localhost:80', 'http://localhost'), '127.0.0.1', 80)).toBe(true)
    expect(sameSite(req(undefined), '127.0.0.1', 4100)).toBe(false)
    expect(sameSite(req('localhost:4101'), '127.0.0.1', 4100)).toBe(false)
    expect(sameSite(req('localhost:4100', 'https://localhost:4100'), '127.0.0.1', 4100)).toBe(false)
    expect(sameSite(req('localhost:4100', 'http://localhost:4101'), '127.0.0.1', 4100)).toBe(false)
    expect(sameSite(req('localhost:4100', 'null'), '127.0.0.1', 4100)).toBe(false)
  })

  it('takes the address it was told to bind, and bound to every interface this machine\'s names only', () => {
    expect(sameSite(req('192.0.2.5:4100', 'http://192.0.2.5:4100'), '192.0.2.5', 4100)).toBe(true)
    expect(sameSite(req('192.0.2.6:4100'), '192.0.2.5', 4100)).toBe(false)
    const lan = Object.values(networkInterfaces()).flat().find(a => a != null && a.family === 'IPv4')?.address ?? '127.0.0.1'
    expect(sameSite(req(`${lan}:4100`, `http://${lan}:4100`), '0.0.0.0', 4100)).toBe(true)
    expect(sameSite(req(`${hostname()}:4100`), '0.0.0.0', 4100)).toBe(true)
    expect(sameSite(req('rebound.attacker.example:4100'), '0.0.0.0', 4100)).toBe(false)
    expect(sameSite(req('192.0.2.77:4100'), '0.0.0.0', 4100)).toBe(false)
  })
})
