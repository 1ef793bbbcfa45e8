/**
 * Progress of a share, fetch or repair on a terminal. The API's calls do not
 * name the transfer they start, so the CLI follows the first 'file:progress'
 * transfer that matches its call (the file's name for a share, the link or
 * file id for a fetch or repair) and ignores every other transfer.
 */
import type { WgtApi } from '../../shared/api.js'
import type { TransferKind, TransferProgress } from '../../shared/types.js'
import { bytes } from './format.js'

export interface TransferTarget {
  kind: TransferKind
  /** labels the node uses for it before the file id is known: the file name, or the link */
  labels: string[]
  /** the manifest id, when the caller knows it */
  fileId?: string
}

/** A filter that locks onto the first matching transfer and then accepts only its events. */
export function transferFilter (target: TransferTarget): (p: TransferProgress) => boolean {
  let transfer: string | undefined
  return p => {
    if (transfer != null) return p.transfer === transfer
    if (p.kind !== target.kind) return false
    const matches = target.labels.includes(p.label) || (target.fileId != null && p.fileId === target.fileId)
    if (!matches || p.phase === 'done' || p.phase === 'failed') return false
    transfer = p.transfer
    return true
  }
}

const BAR_WIDTH = 24

export function progressLine (p: TransferProgress): string {
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0
  const filled = Math.round(fraction * BAR_WIDTH)
  const amount = p.unit === 'bytes' ? `${bytes(p.done)} of ${bytes(p.total)}` : `${p.done} of ${p.total} shards`
  return `${p.phase.padEnd(7)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${amount}  ${p.label}`
}

export interface ProgressSink {
  write: (text: string) => void
  columns?: number
}

/**
 * Draw the followed transfer on one line (carriage return, erase line), at most every
 * `intervalMs`; returns the function that stops following and erases the line.
 */
export function showProgress (api: WgtApi, target: TransferTarget, sink: ProgressSink, intervalMs = 100): () => void {
  const accept = transferFilter(target)
  let last = 0
  let drawn = false
  const off = api.on('file:progress', p => {
    if (!accept(p)) return
    const now = Date.now()
    if (now - last < intervalMs && p.phase !== 'done' && p.phase !== 'failed') return
    last = now
    const line = progressLine(p)
    const width = sink.columns ?? 80
    sink.write(`\r\x1b[K${line.length >= width ? line.slice(0, width - 1) : line}`)
    drawn = true
  })
  return () => {
    off()
    if (drawn) sink.write('\r\x1b[K')
  }
}
