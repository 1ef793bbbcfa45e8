/**
 * A WebSocket client (RFC 6455) over node:net, shaped like the browser's, for
 * the `wgt` command's API client (src/shared/api-client.ts).
 *
 * Why not a library: a client command must start in under 1.5× a bare
 * `node -e 0` (~34 ms here, so ~17 ms for everything we load). Measured with
 * Node 24 and the compile cache on: the `ws` package costs 19–26 ms to load,
 * Node's own global WebSocket (undici) 35–41 ms, node:net and node:crypto
 * ~1 ms. It talks only to the local daemon, carries text frames, answers
 * pings, and refuses anything oversized or malformed by closing.
 *
 * It does not load node:crypto, which alone costs ~5 ms of that budget: the
 * handshake key and the frame masks come from Math.random, and the server's
 * Sec-WebSocket-Accept is required but its SHA-1 is not recomputed. Both
 * guard against proxies and servers that are not WebSocket servers (RFC 6455
 * §5.3, §4.1); this client only ever dials the loopback address a daemon
 * wrote to its api.json, and trusts nothing before that daemon's 'ready'.
 */
import { connect, type Socket } from 'node:net'
import type { SocketLike } from '../../shared/api-client.js'

function randomBytes (n: number): Buffer {
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256)
  return b
}
/** the largest message the daemon sends is a listFiles answer; 64 MiB is far beyond it */
const MAX_MESSAGE = 64 * 1024 * 1024
const MAX_HEADER = 16 * 1024

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

export function nodeSocket (url: string): SocketLike {
  return new NodeWebSocket(url)
}

