/**
 * The files part of the UI state as pure functions over plain data: the
 * node's file list, its operations, the inbox, health checks, and the files
 * this window dropped (in a browser a drop is an upload first, then a share).
 */
import type { FileEntry, FileHealth, FileOffer, OperationInfo, PeerIdString } from '../../../shared/api/index.js'
import type { HumanError } from '../ui/errors.js'

export type Files = Readonly<Record<string, FileEntry>>
export type Operations = Readonly<Record<string, OperationInfo>>

/** Ended operations kept on screen; older ones drop off. */
export const ENDED_OPERATIONS_KEPT = 8

export type HealthState =
  | { status: 'checking', last: FileHealth | null }
  | { status: 'ok', health: FileHealth }
  | { status: 'error', error: HumanError, last: FileHealth | null }

/** One file dropped (or picked) in this window, until its share operation exists. */
export interface DropJob {
  key: string
  name: string
  size: number
  /** the peer the link is sent to once shared (dropped onto its row) */
  toPeer: PeerIdString | null
  /** bytes sent to the daemon (browser uploads); equal to size once there */
  uploaded: number
  /** the node's share operation, once started */
  operation: string | null
  /** for a drop onto a peer: 'sending' the link after the share, 'sent', or why it failed */
  offer: 'sending' | 'sent' | null
  error: HumanError | null
}

export function filesFromList (list: readonly FileEntry[]): Files {
  const out: Record<string, FileEntry> = {}
  for (const f of list) out[f.id] = f
  return out
}

export function withoutKey<T> (record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(record, key)) return record
  const next = { ...record }
  delete next[key]
  return next
}

/** Newest first. */
export function sortedFiles (files: Files, direction?: FileEntry['direction']): FileEntry[] {
  return Object.values(files)
    .filter(f => direction == null || f.direction === direction)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
}

/** Compute jobs are operations too, shown with their own figures in the Compute view: not among the file transfers. */
const isTransfer = (op: OperationInfo): boolean => op.kind !== 'compute'

export function operationsFromList (list: readonly OperationInfo[]): Operations {
  const out: Record<string, OperationInfo> = {}
  for (const op of list) if (isTransfer(op)) out[op.id] = op
  return keepRecent(out)
}

/** Upsert an operation's latest state; keep every running one and the newest ended ones. */
export function withOperation (ops: Operations, op: OperationInfo, keepEnded = ENDED_OPERATIONS_KEPT): Operations {
  if (!isTransfer(op)) return ops
  return keepRecent({ ...ops, [op.id]: op }, keepEnded)
}

function keepRecent (ops: Record<string, OperationInfo>, keepEnded = ENDED_OPERATIONS_KEPT): Operations {
  const ended = Object.values(ops).filter(o => o.state !== 'running').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
  for (const old of ended.slice(keepEnded)) delete ops[old.id]
  return ops
}

/** Running first (oldest first, as they started), then the ended ones, newest first. */
export function sortedOperations (ops: Operations): OperationInfo[] {
  const all = Object.values(ops)
  const running = all.filter(o => o.state === 'running').sort((a, b) => a.startedAt - b.startedAt)
  const ended = all.filter(o => o.state !== 'running').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
  return [...running, ...ended]
}

export function withOffer (offers: readonly FileOffer[], offer: FileOffer): readonly FileOffer[] {
  return [offer, ...offers.filter(o => o.id !== offer.id)].sort((a, b) => b.receivedAt - a.receivedAt)
}

/** The last component of a path, for either separator (the daemon may run on another OS). */
export function baseName (path: string): string {
  return path.split(/[/\\]/).pop() ?? path
}

export function withDrop (drops: readonly DropJob[], key: string, change: Partial<DropJob>): readonly DropJob[] {
  const i = drops.findIndex(d => d.key === key)
  if (i < 0) return drops
  const next = drops.slice()
  next[i] = { ...drops[i], ...change }
  return next
}

export type SegmentState = 'complete' | 'degraded' | 'lost'

export function segmentState (s: { reachable: number, k: number, total: number }): SegmentState {
  if (s.reachable >= s.total) return 'complete'
  return s.reachable >= s.k ? 'degraded' : 'lost'
}

export interface HealthCell { from: number, to: number, state: SegmentState, reachable: number, k: number, total: number }

/**
 * At most `cells` cells for the per-segment bar: neighbouring segments share a
 * cell, which shows the worst of them (a lost segment must never be hidden).
 */
export function healthCells (health: FileHealth, cells = 48): HealthCell[] {
  const segs = health.segments
  if (segs.length === 0) return []
  const per = Math.ceil(segs.length / cells)
  const out: HealthCell[] = []
  for (let i = 0; i < segs.length; i += per) {
    const group = segs.slice(i, i + per)
    const worst = group.reduce((w, s) => (s.reachable - s.k < w.reachable - w.k ? s : w))
    out.push({ from: group[0].index, to: group[group.length - 1].index, state: segmentState(worst), reachable: worst.reachable, k: worst.k, total: worst.total })
  }
  return out
}

/** Some shard is missing but every segment can still be rebuilt: repair helps. */
export function needsRepair (health: FileHealth): boolean {
  return health.recoverable && health.segments.some(s => s.reachable < s.total)
}

export function lastHealth (h: HealthState | undefined): FileHealth | null {
  if (h == null) return null
  return h.status === 'ok' ? h.health : h.last
}
