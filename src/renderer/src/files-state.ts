/**
 * The files part of the UI state, as pure functions over plain data: the node's
 * files list, its transfers ('file:progress'), offers from peers, health checks,
 * and the files this window dropped (a drop is an upload in a browser, then a
 * share, then maybe an offer to a peer).
 */
import type { FileEntry, FileHealth, FileOffer, PeerIdString, TransferProgress } from '../../shared/types.js'

export type Files = Readonly<Record<string, FileEntry>>
export type Transfers = Readonly<Record<string, TransferProgress>>

/** Finished transfers kept on screen; older ones drop off. */
export const FINISHED_TRANSFERS_KEPT = 8
export const OFFERS_KEPT = 20

export type HealthState =
  | { status: 'checking', last: FileHealth | null }
  | { status: 'ok', health: FileHealth }
  | { status: 'error', message: string, last: FileHealth | null }

export type DropStage = 'upload' | 'share' | 'offer' | 'done' | 'failed'

/** One file dropped (or picked) in this window, from the drop until its link exists. */
export interface DropJob {
  key: string
  name: string
  /** the name the node gives the share (the basename of the path it reads), once known */
  label: string | null
  size: number
  /** the peer the link is sent to once shared (dropped onto its row) */
  toPeer: PeerIdString | null
  stage: DropStage
  /** bytes sent to the daemon (browser uploads) */
  uploaded: number
  /** the node's transfer for this share, once recognised */
  transfer: string | null
  link: string | null
  fileId: string | null
  error: string | null
}

export function filesFromList (list: readonly FileEntry[]): Files {
  const out: Record<string, FileEntry> = {}
  for (const f of list) out[f.id] = f
  return out
}

/** Newest first. */
export function sortedFiles (files: Files): FileEntry[] {
  return Object.values(files).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
}

export function isFinished (p: TransferProgress): boolean {
  return p.phase === 'done' || p.phase === 'failed'
}

/** Upsert a transfer's latest event; keep every running one and the newest finished ones. */
export function withTransfer (transfers: Transfers, p: TransferProgress, keepFinished = FINISHED_TRANSFERS_KEPT): Transfers {
  const next: Record<string, TransferProgress> = { ...transfers }
  delete next[p.transfer] // re-insert last: key order is arrival order of the latest event
  next[p.transfer] = p
  const finished = Object.values(next).filter(isFinished)
  for (const old of finished.slice(0, Math.max(0, finished.length - keepFinished))) delete next[old.transfer]
  return next
}

/**
 * The API does not say which transfer a shareFile call started, so a drop adopts
 * the first unclaimed share transfer whose label is its file name (the node labels
 * a share by the file's name). Returns the same array when nothing changes.
 */
export function claimTransfer (drops: readonly DropJob[], p: TransferProgress): readonly DropJob[] {
  if (p.kind !== 'share' || drops.some(d => d.transfer === p.transfer)) return drops
  const i = drops.findIndex(d => d.stage === 'share' && d.transfer == null && d.label === p.label)
  if (i < 0) return drops
  const next = drops.slice()
  next[i] = { ...drops[i], transfer: p.transfer }
  return next
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

export function withOffer (offers: readonly FileOffer[], offer: FileOffer, cap = OFFERS_KEPT): readonly FileOffer[] {
  const rest = offers.filter(o => !(o.link === offer.link && o.from === offer.from))
  return [offer, ...rest].slice(0, cap)
}

export type TransferRow =
  | { kind: 'drop', key: string, drop: DropJob, progress: TransferProgress | null }
  | { kind: 'transfer', key: string, progress: TransferProgress }

/** What the transfers list shows: this window's drops (with their node transfer), then every other transfer. */
export function transferRows (drops: readonly DropJob[], transfers: Transfers): TransferRow[] {
  const claimed = new Set<string>()
  const rows: TransferRow[] = drops.map(d => {
    if (d.transfer != null) claimed.add(d.transfer)
    return { kind: 'drop', key: `drop:${d.key}`, drop: d, progress: d.transfer != null ? transfers[d.transfer] ?? null : null }
  })
  for (const p of Object.values(transfers).reverse()) {
    if (!claimed.has(p.transfer)) rows.push({ kind: 'transfer', key: `t:${p.transfer}`, progress: p })
  }
  return rows
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

/** 0..1 for a progress bar; null when the total is not known yet. */
export function progressFraction (p: { done: number, total: number }): number | null {
  if (!(p.total > 0)) return null
  return Math.min(1, Math.max(0, p.done / p.total))
}
