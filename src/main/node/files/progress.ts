/** 'file:progress' events for one operation: phase changes always go out, byte counts at most every 100 ms. */
import { randomUUID } from 'node:crypto'
import type { TransferKind, TransferPhase, TransferProgress } from '../../../shared/types.js'

const MIN_INTERVAL_MS = 100

export class Progress {
  readonly transfer = randomUUID()
  fileId: string | null = null
  private lastPhase: TransferPhase | null = null
  private lastAt = 0

  constructor (private readonly kind: TransferKind, public label: string, private readonly emit: (p: TransferProgress) => void) {}

  report (phase: TransferPhase, done: number, total: number, unit: 'bytes' | 'shards'): void {
    const now = Date.now()
    if (phase === this.lastPhase && done < total && now - this.lastAt < MIN_INTERVAL_MS) return
    this.lastPhase = phase
    this.lastAt = now
    this.emit({ transfer: this.transfer, kind: this.kind, label: this.label, fileId: this.fileId, phase, done, total, unit })
  }

  failed (err: { code: string, message: string }): void {
    this.emit({ transfer: this.transfer, kind: this.kind, label: this.label, fileId: this.fileId, phase: 'failed', done: 0, total: 0, unit: 'bytes', error: { code: err.code, message: err.message } })
  }
}
