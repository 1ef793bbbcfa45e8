/**
 * wgt call list | hangup: the calls of the node, going on and recent, with
 * the quality their renderer measured. Media needs a renderer (the app or
 * the browser UI): the command line places and answers no calls.
 */
import type { Call, CallEndReason, CallQuality, Contact, WgtApi } from '../../../shared/api/index.js'
import { clientCommand } from '../client-command.js'
import { duration, printable } from '../format.js'
import { integer, stringValue, usage } from '../options.js'
import { localTime } from './chat.js'
import type { CommandSpec } from './command.js'

const CALL_ID = /^[0-9a-f]{32}$/

const END_WORDS: Record<CallEndReason, string> = {
  hangup: 'hung up',
  declined: 'declined',
  busy: 'busy',
  cancelled: 'cancelled',
  unanswered: 'unanswered',
  refused: 'refused',
  unreachable: 'unreachable',
  failed: 'failed'
}

type Listed = Call & { nickname: string | null }

const list: CommandSpec = clientCommand({
  name: 'call list',
  summary: 'calls going on and recent ones, with their quality',
  usage: '[--limit N] [--data-dir DIR] [--json]',
  description: `List the node's calls: those going on first, then recent ones, newest first. Each shows
the peer (with your nickname for it), direction, audio or video, state, start time and length,
and the newest quality figures its window measured: media path, round trip, bitrates, frames
per second, resolution, loss and jitter. Calls are placed and answered in the app: media needs
a window (the command line places none). End one with \`wgt call hangup ID\`.`,
  options: [{ flags: '--limit <N>', help: 'most calls listed, 1 to 500 (default 100)' }],
  parse: ({ opts, dataDir, json }) => ({ kind: 'call list', limit: integer(stringValue(opts.limit), '--limit', 1, 500), dataDir, json }),
  call: async (api, cmd) => {
    const [calls, names] = await Promise.all([api.listCalls(cmd.limit != null ? { limit: cmd.limit } : undefined), nicknames(api)])
    return calls.map((c): Listed => ({ ...c, nickname: names.get(c.peerId) ?? null }))
  },
  text: (calls: Listed[]) => formatCalls(calls, Date.now())
})

const hangup: CommandSpec = clientCommand({
  name: 'call hangup',
  summary: 'end a call',
  usage: 'ID [--data-dir DIR] [--json]',
  description: `End call ID (as \`wgt call list\` shows it) in whatever state it is: a ring of ours is
cancelled, a ring of theirs declined, an answered call hung up. The peer is told.`,
  args: [{ name: 'ID' }],
  parse: ({ args, dataDir, json }) => {
    const id = args[0] ?? ''
    if (!CALL_ID.test(id)) throw usage(`bad call id ${JSON.stringify(id)}: a call id is 32 lowercase hex characters, as \`wgt call list\` shows it`, 'call hangup')
    return { kind: 'call hangup', id, dataDir, json }
  },
  call: async (api, cmd) => await api.hangupCall(cmd.id),
  text: (c: Call) => `${c.id}  ${stateWords(c)}`
})

export const callsCommands: CommandSpec[] = [list, hangup]

async function nicknames (api: WgtApi): Promise<ReadonlyMap<string, string>> {
  const contacts: Contact[] = await api.listContacts()
  return new Map(contacts.flatMap(c => c.nickname != null ? [[c.peerId, c.nickname] as const] : []))
}

function stateWords (c: Call): string {
  if (c.state !== 'ended') return c.request ? `${c.state} (a request: it does not ring)` : c.state
  const reason = c.endReason != null ? END_WORDS[c.endReason] : 'ended'
  const by = c.endReason === 'hangup' && c.endedBy != null ? (c.endedBy === 'local' ? ' by you' : ' by the peer') : ''
  return `ended: ${reason}${by}`
}

/** One call: its line, its quality line when it has figures, and why it failed when it did. */
function formatCall (c: Listed, now: number): string {
  const who = c.nickname != null ? `${printable(c.nickname)} ${c.peerId}` : c.peerId
  const length = c.answeredAt != null ? duration((c.endedAt ?? now) - c.answeredAt) : '-'
  const head = [c.id, c.outgoing ? 'out' : 'in ', c.video ? 'video' : 'audio', who, localTime(c.startedAt), length, stateWords(c)].join('  ')
  const lines = [head]
  if (c.tunnel != null) lines.push(`  tunnel  udp 127.0.0.1:${c.tunnel.port} via ${c.tunnel.route}`)
  if (c.quality != null) lines.push(`  ${c.state === 'ended' ? 'last ' : ''}${qualityLine(c.quality)}`)
  if (c.error != null) lines.push(`  ${printable(c.error)}`)
  return lines.join('\n')
}

export function qualityLine (q: CallQuality): string {
  const path = q.path === 'libp2p' ? 'via libp2p' : q.path === 'relay' ? 'via relay' : 'direct'
  const parts = [
    path,
    `rtt ${q.rttMs != null ? `${Math.round(q.rttMs)} ms` : '-'}`,
    `in ${kbps(q.recvKbps)}`,
    `out ${kbps(q.sendKbps)}`
  ]
  if (q.fps != null) parts.push(`${Math.round(q.fps)} fps`)
  if (q.width != null && q.height != null) parts.push(`${q.width}x${q.height}`)
  parts.push(`loss ${q.lossPct != null ? `${q.lossPct.toFixed(1)}%` : '-'}`)
  parts.push(`jitter ${q.jitterMs != null ? `${Math.round(q.jitterMs)} ms` : '-'}`)
  return parts.join('  ')
}

function kbps (k: number): string {
  return k >= 1000 ? `${(k / 1000).toFixed(1)} Mbit/s` : `${Math.round(k)} kbit/s`
}

export function formatCalls (calls: Listed[], now: number): string {
  if (calls.length === 0) return 'no calls yet (calls are placed and answered in the app)'
  const going = calls.filter(c => c.state !== 'ended')
  const recent = calls.filter(c => c.state === 'ended')
  const out: string[] = []
  if (going.length > 0) out.push('going on:', ...going.map(c => formatCall(c, now)))
  if (recent.length > 0) out.push(...(out.length > 0 ? [''] : []), 'recent:', ...recent.map(c => formatCall(c, now)))
  return out.join('\n')
}
