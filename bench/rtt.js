/**
 * Figure 1: probe RTT on loopback. WGT's real ProbeService (/wgt/probe/1.0.0,
 * one long-lived stream) between this process's node and a node in another
 * process, beside a raw node:net ping-pong of the same application payload
 * between this process and another. Rounds alternate which goes first so
 * neither always gets the warmer machine.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode } from '../out/node/main/node/index.js'
import { Probe } from '../out/node/main/node/metrics/pb/probe.js'
import { onInterrupt, startChild } from './lib/children.js'
import { median, percentile, round } from './lib/stats.js'

const WARMUP = 50

/** What one probe puts on the stream: its varint length prefix and the encoded Probe. Mid-run seq values take two varint bytes. */
export function probePayloadBytes (seq = 300) {
  return 1 + Probe.encode({ seq }).byteLength
}

export async function measureRtt ({ rounds, count, tcpServer, log }) {
  const payload = Buffer.alloc(probePayloadBytes(), 0x5a)
  const dataDir = await mkdtemp(join(tmpdir(), 'wgt-bench-node-'))
  let node
  let pinger
  const cleanup = async () => {
    pinger?.close()
    await node?.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  const unregister = onInterrupt(cleanup)
  let peer
  try {
    peer = await startChild('peer.js')
    node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, bootstrap: [] })
    await node.api.connect(peer.info.multiaddr)
    pinger = await RawPinger.connect(tcpServer.host, tcpServer.echoPort)

    const probeRound = async n => {
      const { rtts } = await node.api.ping(peer.info.peerId, n)
      return { rtts: rtts.filter(r => r !== null), lost: rtts.filter(r => r === null).length }
    }
    const rawRound = async n => {
      const rtts = []
      for (let i = 0; i < n; i++) rtts.push(await pinger.roundTrip(payload))
      return { rtts, lost: 0 }
    }

    log(`rtt: warm-up (${WARMUP} each)`)
    await probeRound(WARMUP)
    await rawRound(WARMUP)

    const probe = []
    const raw = []
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [[probe, probeRound], [raw, rawRound]] : [[raw, rawRound], [probe, probeRound]]
      for (const [into, fn] of order) into.push(summarise(await fn(count)))
      log(`rtt: round ${r + 1}/${rounds} probe p50 ${round(probe.at(-1).p50Ms)} ms, raw p50 ${round(raw.at(-1).p50Ms)} ms`)
    }

    const probeP50 = median(probe.map(s => s.p50Ms))
    const rawP50 = median(raw.map(s => s.p50Ms))
    return {
      rounds,
      samplesPerRound: count,
      payloadBytes: payload.byteLength,
      probe: {
        p50Ms: round(probeP50, 4),
        p95Ms: round(median(probe.map(s => s.p95Ms)), 4),
        lost: probe.reduce((a, s) => a + s.lost, 0),
        p50MsPerRound: probe.map(s => round(s.p50Ms, 4))
      },
      rawTcp: {
        p50Ms: round(rawP50, 4),
        p95Ms: round(median(raw.map(s => s.p95Ms)), 4),
        p50MsPerRound: raw.map(s => round(s.p50Ms, 4))
      },
      ratioP50: round(probeP50 / rawP50, 2)
    }
  } finally {
    unregister()
    await cleanup()
    await peer?.stop()
  }
}

function summarise ({ rtts, lost }) {
  if (rtts.length === 0) throw new Error('every probe in a round was lost')
  return { p50Ms: percentile(rtts, 50), p95Ms: percentile(rtts, 95), lost }
}

/** A ping-pong client: one message in flight, timed with the same clock the probe uses (performance.now). */
class RawPinger {
  static async connect (host, port) {
    const socket = connect(port, host)
    socket.setNoDelay(true)
    await once(socket, 'connect')
    return new RawPinger(socket)
  }

  constructor (socket) {
    this.socket = socket
    this.awaiting = 0
    this.done = null
    socket.on('data', chunk => {
      this.awaiting -= chunk.byteLength
      if (this.awaiting <= 0 && this.done != null) {
        const done = this.done
        this.done = null
        done()
      }
    })
    socket.on('error', err => { this.fail?.(err) })
    socket.on('close', () => { this.fail?.(new Error('echo server closed the connection')) })
  }

  async roundTrip (payload) {
    const answered = new Promise((resolve, reject) => { this.done = resolve; this.fail = reject })
    this.awaiting = payload.byteLength
    const start = performance.now()
    this.socket.write(payload)
    await answered
    return performance.now() - start
  }

  close () {
    this.fail = null
    this.socket.destroy()
  }
}
