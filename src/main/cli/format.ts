/** Human-readable text for the client commands. */
import type {
  FetchResult, FileEntry, FileHealth, MetricsSnapshot, NodeIdentity, PeerEntry, PingResult, RepairResult, RttStats
} from '../../shared/types.js'

export function bytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`
}

export function rate (bps: number): string {
  return `${bytes(bps)}/s`
}

export function ms (value: number): string {
  return `${value.toFixed(3)} ms`
}

function rttSummary (rtt: RttStats | null): string {
  if (rtt == null || rtt.samples === 0) return 'rtt -'
  return `rtt p50 ${ms(rtt.p50)} p95 ${ms(rtt.p95)} jitter ${ms(rtt.jitter)} loss ${percent(rtt.loss)}`
}

function percent (fraction: number): string {
  return `${(fraction * 100).toFixed(fraction === 0 || fraction === 1 ? 0 : 1)}%`
}

export function formatIdentity (id: NodeIdentity): string {
  return [
    `peer id    ${id.peerId}`,
    `agent      ${id.agent}`,
    `started    ${new Date(id.startedAt).toISOString()}`,
    'addresses',
    ...id.multiaddrs.map(a => `  ${a}`),
    'protocols',
    ...id.protocols.map(p => `  ${p}`)
  ].join('\n')
}

export function formatPeers (peers: PeerEntry[]): string {
  if (peers.length === 0) return 'no known peers'
  const rows = [...peers]
    .sort((a, b) => Number(b.connected) - Number(a.connected) || a.peerId.localeCompare(b.peerId))
    .map(p => {
      const how = p.connected ? `${p.kind ?? '?'}/${p.scope ?? '?'}` : 'not connected'
      const address = p.connections[0]?.remoteAddr ?? p.addresses[0] ?? '-'
      return [
        `${p.peerId}  ${how}  ${p.agent ?? 'unknown agent'}`,
        `  ${rttSummary(p.rtt)}  in ${rate(p.traffic.inBps)} out ${rate(p.traffic.outBps)}`,
        `  ${address}`
      ].join('\n')
    })
  const connected = peers.filter(p => p.connected).length
  return `${peers.length} known, ${connected} connected\n${rows.join('\n')}`
}

export function formatConnected (peer: PeerEntry): string {
  const via = peer.connections[0]?.remoteAddr
  return `connected to ${peer.peerId}${peer.kind != null ? ` (${peer.kind}/${peer.scope ?? '?'})` : ''}${via != null ? ` via ${via}` : ''}`
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

export function formatMetrics (m: MetricsSnapshot): string {
  const lines = [
    `traffic      in ${rate(m.traffic.inBps)}  out ${rate(m.traffic.outBps)}  (total in ${bytes(m.traffic.inTotal)}, out ${bytes(m.traffic.outTotal)})`,
    `connections  ${m.connections}`
  ]
  const c = m.capacity
  if (c == null) {
    lines.push('capacity     not measured yet')
  } else {
    lines.push(`capacity     ${c.cores} cores, cpu ${c.cpuLoad.toFixed(1)}%, memory ${bytes(c.memFree)} free of ${bytes(c.memTotal)}, disk ${bytes(c.diskFree)} free of ${bytes(c.diskTotal)}`)
    lines.push(`             measured ${new Date(c.measuredAt).toISOString()}`)
  }
  if (m.peers.length === 0) {
    lines.push('peers        none connected')
  } else {
    lines.push('peers')
    for (const p of m.peers) {
      lines.push(`  ${p.peerId}  ${rttSummary(p.rtt)}  in ${rate(p.traffic.inBps)} out ${rate(p.traffic.outBps)}`)
    }
  }
  return lines.join('\n')
}

export function formatFetched (r: FetchResult): string {
  const lines = [
    `saved   ${r.path}`,
    `size    ${bytes(r.size)} (${r.size} bytes)`,
    `sha256  ${r.sha256} (verified)`
  ]
  if (r.resumedSegments > 0) lines.push(`resumed ${r.resumedSegments} segment${r.resumedSegments === 1 ? '' : 's'} from an earlier attempt`)
  if (r.badHolders.length > 0) lines.push(`rejected corrupt shards from ${r.badHolders.join(', ')}`)
  return lines.join('\n')
}

export function formatFiles (files: FileEntry[]): string {
  if (files.length === 0) return 'no files shared or received'
  return [...files]
    .sort((a, b) => b.createdAt - a.createdAt)
    .map(f => [
      `${f.direction === 'shared' ? 'shared  ' : 'received'}  ${f.name}  ${bytes(f.size)}  ${f.k}+${f.m}  ${f.segments} segment${f.segments === 1 ? '' : 's'}  ${new Date(f.createdAt).toISOString()}`,
      `  id    ${f.id}`,
      `  link  ${f.link}`,
      ...(f.path != null ? [`  path  ${f.path}`] : [])
    ].join('\n'))
    .join('\n')
}

export function formatHealth (h: FileHealth): string {
  const lines = [
    `file         ${h.id}`,
    `checked      ${new Date(h.checkedAt).toISOString()}`,
    `manifest     ${h.manifestReachable ? 'reachable' : 'NOT reachable'}`,
    `recoverable  ${h.recoverable ? 'yes' : 'NO'} (fewest reachable shards in a segment: ${h.minReachable})`
  ]
  for (const s of h.segments) {
    const state = s.reachable >= s.total ? 'complete' : s.reachable >= s.k ? 'degraded' : 'LOST'
    lines.push(`  segment ${String(s.index).padStart(4)}  ${String(s.reachable).padStart(3)}/${s.total} reachable, needs ${s.k}  ${state}  holders ${s.holders.length}`)
  }
  return lines.join('\n')
}

export function formatRepair (r: RepairResult): string {
  return `re-created ${r.recreated} shard${r.recreated === 1 ? '' : 's'}\n${formatHealth(r.health)}`
}
