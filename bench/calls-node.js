/**
 * One process of the call-relay figure (calls-relay.js), driven over IPC:
 *   node calls-node.js media   a node with the call media service (a call's end)
 *   node calls-node.js relay   a relay-server node: circuit relay and call relay
 *   node calls-node.js udp     no libp2p: a UDP socket that forwards each datagram
 *                              from one port to the other (the baseline)
 * Each answers {id, ...} to {id, op, ...} messages, `cpu` with its own
 * process.cpuUsage(), and exits when the parent goes.
 */
import { createSocket } from 'node:dgram'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { callMedia, callRelay } from '../out/node/main/node/calls/media/index.js'

const role = process.argv[2]
const reputation = { recordViolation: (peer, reason) => { process.stderr.write(`[calls-node ${role}] violation by ${peer}: ${reason}\n`) } }
// caps no bench run reaches: the figure is the relay's cost, not its cap
const RELAY_KBPS = 10_000_000

async function libp2pNode () {
  const services = { identify: identify() }
  if (role === 'relay') {
    services.circuitRelay = circuitRelayServer()
    services.callRelay = callRelay({ reputation, maxKbps: RELAY_KBPS, perCircuitKbps: RELAY_KBPS })
  } else {
    services.callMedia = callMedia({ reputation })
  }
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', ...(role === 'media' ? ['/p2p-circuit'] : [])] },
    transports: [tcp(), circuitRelayTransport()],
    // TLS first, as the app dials
    connectionEncrypters: [tls(), noise()],
    streamMuxers: [yamux()],
    services
  })
}

const until = async (what, cond, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

const node = role === 'udp' ? null : await libp2pNode()
const tunnels = new Map()
let forwarder = null

const ops = {
  info: async () => ({ peerId: node?.peerId.toString(), multiaddrs: node?.getMultiaddrs().map(String) ?? [] }),
  dial: async ({ addr }) => { await node.dial(multiaddr(addr)); return {} },
  /** wait until this node has a circuit address through a relay it is connected to */
  circuit: async () => {
    let found
    await until('a circuit address', () => (found = node.getMultiaddrs().map(String).find(a => a.includes('/p2p-circuit'))) != null)
    return { addr: found }
  },
  connections: async ({ peerId }) => ({
    limited: node.getConnections().filter(c => c.remotePeer.toString() === peerId).map(c => c.limits != null)
  }),
  open: async ({ callId, peerId, key, dial }) => {
    const t = node.services.callMedia.open({ callId, peerId, key: Buffer.from(key, 'hex'), dial })
    tunnels.set(callId, t)
    return { port: t.port }
  },
  ready: async ({ callId }) => ({ route: await tunnels.get(callId).ready }),
  stats: async ({ callId }) => ({ tunnel: tunnels.get(callId)?.stats(), relay: node?.services.callRelay?.stats() }),
  close: async ({ callId }) => { tunnels.get(callId)?.close(); tunnels.delete(callId); return {} },
  /** the baseline: datagrams from port a go to port b and back, as a relay passes them */
  forward: async ({ a, b }) => {
    forwarder = createSocket('udp4')
    forwarder.on('message', (msg, from) => { forwarder.send(msg, from.port === a ? b : a, '127.0.0.1') })
    await new Promise(resolve => forwarder.bind(0, '127.0.0.1', resolve))
    return { port: forwarder.address().port }
  },
  cpu: async () => ({ cpu: process.cpuUsage() })
}

process.on('message', async ({ id, op, ...args }) => {
  try {
    process.send({ id, ok: true, ...(await ops[op](args)) })
  } catch (err) {
    process.send({ id, ok: false, error: err?.stack ?? String(err) })
  }
})

process.on('disconnect', async () => {
  for (const t of tunnels.values()) t.close()
  forwarder?.close()
  await node?.stop()
  process.exit(0)
})

process.send({ id: 0, ok: true, ready: true })
