/**
 * Long work on a terminal: the CLI starts an operation, draws its progress
 * on one line (percentage, amount, speed, time left, all measured by the
 * node), and Ctrl-C cancels the operation on the daemon before the command
 * exits (a second Ctrl-C exits at once; the daemon then cancels the work
 * because its client went away).
 */
import type { OperationInfo, OperationRef, WgtApi } from '../../shared/api/index.js'
import { followOperation } from '../../shared/follow.js'
import type { CliIo } from './commands/command.js'
import { bytes, duration, printable, rate } from './format.js'

const BAR_WIDTH = 24

export function progressLine (op: OperationInfo): string {
  const p = op.progress
  const filled = Math.round(p.fraction * BAR_WIDTH)
  const amount = p.bytesTotal != null && p.bytesTotal > 0 ? `  ${bytes(p.bytesDone)} of ${bytes(p.bytesTotal)}` : ''
  const speed = p.rateBps != null ? `  ${rate(p.rateBps)}` : ''
  const left = p.etaMs != null ? `  ${duration(p.etaMs)} left` : ''
  return `${op.phase.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(p.fraction * 100)).padStart(3)}%${amount}${speed}${left}  ${printable(op.label)}`
}

export interface ProgressSink {
  write: (text: string) => void
  columns?: number
}

/** Start an operation, show it, and resolve with its final state (rejects with its error). */
export async function runOperation (api: WgtApi, io: CliIo, start: () => Promise<OperationRef>, intervalMs = 100): Promise<OperationInfo> {
  let last = 0
  let lastPhase = ''
  let drawn = false
  const sink = io.progress
  const draw = (op: OperationInfo): void => {
    if (sink == null) return
    const now = Date.now()
    // a new phase always shows; figures within one at most every intervalMs
    if (now - last < intervalMs && op.state === 'running' && op.phase === lastPhase) return
    last = now
    lastPhase = op.phase
    const line = progressLine(op)
    const width = sink.columns ?? 80
    sink.write(`\r\x1b[K${line.length >= width ? line.slice(0, width - 1) : line}`)
    drawn = true
  }
  const followed = followOperation(api, start, draw)
  let interrupts = 0
  const off = io.onInterrupt(() => {
    interrupts++
    if (interrupts > 1) process.exit(130)
    io.err('wgt: cancelling (Ctrl-C again to quit at once)')
    void followed.id.then(async id => { await api.cancelOperation(id) }).catch(() => {})
  })
  try {
    return await followed.done
  } finally {
    off()
    if (drawn) sink?.write('\r\x1b[K')
  }
}
