/**
 * A bound on the connections the API server holds at once. Each TCP connection
 * counts once, whether it carries HTTP requests (a browser keeps a few alive)
 * or was upgraded to a WebSocket session, for as long as it is open.
 *
 * A connection over the bound is not dropped on arrival: it is answered
 * 503 with a reason once its request (or upgrade) has been read, so the
 * client learns why instead of seeing a reset or waiting in a queue. One that
 * sends nothing is closed after a few seconds.
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/** how long a connection over the bound may take to send its request before it is closed */
const REFUSED_IDLE_MS = 5000

export class ConnectionLimit {
  private readonly admitted = new WeakSet<Socket>()
  private open = 0

  constructor (readonly max: number) {}

  /** Count every connection `server` accepts. */
  watch (server: Server): void {
    server.on('connection', (socket: Socket) => { this.accept(socket) })
  }

  /** Whether requests on this connection are served; if not, answer them with refusal(). */
  admits (socket: Socket): boolean {
    return this.admitted.has(socket)
  }

  refusal (): string {
    return `too many connections to the WGT API (at most ${this.max} at once); close some and try again`
  }

  private accept (socket: Socket): void {
    if (this.open >= this.max) {
      socket.setTimeout(REFUSED_IDLE_MS, () => { socket.destroy() })
      return
    }
    this.open++
    this.admitted.add(socket)
    socket.once('close', () => { this.open-- })
  }
}
