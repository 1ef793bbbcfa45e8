/**
 * Calls (issue 9, item 8): main-process CPU per Mbit/s of call media carried,
 * with every node in its own process (calls-node.js) and this process playing
 * both renderers (two UDP sockets sending paced 1200-byte datagrams both ways,
 * as a video call's RTP does):
 *  - libp2p: A ↔ B over the tunnel on their direct connection; the figure is
 *    A's CPU (UDP in, stream out, stream in, UDP out);
 *  - relay: A ↔ R ↔ B, A and B connected only through a circuit relay
 *    connection, the tunnel through R's /wgt/call-relay; the figure is R's
 *    CPU, beside A's;
 *  - baseline: a process that forwards each datagram from one UDP port to the
 *    other and back (what a relay does, with nothing else), in the same run,
 *    rounds interleaved.
 * CPU is process.cpuUsage() (user + system) of the measured process over the
 * round; Mbit counts what the renderers received, both directions.
 */
import { randomBytes } from 'node:crypto'
import { fork } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { onInterrupt } from './lib/children.js'
import { median, round } from './lib/stats.js'

const DATAGRAM = 1200
const TICK_MS = 5
const STOP_GRACE_MS = 5000

export async function measureCallsRelay ({ rounds = 5, seconds = 5, mbps = 8, log = () => {} } = {}) {
  const children = []
  const sockets = []
  const cleanup = async () => {
    for (const s of sockets) s.close()
    sockets.length = 0
    await Promise.all(children.splice(0).map(async c => { await c.stop() }))
  }
  const unregister = onInterrupt(cleanup)
  try {
    log('calls: starting six processes (two calls\' ends per path, a relay, a UDP forwarder)')
    const spawn = async role => { const c = await startNode(role); children.push(c); return c }
    const [a1, b1, a2, b2, r, u] = await Promise.all(['media', 'media', 'media', 'media', 'relay', 'udp'].map(spawn))

    // libp2p: a direct connection
    await a1.call('dial', { addr: (await b1.call('info')).multiaddrs[0] })
    const direct = await openCall(a1, b1, sockets)
    if (direct.route !== 'libp2p') throw new Error(`the direct call took route ${direct.route}`)

    // relay: B reserves on R, A reaches B only through the circuit
    const rAddr = (await r.call('info')).multiaddrs[0]
    await b2.call('dial', { addr: rAddr })
    const { addr: circuit } = await b2.call('circuit')
    await a2.call('dial', { addr: rAddr })
    await a2.call('dial', { addr: circuit })
    const { limited } = await a2.call('connections', { peerId: (await b2.call('info')).peerId })
    if (limited.length !== 1 || !limited[0]) throw new Error(`A reaches B over ${JSON.stringify(limited)} (expected one limited connection)`)
    const relayed = await openCall(a2, b2, sockets)
    if (relayed.route !== 'relay') throw new Error(`the relayed call took route ${relayed.route}`)

    // baseline: a forwarder between two renderer sockets
    const [fa, fb] = [await renderer(sockets), await renderer(sockets)]
    const { port: fPort } = await u.call('forward', { a: fa.port, b: fb.port })
    const forwarded = { ra: fa, rb: fb, aPort: fPort, bPort: fPort }

    const paths = {
      libp2p: { call: direct, measured: { endpoint: a1 } },
      relay: { call: relayed, measured: { relay: r, endpoint: a2 } },
      udpForward: { call: forwarded, measured: { forwarder: u } }
    }
    const names = Object.keys(paths)
    const samples = Object.fromEntries(names.map(n => [n, []]))
    log(`calls: warm-up (1 s per path at ${mbps} Mbit/s each way)`)
    for (const name of names) await run(paths[name], 1, mbps)
    for (let i = 0; i < rounds; i++) {
      for (const k of names.map((_, j) => names[(j + i) % names.length])) samples[k].push(await run(paths[k], seconds, mbps))
      log(`calls: round ${i + 1}/${rounds} ms CPU per Mbit: libp2p A ${round(samples.libp2p.at(-1).endpoint, 2)}, relay R ${round(samples.relay.at(-1).relay, 2)}, UDP forward ${round(samples.udpForward.at(-1).forwarder, 2)}`)
    }
    const med = (name, who) => median(samples[name].map(s => s[who]))
    const baseline = med('udpForward', 'forwarder')
    const lost = name => round(median(samples[name].map(s => s.lostPct)), 2)
    // datagrams the tunnels themselves dropped (a slow stream), over all rounds; the rest of any loss is the kernel's
    const [directDropped, relayedDropped] = [await direct.dropped(), await relayed.dropped()]
    return {
      rounds,
      secondsPerRound: seconds,
      offeredMbpsEachWay: mbps,
      datagramBytes: DATAGRAM,
      unit: 'CPU ms (user + system) per Mbit carried, both directions counted',
      libp2p: { endpointCpuMsPerMbit: round(med('libp2p', 'endpoint'), 3), ratioVsUdpForward: round(med('libp2p', 'endpoint') / baseline, 2), deliveredMbps: round(median(samples.libp2p.map(s => s.mbps)), 2), lostPct: lost('libp2p'), tunnelDropped: directDropped },
      relay: { relayCpuMsPerMbit: round(med('relay', 'relay'), 3), ratioVsUdpForward: round(med('relay', 'relay') / baseline, 2), endpointCpuMsPerMbit: round(med('relay', 'endpoint'), 3), deliveredMbps: round(median(samples.relay.map(s => s.mbps)), 2), lostPct: lost('relay'), tunnelDropped: relayedDropped },
      baseline: { method: 'one process forwarding UDP datagrams between two ports', cpuMsPerMbit: round(baseline, 3), lostPct: lost('udpForward') }
    }
  } finally {
    unregister()
    await cleanup()
  }
}

