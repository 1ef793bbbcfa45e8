import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import type { AddressInfo } from 'node:net'
import { WgtError } from '../../shared/errors.js'
import { backoffDelay, type ApiClient as WsClient } from '../../shared/api-client.js'
import { apiUrlFor, createWsClient, tokenFromHash, type ConnectionState } from '../src/api/ws-client.js'

const TOKEN = 'right-token'

/** A minimal server speaking the daemon's protocol, enough to drive the client. */
async function startServer (): Promise<{ url: string, wss: WebSocketServer, sockets: Set<ServerSocket>, stop: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>(resolve => wss.once('listening', () => { resolve() }))
  const sockets = new Set<ServerSocket>()
  wss.on('connection', ws => {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    let authed = false
    ws.on('message', raw => {
      const msg = JSON.parse(String(raw))
      if (!authed) {
        if (msg.type === 'auth' && msg.token === TOKEN) { authed = true; ws.send(JSON.stringify({ type: 'ready' })) } else ws.close(4401, 'bad token')
        return
      }
      if (msg.method === 'getPeer') {
        ws.send(JSON.stringify({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'NOT_FOUND', message: `unknown peer ${msg.args[0]}` } } }))
      } else if (msg.method === 'listPeers') {
        ws.send(JSON.stringify({ type: 'event', event: 'peer:remove', data: { peerId: 'QmGONEGONEGO' } }))
        ws.send(JSON.stringify({ type: 'result', id: msg.id, result: { ok: true, value: [] } }))
      }
      // other methods never answer: used to test disconnects with calls in flight
    })
  })
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api`
  return {
    url,
    wss,
    sockets,
    stop: async () => {
      for (const s of sockets) s.terminate()
      await new Promise<void>(resolve => { wss.close(() => { resolve() }) })
    }
  }
}

function waitFor (client: WsClient, status: ConnectionState['status']): Promise<ConnectionState> {
  if (client.state().status === status) return Promise.resolve(client.state())
  return new Promise(resolve => {
    const off = client.onState(s => { if (s.status === status) { off(); resolve(s) } })
  })
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('helpers', () => {
  it('reads the token from the fragment', () => {
    expect(tokenFromHash('#token=abc_-DEF')).toBe('abc_-DEF')
    expect(tokenFromHash('#x=1&token=t2')).toBe('t2')
    expect(tokenFromHash('')).toBeNull()
    expect(tokenFromHash('#token=')).toBeNull()
  })
  it('builds the API URL from the page location', () => {
    expect(apiUrlFor({ protocol: 'http:', host: '127.0.0.1:4100' })).toBe('ws://127.0.0.1:4100/api')
    expect(apiUrlFor({ protocol: 'https:', host: 'node.example:443' })).toBe('wss://node.example:443/api')
  })
  it('backs off exponentially up to a cap, with bounded jitter', () => {
    const mid = (): number => 0.5
    expect(backoffDelay(1, mid)).toBe(500)
    expect(backoffDelay(2, mid)).toBe(1000)
    expect(backoffDelay(4, mid)).toBe(4000)
    expect(backoffDelay(30, mid)).toBe(15_000)
    expect(backoffDelay(1, () => 0)).toBe(400)
    expect(backoffDelay(1, () => 1)).toBe(600)
  })
})

describe('createWsClient against a WebSocket server', () => {
  it('authenticates, calls, receives events and keeps error codes', async () => {
    const server = await startServer()
    cleanups.push(server.stop)
    const client = createWsClient({ url: server.url, token: TOKEN })
    cleanups.push(() => { client.close() })
    await waitFor(client, 'ready')

    const removed: string[] = []
    client.api.on('peer:remove', d => { removed.push(d.peerId) })
    await expect(client.api.listPeers()).resolves.toEqual([])
    expect(removed).toEqual(['QmGONEGONEGO'])

    const err = await client.api.getPeer('QmNOPENOPENO').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WgtError)
    expect((err as WgtError).code).toBe('NOT_FOUND')
  })

  it('a wrong token ends in unauthorized without retrying', async () => {
    const server = await startServer()
    cleanups.push(server.stop)
    let connections = 0
    server.wss.on('connection', () => { connections++ })
    const client = createWsClient({ url: server.url, token: 'wrong', backoff: () => 10 })
    cleanups.push(() => { client.close() })
    await waitFor(client, 'unauthorized')
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(client.state().status).toBe('unauthorized')
    expect(connections).toBe(1)
  })

  it('fails a call in flight as UNAUTHORIZED when the token is replaced under it', async () => {
    const server = await startServer()
    cleanups.push(server.stop)
    const client = createWsClient({ url: server.url, token: TOKEN, backoff: () => 10 })
    cleanups.push(() => { client.close() })
    await waitFor(client, 'ready')
    const inFlight = client.api.getIdentity().catch((e: unknown) => e)
    for (const s of server.sockets) s.close(4403, 'the access token was replaced')
    expect(await inFlight).toMatchObject({ code: 'UNAUTHORIZED' })
    await waitFor(client, 'unauthorized')
  })

  it('rejects calls with NOT_RUNNING when the link drops, and reconnects', async () => {
    const server = await startServer()
    cleanups.push(server.stop)
    const client = createWsClient({ url: server.url, token: TOKEN, backoff: () => 50 })
    cleanups.push(() => { client.close() })
    await waitFor(client, 'ready')

    const inFlight = client.api.getIdentity().catch((e: unknown) => e)
    const disconnected = waitFor(client, 'disconnected')
    for (const s of server.sockets) s.terminate()
    const dropped = await inFlight
    expect((dropped as WgtError).code).toBe('NOT_RUNNING')
    await disconnected

    const whileDown = await client.api.getIdentity().catch((e: unknown) => e)
    expect((whileDown as WgtError).code).toBe('NOT_RUNNING')

    await waitFor(client, 'ready')
    await expect(client.api.listPeers()).resolves.toEqual([])
  })

  it('keeps retrying while nothing listens, then connects when a server appears', async () => {
    const server = await startServer()
    const url = server.url
    const port = Number(new URL(url).port)
    await server.stop()
    const client = createWsClient({ url, token: TOKEN, backoff: () => 50 })
    cleanups.push(() => { client.close() })
    const down = await waitFor(client, 'disconnected')
    expect(down.status === 'disconnected' && down.attempt).toBeGreaterThanOrEqual(1)

    const again = new WebSocketServer({ host: '127.0.0.1', port })
    cleanups.push(() => new Promise<void>(resolve => { for (const c of again.clients) c.terminate(); again.close(() => { resolve() }) }))
    again.on('connection', ws => { ws.on('message', () => { ws.send(JSON.stringify({ type: 'ready' })) }) })
    await waitFor(client, 'ready')
  })

  it('close() stops reconnecting and rejects further calls', async () => {
    const server = await startServer()
    cleanups.push(server.stop)
    const client = createWsClient({ url: server.url, token: TOKEN, backoff: () => 10 })
    await waitFor(client, 'ready')
    client.close()
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(client.state().status).toBe('closed')
    expect(server.sockets.size).toBe(0)
    const err = await client.api.listPeers().catch((e: unknown) => e)
    expect((err as WgtError).code).toBe('NOT_RUNNING')
  })
})
