/**
 * The raw node:net baselines' far end, in its own process: an echo server for
 * the ping-pong and a sink that drains a connection and, when the sender ends
 * it, answers with the byte count (8 bytes, big-endian) so the sender's clock
 * covers delivery, not just handing bytes to the kernel.
 */
import { createServer } from 'node:net'
import { announce, failAndExit, serveUntilParentGone } from './lib/serve.js'

const sockets = new Set()
const track = socket => {
  sockets.add(socket)
  socket.once('close', () => { sockets.delete(socket) })
  socket.on('error', () => {})
  socket.setNoDelay(true)
}

const echo = createServer(socket => {
  track(socket)
  socket.on('data', chunk => { socket.write(chunk) })
  socket.on('end', () => { socket.end() })
})

const sink = createServer(socket => {
  track(socket)
  let bytes = 0
  socket.on('data', chunk => { bytes += chunk.byteLength })
  socket.on('end', () => {
    const ack = Buffer.alloc(8)
    ack.writeBigUInt64BE(BigInt(bytes))
    socket.end(ack)
  })
})

const listen = async server => await new Promise((resolve, reject) => {
  server.once('error', reject)
  server.listen(0, '127.0.0.1', () => { resolve(server.address().port) })
})

const close = async server => await new Promise(resolve => { server.close(() => { resolve() }) })

try {
  const echoPort = await listen(echo)
  const sinkPort = await listen(sink)
  serveUntilParentGone(async () => {
    for (const s of sockets) s.destroy()
    await Promise.all([close(echo), close(sink)])
  })
  announce({ host: '127.0.0.1', echoPort, sinkPort })
} catch (err) {
  failAndExit(err)
}