/** B opens its tunnel (the callee opens before it accepts), then A dials; renderers latched both ways. */
async function openCall (a, b, sockets) {
  const callId = randomBytes(16).toString('hex')
  const key = randomBytes(32).toString('hex')
  const [ia, ib] = await Promise.all([a.call('info'), b.call('info')])
  const { port: bPort } = await b.call('open', { callId, peerId: ia.peerId, key, dial: false })
  const { port: aPort } = await a.call('open', { callId, peerId: ib.peerId, key, dial: true })
  const { route } = await a.call('ready', { callId })
  await b.call('ready', { callId })
  const ra = await renderer(sockets)
  const rb = await renderer(sockets)
  return { ra, rb, aPort, bPort, route, dropped: async () => (await a.call('stats', { callId })).tunnel.dropped + (await b.call('stats', { callId })).tunnel.dropped }
}

/** One round on one path: paced datagrams both ways for `seconds`; CPU of the measured processes per Mbit received. */
async function run ({ call, measured }, seconds, mbps) {
  const { ra, rb, aPort, bPort } = call
  await latch(ra, aPort, rb, bPort)
  const procs = Object.entries(measured)
  const cpu0 = await Promise.all(procs.map(async ([, p]) => (await p.call('cpu')).cpu))
  const got0 = ra.bytes + rb.bytes
  const payload = Buffer.alloc(DATAGRAM, 0x5a)
  const perTick = mbps * 1e6 / 8 / DATAGRAM * TICK_MS / 1000
  let owed = 0
  let sent = 0
  const t0 = performance.now()
  // catch up on late ticks, so the offered rate holds when the timer slips
  while (performance.now() - t0 < seconds * 1000) {
    const due = (performance.now() - t0) / TICK_MS * perTick
    owed = due - sent
    for (; owed >= 1; owed--, sent++) {
      ra.socket.send(payload, aPort, '127.0.0.1')
      rb.socket.send(payload, bPort, '127.0.0.1')
    }
    await new Promise(resolve => setTimeout(resolve, TICK_MS))
  }
  const elapsed = (performance.now() - t0) / 1000
  // the tail in flight
  await new Promise(resolve => setTimeout(resolve, 300))
  const cpu1 = await Promise.all(procs.map(async ([, p]) => (await p.call('cpu')).cpu))
  const bits = (ra.bytes + rb.bytes - got0) * 8
  const mbit = bits / 1e6
  const out = { mbps: mbit / elapsed, lostPct: 100 * (1 - bits / (2 * sent * DATAGRAM * 8)) }
  procs.forEach(([who], i) => {
    const ms = (cpu1[i].user - cpu0[i].user + cpu1[i].system - cpu0[i].system) / 1000
    out[who] = ms / mbit
  })
  return out
}

async function renderer (sockets) {
  const socket = createSocket('udp4')
  const r = { socket, bytes: 0, count: 0, port: 0 }
  socket.on('message', msg => { r.bytes += msg.byteLength; r.count++ })
  await new Promise(resolve => socket.bind(0, '127.0.0.1', resolve))
  r.port = socket.address().port
  sockets.push(socket)
  return r
}

/** Probe both ways until each renderer hears the other: each node latches its renderer's address. */
async function latch (ra, aPort, rb, bPort) {
  const [a0, b0] = [ra.count, rb.count]
  const end = Date.now() + 30_000
  while (ra.count === a0 || rb.count === b0) {
    if (Date.now() > end) throw new Error('the renderers never heard each other')
    ra.socket.send(Buffer.from('probe'), aPort, '127.0.0.1')
    rb.socket.send(Buffer.from('probe'), bPort, '127.0.0.1')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function startNode (role) {
  const child = fork(fileURLToPath(new URL('./calls-node.js', import.meta.url)), [role], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const pending = new Map()
  let seq = 1
  child.on('message', m => { pending.get(m.id)?.(m) })
  const reply = id => new Promise((resolve, reject) => {
    const timer = setTimeout(() => { pending.delete(id); reject(new Error(`calls-node ${role}: no answer within 60 s`)) }, 60_000)
    pending.set(id, m => { clearTimeout(timer); pending.delete(id); if (m.ok) resolve(m); else reject(new Error(`calls-node ${role}: ${m.error}`)) })
  })
  await Promise.race([reply(0), once(child, 'exit').then(([code]) => { throw new Error(`calls-node ${role} exited with ${code}`) })])
  return {
    call: async (op, args = {}) => {
      const id = seq++
      const answer = reply(id)
      child.send({ id, op, ...args })
      return await answer
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.disconnect()
      const timer = setTimeout(() => { child.kill('SIGKILL') }, STOP_GRACE_MS)
      await exited
      clearTimeout(timer)
    }
  }
}

// on its own: node bench/calls-relay.js (after npm run build:node)
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await measureCallsRelay({ rounds: 3, seconds: 3, log: m => { process.stderr.write(`[bench] ${m}\n`) } })
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
}
