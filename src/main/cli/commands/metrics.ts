/** wgt metrics: traffic, capacity and per-peer RTT now. */
import type { MetricsSnapshot } from '../../../shared/api/index.js'
import { clientCommand } from '../client-command.js'
import { bytes, rate, rttSummary } from '../format.js'
import type { CommandSpec } from './command.js'

const metrics: CommandSpec = clientCommand({
  name: 'metrics',
  summary: 'traffic, capacity and per-peer RTT',
  usage: '[--data-dir DIR] [--json]',
  description: 'Print this node\'s traffic rates and totals, its measured capacity, and RTT and traffic per connected peer.',
  parse: ({ dataDir, json }) => ({ kind: 'metrics', dataDir, json }),
  call: async (api) => await api.getMetrics(),
  text: formatMetrics
})

export const metricsCommands: CommandSpec[] = [metrics]

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
