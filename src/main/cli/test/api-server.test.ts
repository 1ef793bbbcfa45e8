import { randomBytes } from 'node:crypto'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { WgtError } from '../../../shared/errors.js'
import type { NodeIdentity, PeerEntry } from '../../../shared/api/index.js'
import { newToken } from '../api-file.js'
import { startApiServer, type ApiServer } from '../api-server/index.js'
import { connectWs } from '../client.js'
import { fakeNode } from './fake-node.js'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

/** The smallest node API the server can be driven with; it records what reached it. */
function fakeApi () {
  const identity: NodeIdentity = { peerId: PEER, agent: 'wgt/test', multiaddrs: [], protocols: [], startedAt: 1 }
  return fakeNode({
    getIdentity: async () => identity,
    listPeers: async () => [],
    getPeer: async (id) => { throw new WgtError('NOT_FOUND', `unknown peer ${id}`) },
    connect: async () => ({}) as PeerEntry,
    disconnect: async () => {},
    ping: async (id, count) => ({ peerId: id, rtts: Array(count).fill(0.2) })
  })
}

interface Closed { code: number, reason: string }

function open (url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => { resolve(ws) })
    ws.once('error', reject)
  })
}

function closed (ws: WebSocket): Promise<Closed> {
  return new Promise(resolve => { ws.once('close', (code, reason) => { resolve({ code, reason: reason.toString() }) }) })
}

function nextMessage (ws: WebSocket): Promise<any> {
  return new Promise((resolve, reject) => {
    ws.once('message', data => { resolve(JSON.parse(data.toString())) })
    ws.once('close', code => { reject(new Error(`closed ${code} before a message`)) })
  })
}