class NodeWebSocket implements SocketLike {
  readyState = CONNECTING
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number, reason: string }) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  private readonly socket: Socket
  private readonly key = randomBytes(16).toString('base64')
  private buffer: Buffer = Buffer.alloc(0)
  private upgraded = false
  private fragments: Buffer[] = []
  private fragmentBytes = 0
  private closeCode = 1006
  private closeReason = ''
  private closedFired = false
  /** messages sent before the handshake finished: they go out right behind the upgrade request */
  private early: Buffer[] = []

  constructor (url: string) {
    const u = new URL(url)
    if (u.protocol !== 'ws:') throw new Error(`only ws:// URLs are supported, got ${u.protocol}`)
    const host = u.hostname.replace(/^\[|\]$/g, '')
    const port = Number(u.port === '' ? 80 : u.port)
    this.socket = connect({ host, port })
    this.socket.setNoDelay(true)
    this.socket.on('connect', () => {
      this.socket.write([
        `GET ${u.pathname}${u.search} HTTP/1.1`,
        `Host: ${u.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${this.key}`,
        'Sec-WebSocket-Version: 13',
        '', ''
      ].join('\r\n'))
      for (const frame of this.early.splice(0)) this.socket.write(frame)
    })
    this.socket.on('data', chunk => { this.receive(chunk) })
    this.socket.on('error', err => {
      this.closeReason = (err as NodeJS.ErrnoException).code ?? err.message
      this.onerror?.(err)
    })
    this.socket.on('close', () => { this.finish() })
  }

  /**
   * Before the handshake answer arrives, messages are queued behind the
   * upgrade request (a server reads them once it switched protocols): the
   * CLI sends its auth and its one call in the same packet as the upgrade,
   * one round trip in all.
   */
  send (data: string): void {
    if (this.readyState === CONNECTING) {
      const frame = this.frameOf(0x1, Buffer.from(data, 'utf8'))
      if (this.socket.connecting) this.early.push(frame)
      else this.socket.write(frame)
      return
    }
    if (this.readyState !== OPEN) return
    this.write(0x1, Buffer.from(data, 'utf8'))
  }

  close (code = 1000, reason = ''): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return
    if (this.readyState === CONNECTING) {
      this.closeCode = 1006
      this.socket.destroy()
      return
    }
    this.readyState = CLOSING
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason))
    payload.writeUInt16BE(code, 0)
    payload.write(reason, 2)
    this.write(0x8, payload)
    this.closeCode = code
    this.closeReason = reason
    // the server answers with its close frame and ends the TCP connection; do not wait long for it
    setTimeout(() => { this.socket.destroy() }, 1000).unref()
  }

  private write (opcode: number, payload: Buffer): void {
    this.socket.write(this.frameOf(opcode, payload))
  }

  private frameOf (opcode: number, payload: Buffer): Buffer {
    const mask = randomBytes(4)
    const len = payload.length
    const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
    head[0] = 0x80 | opcode
    if (len < 126) head[1] = 0x80 | len
    else if (len < 65536) { head[1] = 0x80 | 126; head.writeUInt16BE(len, 2) } else { head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(len), 2) }
    const masked = Buffer.allocUnsafe(len)
    for (let i = 0; i < len; i++) masked[i] = payload[i] ^ mask[i & 3]
    return Buffer.concat([head, mask, masked])
  }

  /** The connection is unusable: nothing more is read or sent; 'close' follows once the socket is gone. */
  private fail (code: number, reason: string): void {
    this.closeCode = code
    this.closeReason = reason
    if (this.readyState !== CLOSED) this.readyState = CLOSING
    this.buffer = Buffer.alloc(0)
    this.socket.destroy()
  }

  private receive (chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n')
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER) this.fail(1002, 'oversized handshake answer')
        return
      }
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n')
      this.buffer = this.buffer.subarray(end + 4)
      const status = /^HTTP\/1\.1 (\d{3})/.exec(lines[0])?.[1]
      const accept = lines.find(l => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim()
      if (status !== '101' || accept == null || accept === '') {
        this.fail(1002, status !== '101' ? `the server answered HTTP ${status ?? '?'} instead of switching to WebSocket` : 'bad handshake answer')
        return
      }
      this.upgraded = true
      this.readyState = OPEN
      this.onopen?.({})
    }
    this.parseFrames()
  }

  private parseFrames (): void {
    // after a close frame or a failure nothing more is read
    while (this.buffer.length >= 2 && this.readyState === OPEN) {
      const b0 = this.buffer[0]
      const b1 = this.buffer[1]
      const fin = (b0 & 0x80) !== 0
      const opcode = b0 & 0x0f
      if ((b1 & 0x80) !== 0 || (b0 & 0x70) !== 0) { this.fail(1002, 'protocol error (masked or reserved bits from the server)'); return }
      let len = b1 & 0x7f
      let at = 2
      if (len === 126) {
        if (this.buffer.length < 4) return
        len = this.buffer.readUInt16BE(2)
        at = 4
      } else if (len === 127) {
        if (this.buffer.length < 10) return
        const big = this.buffer.readBigUInt64BE(2)
        if (big > BigInt(MAX_MESSAGE)) { this.fail(1009, 'message too big'); return }
        len = Number(big)
        at = 10
      }
      // control frames are whole and small (RFC 6455 §5.5)
      if (opcode >= 0x8 && (!fin || len > 125)) { this.fail(1002, 'protocol error (fragmented or oversized control frame)'); return }
      if (len > MAX_MESSAGE || this.fragmentBytes + len > MAX_MESSAGE) { this.fail(1009, 'message too big'); return }
      if (this.buffer.length < at + len) return
      const payload = this.buffer.subarray(at, at + len)
      this.buffer = this.buffer.subarray(at + len)
      this.frame(fin, opcode, payload)
    }
  }

  private frame (fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0: case 0x1: {
        if (opcode === 0x1 && this.fragments.length > 0) { this.fail(1002, 'new message inside a fragmented one'); return }
        if (opcode === 0x0 && this.fragments.length === 0) { this.fail(1002, 'continuation without a message'); return }
        this.fragments.push(Buffer.from(payload))
        this.fragmentBytes += payload.length
        if (!fin) return
        const data = Buffer.concat(this.fragments).toString('utf8')
        this.fragments = []
        this.fragmentBytes = 0
        this.onmessage?.({ data })
        return
      }
      case 0x2: this.fail(1003, 'binary messages are not part of the protocol'); return
      case 0x8: {
        if (payload.length === 1) { this.fail(1002, 'protocol error (close frame of one byte)'); return }
        if (payload.length >= 2) {
          this.closeCode = payload.readUInt16BE(0)
          this.closeReason = payload.subarray(2).toString('utf8')
        } else {
          this.closeCode = 1005
        }
        if (this.readyState === OPEN) {
          this.readyState = CLOSING
          this.write(0x8, payload.subarray(0, 2))
        }
        this.socket.end()
        return
      }
      case 0x9: this.write(0xA, payload); return
      case 0xA: return
      default: this.fail(1002, `unknown opcode ${opcode}`)
    }
  }

  private finish (): void {
    if (this.closedFired) return
    this.closedFired = true
    this.readyState = CLOSED
    this.onclose?.({ code: this.closeCode, reason: this.closeReason })
  }
}
