/** wgt id | peers | connect | ping: this node and its peers. */
import type { NodeIdentity, PeerEntry, PingResult } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { clientCommand } from '../client-command.js'
import { ms, percent, printable, rate, rttSummary } from '../format.js'
import { checkMultiaddr, checkPeerId, integer, stringValue } from '../options.js'
import type { CommandSpec } from './command.js'

export const DEFAULT_PING_COUNT = 5
const MAX_PING_COUNT = 1000

const id: CommandSpec = clientCommand({
  name: 'id',
  summary: 'this node\'s identity',
  usage: '[--data-dir DIR] [--json]',
  description: 'Print this node\'s PeerId, agent, start time, listen addresses and protocols.',
  parse: ({ dataDir, json }) => ({ kind: 'id', dataDir, json }),
  call: async (api) => await api.getIdentity(),
  text: formatIdentity
})

const peers: CommandSpec = clientCommand({
  name: 'peers',
  summary: 'known peers, their connections, RTT and traffic',
  usage: '[--data-dir DIR] [--json]',
  description: 'List the peer directory: every known peer, connected ones first, with connection kind,\nmeasured RTT and traffic.',
  parse: ({ dataDir, json }) => ({ kind: 'peers', dataDir, json }),
  call: async (api) => await api.listPeers(),
  text: formatPeers
})

const connect: CommandSpec = clientCommand({
  name: 'connect',
  summary: 'dial a peer by multiaddr',
  usage: 'MULTIADDR [--data-dir DIR] [--json]',
  description: 'Dial a peer at MULTIADDR, which must end in /p2p/<peer id>, and print how it is connected.',
  args: [{ name: 'MULTIADDR' }],
  parse: async ({ args, dataDir, json }) => {
    await checkMultiaddr(args[0], 'MULTIADDR', true)
    return { kind: 'connect', multiaddr: args[0], dataDir, json }
  },
  call: async (api, cmd) => await api.connect(cmd.multiaddr),
  text: formatConnected
})

const ping: CommandSpec = clientCommand({
  name: 'ping',
  summary: 'probe a peer\'s round-trip time',
  usage: 'PEER [-c N] [--data-dir DIR] [--json]',
  description: `Send N probes (default ${DEFAULT_PING_COUNT}) over the long-lived probe stream to PEER and print each
round-trip time and a summary, like ping(8). Exits 5 (PEER_UNREACHABLE) when no probe is answered.`,
  args: [{ name: 'PEER' }],
  options: [{ flags: '-c, --count <N>', help: `probes to send, 1 to ${MAX_PING_COUNT} (default ${DEFAULT_PING_COUNT})` }],
  parse: async ({ args, opts, dataDir, json }) => {
    await checkPeerId(args[0])
    return { kind: 'ping', peerId: args[0], count: integer(stringValue(opts.count), '--count', 1, MAX_PING_COUNT) ?? DEFAULT_PING_COUNT, dataDir, json }
  },
  call: async (api, cmd) => {
    const summary = summarizePing(await api.ping(cmd.peerId, cmd.count))
    return summary
  },
  text: formatPing,
  // like ping(8): no answer at all is a failure, partial loss is reported but not fatal
  check: (summary, cmd) => {
    if (summary.received === 0) throw new WgtError('PEER_UNREACHABLE', `no probe to ${cmd.peerId} was answered (${summary.sent} sent)`)
  }
})

export const netCommands: CommandSpec[] = [id, peers, connect, ping]

export function formatIdentity (id: NodeIdentity): string {
  return [
    `peer id    ${id.peerId}`,
    `agent      ${printable(id.agent)}`,
    `started    ${new Date(id.startedAt).toISOString()}`,
    'addresses',
    ...id.multiaddrs.map(a => `  ${printable(a)}`),
    'protocols',
    ...id.protocols.map(p => `  ${printable(p)}`)
  ].join('\n')
}

export function formatPeers (peers: PeerEntry[]): string {
  if (peers.length === 0) return 'no known peers'
  const rows = [...peers]
    .sort((a, b) => Number(b.connected) - Number(a.connected) || a.peerId.localeCompare(b.peerId))
    .map(p => {
      const how = p.connected ? `${p.kind ?? '?'}/${p.scope ?? '?'}` : 'not connected'
      const address = p.connections[0]?.remoteAddr ?? p.addresses[0] ?? '-'
      const who = `${p.nickname != null ? `${printable(p.nickname)} ` : ''}${p.peerId}`
      const standing = [p.trust !== 'stranger' ? p.trust : '', p.reputation.state !== 'active' ? p.reputation.state : ''].filter(x => x !== '').join(', ')
      return [
        `${who}  ${how}  ${printable(p.agent ?? 'unknown agent')}${standing !== '' ? `  [${standing}]` : ''}`,
        `  ${rttSummary(p.rtt)}  in ${rate(p.traffic.inBps)} out ${rate(p.traffic.outBps)}`,
        `  ${printable(address)}`
      ].join('\n')
    })
  const connected = peers.filter(p => p.connected).length
  return `${peers.length} known, ${connected} connected\n${rows.join('\n')}`
}

export function formatConnected (peer: PeerEntry): string {
  const via = peer.connections[0]?.remoteAddr
  return `connected to ${peer.peerId}${peer.kind != null ? ` (${peer.kind}/${peer.scope ?? '?'})` : ''}${via != null ? ` via ${printable(via)}` : ''}`
}

export interface PingSummary {
  peerId: string
  rtts: Array<number | null>
  sent: number
  received: number
  /** lost / sent, 0..1 */
  loss: number
  min: number | null
  avg: number | null
  max: number | null
}

export function summarizePing (result: PingResult): PingSummary {
  const answered = result.rtts.filter((r): r is number => r != null)
  const sent = result.rtts.length
  return {
    peerId: result.peerId,
    rtts: result.rtts,
    sent,
    received: answered.length,
    loss: sent === 0 ? 0 : (sent - answered.length) / sent,
    min: answered.length > 0 ? Math.min(...answered) : null,
    avg: answered.length > 0 ? answered.reduce((a, b) => a + b, 0) / answered.length : null,
    max: answered.length > 0 ? Math.max(...answered) : null
  }
}

export function formatPing (s: PingSummary): string {
  const lines = [`PING ${s.peerId}: ${s.sent} probes`]
  s.rtts.forEach((rtt, i) => {
    lines.push(rtt == null ? `probe ${i + 1}: lost` : `probe ${i + 1}: time=${ms(rtt)}`)
  })
  lines.push(`--- ${s.peerId} ping statistics ---`)
  lines.push(`${s.sent} probes sent, ${s.received} answered, ${percent(s.loss)} loss`)
  if (s.min != null && s.avg != null && s.max != null) {
    lines.push(`rtt min/avg/max = ${s.min.toFixed(3)}/${s.avg.toFixed(3)}/${s.max.toFixed(3)} ms`)
  }
  return lines.join('\n')
}