function get (port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, unknown>, body: string }> {
  return new Promise((resolve, reject) => {
    // http.request sends the path exactly as given: traversal attempts reach the server unnormalised
    const req = request({ host: '127.0.0.1', port, path, headers }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', c => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('API server', () => {
  let dir: string
  let rendererDir: string
  let server: ApiServer
  let token: string
  let fake: ReturnType<typeof fakeApi>
  const sockets: WebSocket[] = []

  async function start (authTimeoutMs = 5000): Promise<void> {
    server = await startApiServer({
      api: fake.api,
      prometheus: () => `# TYPE wgt_peer_rtt_ms gauge\nwgt_peer_rtt_ms{peer="${PEER}"} 0.2\n`,
      token,
      rendererDir,
      port: 0,
      authTimeoutMs
    })
  }

  async function openWs (): Promise<WebSocket> {
    const ws = await open(`ws://127.0.0.1:${server.port}/api`)
    sockets.push(ws)
    return ws
  }

  async function authed (): Promise<WebSocket> {
    const ws = await openWs()
    const ready = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'auth', token }))
    expect(await ready).toEqual({ type: 'ready' })
    return ws
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-api-server-'))
    rendererDir = join(dir, 'renderer')
    await mkdir(join(rendererDir, 'assets'), { recursive: true })
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>WGT</title>')
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(dir, 'package.json'), '{"secret":true}')
    token = newToken()
    fake = fakeApi()
    await start()
  })

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate()
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('binds to 127.0.0.1 by default', () => {
    expect(server.host).toBe('127.0.0.1')
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
  })

  it('answers ready to the right token and then serves calls through the shared client', async () => {
    const { api, close } = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    try {
      expect((await api.getIdentity()).peerId).toBe(PEER)
      expect((await api.ping(PEER, 3)).rtts).toEqual([0.2, 0.2, 0.2])
      await expect(api.getPeer(PEER)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    } finally {
      close()
    }
  })

  it('closes with 4401 on a wrong token, before any call reaches the node', async () => {
    const ws = await openWs()
    const done = closed(ws)
    ws.send(JSON.stringify({ type: 'auth', token: newToken() }))
    expect((await done).code).toBe(4401)
    expect(fake.calls).toEqual([])
  })

  it('closes with 4401 when a call comes before auth', async () => {
    const ws = await openWs()
    const done = closed(ws)
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'getIdentity', args: [] }))
    expect((await done).code).toBe(4401)
    expect(fake.calls).toEqual([])
  })

  it('closes a client that does not authenticate in time', async () => {
    await server.stop()
    await start(150)
    const ws = await openWs()
    const t0 = Date.now()
    const result = await closed(ws)
    expect(result.code).toBe(4401)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100)
  })

  it('the CLI client reports a bad token as UNAUTHORIZED', async () => {
    await expect(connectWs(`ws://127.0.0.1:${server.port}/api`, 'wrong')).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  })

  it('closes with 4400 on malformed JSON, before and after auth', async () => {
    const before = await openWs()
    const c1 = closed(before)
    before.send('{not json')
    expect((await c1).code).toBe(4400)

    const after = await authed()
    const c2 = closed(after)
    after.send('[1,2')
    expect((await c2).code).toBe(4400)
  })

  it('returns INVALID_INPUT as an RpcResult for bad arguments and unknown methods', async () => {
    const ws = await authed()
    let reply = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'call', id: 7, method: 'ping', args: [PEER, 'many'] }))
    expect(await reply).toMatchObject({ type: 'result', id: 7, result: { ok: false, error: { code: 'INVALID_INPUT' } } })

    reply = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'call', id: 8, method: 'formatDisk', args: [] }))
    expect(await reply).toMatchObject({ type: 'result', id: 8, result: { ok: false, error: { code: 'INVALID_INPUT' } } })

    reply = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'call', id: 9, method: 'getPeer', args: ['not a peer id!'] }))
    expect(await reply).toMatchObject({ result: { ok: false, error: { code: 'INVALID_INPUT' } } })
    expect(fake.calls).toEqual([])
  })

  it('refuses messages over 64 KiB', async () => {
    const ws = await authed()
    const done = closed(ws)
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'connect', args: ['/' + 'a'.repeat(70 * 1024)] }))
    expect((await done).code).toBe(1009)
    expect(fake.calls).toEqual([])
  })

  it('forwards events only to authenticated clients and unsubscribes on close', async () => {
    const before = fake.subscribers()
    const unauth = await openWs()
    const unauthMessages: unknown[] = []
    unauth.on('message', d => { unauthMessages.push(d.toString()) })

    const ws = await authed()
    expect(fake.subscribers()).toBeGreaterThan(before)
    const event = nextMessage(ws)
    fake.hub.emit('peer:remove', { peerId: PEER })
    expect(await event).toEqual({ type: 'event', event: 'peer:remove', data: { peerId: PEER } })
    expect(unauthMessages).toEqual([])

    const done = closed(ws)
    ws.close()
    await done
    await vi.waitFor(() => { expect(fake.subscribers()).toBe(before) })
  })

  it('serves the renderer with security headers', async () => {
    const index = await get(server.port, '/')
    expect(index.status).toBe(200)
    expect(index.body).toContain('<title>WGT</title>')
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['content-security-policy']).toContain("default-src 'self'")
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(index.headers['x-content-type-options']).toBe('nosniff')

    const js = await get(server.port, '/assets/app.js?v=1')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')

    expect((await get(server.port, '/missing.js')).status).toBe(404)
  })

  it.each([
    '/../package.json',
    '/..%2fpackage.json',
    '/%2e%2e/package.json',
    '/%2e%2e%2fpackage.json',
    '/assets/../../package.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..%5cpackage.json',
    '/%00index.html',
    '//etc/passwd',
    '/%E0%A4%A'
  ])('does not serve %s', async path => {
    const res = await get(server.port, path)
    expect(res.status).toBe(404)
    expect(res.body).not.toContain('secret')
  })

  it('does not follow a symlink out of the renderer directory', async () => {
    await symlink(join(dir, 'package.json'), join(rendererDir, 'link.json'))
    const res = await get(server.port, '/link.json')
    expect(res.status).toBe(404)
    expect(res.body).not.toContain('secret')
  })

  it('answers 503 with an explanation when the renderer is not built', async () => {
    await rm(rendererDir, { recursive: true })
    const res = await get(server.port, '/')
    expect(res.status).toBe(503)
    expect(res.body).toContain('npm run build')
  })

  it('requires the bearer token for /metrics', async () => {
    expect((await get(server.port, '/metrics')).status).toBe(401)
    expect((await get(server.port, '/metrics', { Authorization: `Bearer ${newToken()}` })).status).toBe(401)
    expect((await get(server.port, '/metrics', { Authorization: token })).status).toBe(401)
    const ok = await get(server.port, '/metrics', { Authorization: `Bearer ${token}` })
    expect(ok.status).toBe(200)
    expect(ok.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(ok.body).toContain(`peer="${PEER}"`)
  })

  it('stop() closes clients and releases the port', async () => {
    const ws = await authed()
    const done = closed(ws)
    const port = server.port
    await server.stop()
    await done
    const refused = await new Promise<string>(resolve => {
      const sock = netConnect(port, '127.0.0.1')
      sock.once('connect', () => { sock.destroy(); resolve('connected') })
      sock.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? 'error') })
    })
    expect(refused).toBe('ECONNREFUSED')
  })

  it('reports a port in use as one clear UNAVAILABLE error', async () => {
    await expect(startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir, port: server.port }))
      .rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('already in use') })
  })
})

