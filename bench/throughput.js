/**
 * Figure 2: single-stream throughput between two processes on loopback.
 * js-libp2p (TCP + noise|tls + yamux, one stream) beside raw node:net with the
 * same byte count and chunk size. Each transfer is timed by the sender from
 * its first write until the receiver's byte-count acknowledgement arrives, so
 * the figure is delivered bytes, not bytes queued. Rounds rotate the order of
 * the three so none always runs first.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { connect } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { createBenchHost, SINK_PROTOCOL } from './lib/libp2p.js'
import { onInterrupt, startChild } from './lib/children.js'
import { median, round } from './lib/stats.js'

const CHUNK = 64 * 1024
const TRANSFER_TIMEOUT_MS = 60_000
const ENCRYPTIONS = ['noise', 'tls']

export async function measureThroughput ({ rounds, bytes, warmupBytes, tcpServer, log }) {
  const chunk = randomBytes(CHUNK)
  const sinks = {}
  const hosts = {}
  const stopHosts = async () => { await Promise.all(Object.values(hosts).map(async h => { await h.stop() })) }
  const unregister = onInterrupt(stopHosts)
  try {
    await Promise.all(ENCRYPTIONS.map(async enc => {
      sinks[enc] = await startChild('libp2p-sink.js', [enc])
      hosts[enc] = await createBenchHost(enc)
    }))

    const runners = {
      rawTcp: async n => await sendRaw(tcpServer, n, chunk),
      ...Object.fromEntries(ENCRYPTIONS.map(enc => [enc, async n => await sendLibp2p(hosts[enc], sinks[enc].info.multiaddr, n, chunk)]))
    }
    const names = Object.keys(runners)

    log(`throughput: warm-up (${warmupBytes / 2 ** 20} MiB each)`)
    for (const name of names) await runners[name](warmupBytes)

    const negotiated = Object.fromEntries(ENCRYPTIONS.map(enc => {
      const conns = hosts[enc].getConnections()
      if (conns.length !== 1) throw new Error(`${enc} host has ${conns.length} connections, expected 1`)
      return [enc, { encryption: conns[0].encryption, multiplexer: conns[0].multiplexer }]
    }))

    const samples = Object.fromEntries(names.map(n => [n, []]))
    for (let r = 0; r < rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length])
      for (const name of order) samples[name].push(bytes / 1e6 / (await runners[name](bytes) / 1000))
      log(`throughput: round ${r + 1}/${rounds} ${names.map(n => `${n} ${Math.round(samples[n].at(-1))} MB/s`).join(', ')}`)
    }

    const raw = median(samples.rawTcp)
    const libp2p = Object.fromEntries(ENCRYPTIONS.map(enc => {
      const m = median(samples[enc])
      return [enc, {
        mbPerS: round(m, 1),
        ratioVsRaw: round(m / raw, 3),
        negotiated: negotiated[enc],
        mbPerSPerRound: samples[enc].map(v => round(v, 1))
      }]
    }))
    return {
      rounds,
      bytesPerRound: bytes,
      chunkBytes: CHUNK,
      unit: 'MB/s (10^6 bytes per second)',
      rawTcp: { mbPerS: round(raw, 1), mbPerSPerRound: samples.rawTcp.map(v => round(v, 1)) },
      libp2p,
      tlsVsNoise: round(libp2p.tls.mbPerS / libp2p.noise.mbPerS, 3)
    }
  } finally {
    unregister()
    await stopHosts()
    await Promise.all(Object.values(sinks).map(async s => { await s.stop() }))
  }
}

/** Sends n bytes on a fresh stream of the host's (reused) connection; returns elapsed ms. */
export async function sendLibp2p (host, addr, n, chunk) {
  const signal = AbortSignal.timeout(TRANSFER_TIMEOUT_MS)
  const stream = await host.dialProtocol(multiaddr(addr), SINK_PROTOCOL, { signal })
  const start = performance.now()
  const ack = readAck(stream)
  // awaited below; this only keeps a failure during sending from also surfacing as an unhandled rejection
  ack.catch(() => {})
  try {
    for (let sent = 0; sent < n; sent += CHUNK) {
      const piece = n - sent >= CHUNK ? chunk : chunk.subarray(0, n - sent)
      if (!stream.send(piece)) await stream.onDrain({ signal })
    }
    await stream.close({ signal })
    checkAck(await withSignal(ack, signal), n)
    return performance.now() - start
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

async function readAck (stream) {
  const parts = []
  for await (const c of stream) parts.push(c instanceof Uint8Array ? c : c.subarray())
  return Buffer.concat(parts)
}

/** Sends n bytes on a fresh node:net connection; returns elapsed ms (connecting excluded, as dialling is above). */
async function sendRaw ({ host, sinkPort }, n, chunk) {
  const socket = connect(sinkPort, host)
  socket.setNoDelay(true)
  try {
    await once(socket, 'connect')
    const signal = AbortSignal.timeout(TRANSFER_TIMEOUT_MS)
    const start = performance.now()
    const ack = (async () => {
      const parts = []
      for await (const c of socket) parts.push(c)
      return Buffer.concat(parts)
    })()
    ack.catch(() => {})
    for (let sent = 0; sent < n; sent += CHUNK) {
      const piece = n - sent >= CHUNK ? chunk : chunk.subarray(0, n - sent)
      if (!socket.write(piece)) await once(socket, 'drain', { signal })
    }
    socket.end()
    checkAck(await withSignal(ack, signal), n)
    return performance.now() - start
  } finally {
    socket.destroy()
  }
}

function checkAck (ack, n) {
  if (ack.byteLength !== 8) throw new Error(`receiver acknowledged with ${ack.byteLength} bytes, expected 8`)
  const got = Number(Buffer.from(ack).readBigUInt64BE())
  if (got !== n) throw new Error(`receiver got ${got} bytes, sender sent ${n}`)
}

async function withSignal (promise, signal) {
  signal.throwIfAborted()
  let onAbort
  const aborted = new Promise((_resolve, reject) => {
    onAbort = () => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
