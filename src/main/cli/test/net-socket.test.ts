/**
 * The `wgt` command's WebSocket client against a real `ws` server and against
 * a raw TCP server that answers the handshake and then misbehaves.
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { nodeSocket } from '../net-socket.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

interface Seen { messages: string[], closed: Promise<{ code: number, reason: string }>, opened: Promise<void> }

function watch (url: string): Seen & { socket: ReturnType<typeof nodeSocket> } {
  const socket = nodeSocket(url)
  const messages: string[] = []
  let opened!: () => void
  const openedP = new Promise<void>(resolve => { opened = resolve })
  socket.onopen = () => { opened() }
  socket.onmessage = ev => { messages.push(String(ev.data)) }
  const closed = new Promise<{ code: number, reason: string }>(resolve => { socket.onclose = ev => { resolve(ev) } })
  cleanups.push(() => { socket.close() })
  return { socket, messages, closed, opened: openedP }
}

/** A TCP server that switches protocols and then writes `frames` as they are. */
async function rawServer (frames: Buffer[]): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = createServer(sock => {
    sockets.add(sock)
    sock.once('data', () => {
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n')
      for (const f of frames) sock.write(f)
    })
    sock.on('error', () => {})
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  })
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api`
}

const text = (s: string, fin = true): Buffer => Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | 0x1, s.length]), Buffer.from(s)])

describe('net-socket', () => {
  it('talks to a ws server: sends before open, receives, answers pings, closes cleanly', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>(resolve => wss.once('listening', () => { resolve() }))
    cleanups.push(async () => { await new Promise<void>(resolve => { wss.close(() => { resolve() }) }) })
    const pong = new Promise<void>(resolve => {
      wss.on('connection', ws => {
        ws.on('message', m => { ws.send(`echo ${String(m)}`); ws.ping() })
        ws.on('pong', () => { resolve() })
      })
    })
    const c = watch(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api`)
    c.socket.send('hello')
    await c.opened
    await pong
    expect(c.messages).toEqual(['echo hello'])
    c.socket.close(1000, 'bye')
    expect(await c.closed).toEqual({ code: 1000, reason: 'bye' })
  })

  it('closes with a protocol error on an oversized control frame, and reads nothing after it', async () => {
    const bigPing = Buffer.concat([Buffer.from([0x89, 126, 0, 200]), Buffer.alloc(200)])
    const c = watch(await rawServer([Buffer.concat([bigPing, text('after')])]))
    expect((await c.closed).code).toBe(1002)
    expect(c.messages).toEqual([])
  })

  it('refuses a fragmented control frame and a one-byte close', async () => {
    const fragmentedPing = Buffer.from([0x09, 0x00])
    expect((await watch(await rawServer([fragmentedPing])).closed).code).toBe(1002)
    const oneByteClose = Buffer.from([0x88, 0x01, 0x03])
    expect((await watch(await rawServer([oneByteClose])).closed).code).toBe(1002)
  })

  it('ignores frames after the server\'s close frame', async () => {
    const close = Buffer.from([0x88, 0x02, 0x03, 0xe8])
    const c = watch(await rawServer([Buffer.concat([text('first'), close, text('late')])]))
    expect((await c.closed).code).toBe(1000)
    expect(c.messages).toEqual(['first'])
  })

  it('refuses a message declared bigger than 64 MiB before reading it', async () => {
    const head = Buffer.alloc(10)
    head[0] = 0x81
    head[1] = 127
    head.writeBigUInt64BE(2n ** 40n, 2)
    expect((await watch(await rawServer([head])).closed).code).toBe(1009)
  })

  it('refuses masked frames from the server and a server that does not switch protocols', async () => {
    expect((await watch(await rawServer([Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5])])).closed).code).toBe(1002)
    const sockets = new Set<Socket>()
    const server = createServer(sock => {
      sockets.add(sock)
      sock.once('data', () => { sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n') })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => { for (const s of sockets) s.destroy(); await new Promise<void>(resolve => { server.close(() => { resolve() }) }) })
    const c = watch(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/api`)
    expect(await c.closed).toMatchObject({ code: 1002, reason: expect.stringMatching(/HTTP 404/) })
  })
})