describe('API server: sessions, operations, the token and who may ask', () => {
  let dir: string
  let server: ApiServer
  let token: string
  let fake: ReturnType<typeof fakeNode>
  let hungUp: string[]
  let rotations = 0

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgt-api-session-'))
    token = newToken()
    rotations = 0
    fake = fakeNode({
      // a share that runs until it is cancelled, as a long one would
      shareFile: async () => fake.operations.start('share', { label: 'x' }, async op => await new Promise((_resolve, reject) => {
        op.signal.addEventListener('abort', () => { reject(op.signal.reason) }, { once: true })
      })),
      startCall: async (peerId, { video }) => ({
        id: randomBytes(16).toString('hex'), peerId, outgoing: true, video, state: 'ringing', request: false, startedAt: 1, answeredAt: null,
        endedAt: null, endReason: null, endedBy: null, error: null, tunnel: null, quality: null
      }),
      hangupCall: async (id) => {
        hungUp.push(id)
        return { id, peerId: PEER, outgoing: true, video: true, state: 'ended', request: false, startedAt: 1, answeredAt: null, endedAt: 2, endReason: 'cancelled', endedBy: 'local', error: null, tunnel: null, quality: null }
      }
    })
    hungUp = []
    server = await startApiServer({
      api: fake.api,
      prometheus: () => '',
      token,
      rendererDir: join(dir, 'r'),
      port: 0,
      rotateToken: async () => {
        rotations++
        token = newToken()
        return { token, uiUrl: `http://127.0.0.1:${server.port}/#token=${token}` }
      }
    })
  })

  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function authed (client?: string, at: ApiServer = server): Promise<WebSocket> {
    const ws = await open(`ws://127.0.0.1:${at.port}/api`)
    const ready = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'auth', token, client }))
    expect(await ready).toEqual({ type: 'ready' })
    return ws
  }

  /** start a share over a raw connection; answers its operation id */
  async function startShare (ws: WebSocket): Promise<string> {
    const answer = new Promise<any>(resolve => {
      const onMessage = (data: WebSocket.RawData): void => {
        const msg = JSON.parse(data.toString())
        if (msg.type === 'result') { ws.off('message', onMessage); resolve(msg) }
      }
      ws.on('message', onMessage)
    })
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'shareFile', args: ['/tmp/x'] }))
    const msg = await answer
    expect(msg.result.ok).toBe(true)
    return msg.result.value.operation
  }

  async function closeAndWait (ws: WebSocket): Promise<void> {
    const gone = closed(ws)
    ws.close()
    await gone
  }

  it('answers the client\'s keep-alive ping with a pong', async () => {
    const ws = await authed()
    const pong = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'ping' }))
    expect(await pong).toEqual({ type: 'pong' })
    ws.terminate()
  })

  it('cancels the operations a client started when that client goes away, and no others', async () => {
    const mine = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    const other = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    const a = await mine.api.shareFile('/tmp/a')
    const b = await other.api.shareFile('/tmp/b')
    mine.close()
    expect((await fake.operations.wait(a.operation)).state).toBe('cancelled')
    expect(fake.operations.isRunning(b.operation)).toBe(true)
    await other.api.cancelOperation(b.operation)
    expect((await other.api.waitOperation(b.operation)).state).toBe('cancelled')
    other.close()
  })

  it('hangs up the calls a client started when that client goes away, and no others; an ended call is forgotten', async () => {
    const mine = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    const other = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    const a = await mine.api.startCall(PEER, { video: true })
    const b = await other.api.startCall(PEER, { video: false })
    mine.close()
    await vi.waitFor(() => { expect(hungUp).toEqual([a.id]) })
    fake.hub.emit('call:state', { ...b, state: 'ended', endReason: 'declined', endedBy: 'remote', endedAt: 2 })
    const last = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    const c = await last.api.startCall(PEER, { video: false })
    other.close()
    last.close()
    await vi.waitFor(() => { expect(hungUp).toContain(c.id) })
    expect(hungUp).not.toContain(b.id)
  })

  it('keeps a named client\'s work while it reconnects, and cancels it once the client stays away', async () => {
    const tab = 'tab-0123456789abcdef'
    const first = await authed(tab)
    const op = await startShare(first)
    await closeAndWait(first)
    // the same tab back (a reload, a network blip): its share goes on
    const again = await authed(tab)
    await closeAndWait(await authed())
    expect(fake.operations.isRunning(op)).toBe(true)
    await closeAndWait(again)
    expect(fake.operations.isRunning(op)).toBe(true)
    await server.stop()
    // a server whose grace is short: a tab that does not come back loses its work
    server = await startApiServer({ api: fake.api, prometheus: () => '', token, rendererDir: join(dir, 'r'), port: 0, clientGraceMs: 50 })
    const gone = await authed(tab)
    const orphan = await startShare(gone)
    await closeAndWait(gone)
    expect((await fake.operations.wait(orphan)).state).toBe('cancelled')
    fake.operations.cancel(op)
  })

  it('refuses a malformed client id', async () => {
    const ws = await open(`ws://127.0.0.1:${server.port}/api`)
    const bye = closed(ws)
    ws.send(JSON.stringify({ type: 'auth', token, client: 'x' }))
    expect((await bye).code).toBe(4400)
  })

  it('rotates the token: the caller gets the new address, every connection with the old token is closed', async () => {
    const bystander = await authed()
    const bystanderClosed = closed(bystander)
    const old = token
    const caller = await connectWs(`ws://127.0.0.1:${server.port}/api`, old)
    const { uiUrl } = await caller.api.rotateToken()
    expect(uiUrl).toContain(`#token=${token}`)
    expect(token).not.toBe(old)
    expect(rotations).toBe(1)
    expect((await bystanderClosed).code).toBe(4403)
    await expect(connectWs(`ws://127.0.0.1:${server.port}/api`, old)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    const fresh = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    fresh.close()
    caller.close()
  })

  it('rotating the token cancels nobody\'s work: the clients did not leave', async () => {
    const cli = await authed()
    const op = await startShare(cli)
    const cliClosed = closed(cli)
    const caller = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    await caller.api.rotateToken()
    expect((await cliClosed).code).toBe(4403)
    caller.close()
    const fresh = await connectWs(`ws://127.0.0.1:${server.port}/api`, token)
    expect((await fresh.api.listOperations()).find(o => o.id === op)?.state).toBe('running')
    await fresh.api.cancelOperation(op)
    fresh.close()
  })
})
